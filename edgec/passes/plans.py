"""Which passes a build runs: a function of its input and of its options.

A Keras model or SavedModel runs the standard list. An ONNX model is read by `load`, and
after `data` it is converted by onnx2tf (`convert`) and checked against onnxruntime
(`conversion`). A .tflite is already converted: it is read
rather than loaded, needs no calibration data and skips `quantize`; everything after that
(op checks, arena, validation against labels, budgets, outputs) runs on it as on a built
flatbuffer. The plan is derived from the standard list by pass name, so passes added to
it reach every input; those that need a float or Keras model check for one
(edgec.models.capabilities). The optimisation passes the options ask for (--prune,
--sparsity, --qat) go where the float model is ready: after `data` (after `conversion` for
ONNX).
"""

from __future__ import annotations

from pathlib import Path

from edgec.errors import ModelError
from edgec.passes import OPTIMIZATIONS, STANDARD_BUILD, passes_for, with_early_exit
from edgec.passes.onnx_input import check_conversion, convert_model, load_onnx
from edgec.passes.tflite_input import load_flatbuffer, load_validation_data
from edgec.pipeline import Pass

#: What `edgec build` takes, for messages.
MODEL_FORMATS = ".keras, .h5, a SavedModel folder, .onnx or .tflite"
KERAS_SUFFIXES = (".keras", ".h5", ".hdf5")


def input_kind(path: str | Path) -> str:
    """'keras' (Keras 2/3 files and SavedModel folders), 'onnx' or 'tflite'."""
    path = Path(path)
    if not path.exists():
        raise ModelError(f"model {path} does not exist", hint=f"give a trained model: {MODEL_FORMATS}")
    if path.is_dir():
        return "keras"
    suffix = path.suffix.lower()
    if suffix in KERAS_SUFFIXES:
        return "keras"
    if suffix in (".onnx", ".tflite"):
        return suffix[1:]
    raise ModelError(f"model {path.name}: unknown format '{suffix or 'no extension'}'",
                     hint=f"edgec takes {MODEL_FORMATS}")


def plan_for(kind: str, standard, has_validation: bool = True) -> list[Pass]:
    """The passes for an input of `kind`, derived from the standard list."""
    if kind == "keras":
        return list(standard)
    passes: list[Pass] = []
    for p in standard:
        if p.name == "load":
            run = load_onnx if kind == "onnx" else load_flatbuffer
            passes.append(Pass("load", run, f"read the {kind} model"))
        elif p.name == "data" and kind == "tflite":
            passes.append(Pass("data", load_validation_data, "load validation data"))
        elif p.name == "data":
            passes += [p, Pass("convert", convert_model, "convert the ONNX model with onnx2tf"),
                       Pass("conversion", check_conversion,
                            "compare the converted float model with onnxruntime")]
        elif kind == "tflite" and (p.name == "quantize" or (p.name == "validate"
                                                            and not has_validation)):
            continue
        else:
            passes.append(p)
    return passes


def model_ready(passes: list[Pass]) -> int:
    """Where the float model and the data are ready: the index after `data` (or after the
    ONNX conversion that follows it)."""
    names = [p.name for p in passes]
    return max(names.index(n) for n in ("data", "convert", "conversion") if n in names) + 1


def build_passes(options, kind: str, profile=None) -> list[Pass]:
    """The passes of a build: those of the target's runtime (passes_for; the microcontroller
    list without a target) and the early-exit passes when asked for, for an input of `kind`
    (plan_for), with the optimisation passes the options ask for."""
    standard = STANDARD_BUILD if profile is None else passes_for(profile, options.runtime)
    standard = with_early_exit(standard, options)
    passes = plan_for(kind, standard, options.validation is not None)
    wanted = [p for option, p in OPTIMIZATIONS if getattr(options, option)]
    at = model_ready(passes)
    return passes[:at] + wanted + passes[at:]
