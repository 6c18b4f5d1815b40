"""Passes for a .tflite input: an already converted flatbuffer enters the build after `quantize`.

It is checked against the target (ops, budgets), measured in TFLite Micro, validated
against labels when validation data is given, and emitted like a built one. There is no
float model, so nothing compares against one, and passes that need one refuse it (see
edgec.models.capabilities).
"""

from __future__ import annotations

from pathlib import Path

from edgec.artifact import Artifact
from edgec.calibration import load_dataset
from edgec.calibration.loaders import IMAGE_SCALES
from edgec.errors import DataError, ModelError
from edgec.passes.loading import check_labels
from edgec.pipeline import BuildContext
from edgec.tflite.costs import op_costs
from edgec.tflite.model import Model, read_model
from edgec.tflite.scheme import flatbuffer_scheme


def read_flatbuffer(path: Path) -> tuple[bytes, Model]:
    """A .tflite file's bytes and its parsed model; damage is a ModelError naming the file."""
    if not path.is_file():
        raise ModelError(f"model {path} does not exist", hint="give a trained model file")
    data = path.read_bytes()
    if not data:
        raise ModelError(f"model {path} is an empty file", hint="re-export the model")
    try:
        return data, read_model(data)
    except ModelError as exc:
        raise ModelError(f"model {path.name}: {exc.message}", hint=exc.hint) from exc


def load_flatbuffer(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Read and parse the .tflite (bounds-checked); its scheme is read from its tensors."""
    opts = ctx.options
    if opts.input_shape is not None:
        raise ModelError("--input-shape cannot reshape a .tflite: its shapes were fixed when it "
                         "was converted", hint="convert the model again with the shape you want, "
                                               "or build from the ONNX/Keras model with --input-shape")
    tflite, model = read_flatbuffer(Path(opts.model))
    graph = model.main
    scheme = flatbuffer_scheme(model)
    ctx.report.model = {
        "path": str(opts.model), "format": "tflite",
        "params": sum(c.params for c in op_costs(model)),
        "inputs": [_describe(graph.tensors[i]) for i in graph.inputs],
        "outputs": [_describe(graph.tensors[i]) for i in graph.outputs],
    }
    ctx.report.quantization = scheme
    ctx.report.model_bytes = len(tflite)
    if scheme not in ctx.profile.schemes:
        ctx.report.warn(f"the .tflite is {scheme}; {ctx.profile.id} is built for "
                        f"{', '.join(ctx.profile.schemes)}")
    return artifact.evolve("load", tflite=tflite, scheme=scheme)


def _describe(tensor) -> dict:
    return {"name": tensor.name, "shape": list(tensor.shape), "type": tensor.type}


def load_validation_data(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Validation data for the flatbuffer's input (floats; quantized as the input tensor says).
    Calibration data has no use: the flatbuffer is already quantized."""
    opts = ctx.options
    graph = artifact.graph.main
    if opts.calibration is not None or opts.synthetic_calibration:
        ctx.report.warn("calibration data is not used: the .tflite is already converted")
    scale = "unit" if opts.image_scale == "auto" else opts.image_scale
    if scale not in IMAGE_SCALES:
        raise DataError(f"unknown image scale '{scale}'",
                        hint=f"use auto or one of {', '.join(IMAGE_SCALES)}")
    if opts.validation is not None:
        if len(graph.inputs) != 1:
            raise DataError(f"the .tflite has {len(graph.inputs)} inputs; edgec validates "
                            "single-input models", hint="build it without --validation")
        shape = graph.tensors[graph.inputs[0]].shape[1:]
        ctx.validation = load_dataset(opts.validation, tuple(shape), scale, "validation")
        first = graph.outputs[artifact.graph.output_order()[0]]
        check_labels(ctx.validation, graph.tensors[first].shape[1:])
    else:
        ctx.report.warn("no --validation data: the .tflite's accuracy was not checked")
    return artifact.evolve("data")
