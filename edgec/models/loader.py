"""Loading a trained model file into a FloatModel.

Formats: Keras 2 (tf_keras) .keras / .h5 / SavedModel folders; Keras 3 .keras files
(loaded with Keras 3 for conversion and validation; passes that need Keras 2 refuse
them with a hint); plain TF SavedModels (their serving signature).

Untrusted files: .keras files load in Keras' safe mode and .h5 files with Lambda
layers (which carry Python bytecode) are refused unless `unsafe=True`.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from edgec.errors import ModelError
from edgec.models.float_model import FloatModel
from edgec.models.shapes import static_input_shape

KERAS_FORMATS = ".keras, .h5 or a SavedModel folder"


def load_model(path: str | Path, unsafe: bool = False,
               input_shape: tuple[int, ...] | None = None) -> FloatModel:
    """Load a Keras or SavedModel model; `input_shape` (batch first) fixes dynamic dimensions."""
    path = Path(path)
    if not path.exists():
        raise ModelError(f"model {path} does not exist", hint=f"give a trained model: {KERAS_FORMATS}")
    if path.is_dir():
        if not (path / "saved_model.pb").exists():
            raise ModelError(f"model folder {path} is not a SavedModel (no saved_model.pb)",
                             hint=f"give a trained model: {KERAS_FORMATS}")
        model = _load_saved_model(path)
    else:
        if path.stat().st_size == 0:
            raise ModelError(f"model {path} is an empty file", hint="re-export the model")
        suffix = path.suffix.lower()
        if suffix == ".keras":
            model = _load_keras_file(path, unsafe)
        elif suffix in (".h5", ".hdf5"):
            model = _load_h5(path, unsafe)
        else:
            raise ModelError(f"model {path.name}: unknown format '{suffix or 'no extension'}'",
                             hint=f"edgec build takes {KERAS_FORMATS}")
    _check_inputs(model, input_shape)
    return model


def from_tf_keras(keras_model, fmt: str, path: Path | str) -> FloatModel:
    """A FloatModel over a tf_keras model (as loaded, or as a pass rebuilt or trained it)."""
    inputs = keras_model.inputs
    return FloatModel(
        format=fmt, path=str(path),
        input_names=[_clean(t.name) for t in inputs],
        input_shapes=[tuple(t.shape[1:]) for t in inputs],
        output_shapes=[tuple(t.shape[1:]) for t in keras_model.outputs],
        call=lambda x: keras_model(x, training=False),
        trackable=keras_model, keras=keras_model, params=int(keras_model.count_params()),
    )


def _clean(name: str) -> str:
    return name.split(":")[0].replace("/", "_")


def _keras_version(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "metadata.json" not in names or "config.json" not in names:
                raise ModelError(f"model {path.name} is a zip but not a Keras model file",
                                 hint="save it with model.save('model.keras')")
            return str(json.loads(archive.read("metadata.json")).get("keras_version", ""))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ModelError(f"model {path.name} is not a readable .keras file ({exc})",
                         hint="the file is truncated or corrupt; save it again")


def _load_keras_file(path: Path, unsafe: bool) -> FloatModel:
    version = _keras_version(path)
    if version.startswith("3"):
        return _load_keras3(path, unsafe, version)
    from edgec.tf_runtime import keras

    try:
        model = keras().models.load_model(path, compile=False, safe_mode=not unsafe)
    except Exception as exc:  # Keras raises many types for bad files
        raise _load_failure(path, exc)
    return from_tf_keras(model, "keras2", path)


def _load_keras3(path: Path, unsafe: bool, version: str) -> FloatModel:
    from edgec.tf_runtime import tensorflow

    tf = tensorflow()
    try:
        import keras as keras3

        model = keras3.saving.load_model(path, compile=False, safe_mode=not unsafe)
    except Exception as exc:
        raise ModelError(
            f"model {path.name} was saved with Keras {version} and cannot be loaded: "
            f"{_first_line(exc)}",
            hint="re-save it with tf_keras (Keras 2), or export a SavedModel with "
                 "model.export('folder') and build that")
    fm = FloatModel(
        format="keras3", path=str(path),
        input_names=[_clean(t.name) for t in model.inputs],
        input_shapes=[tuple(t.shape[1:]) for t in model.inputs],
        output_shapes=[tuple(t.shape[1:]) for t in model.outputs],
        call=lambda x: model(x, training=False), trackable=_variables_of(tf, model),
        params=int(model.count_params()),
    )
    fm.notes.append(f"Keras {version} model: passes that need Keras 2 (pruning, QAT) are unavailable")
    return fm


def _variables_of(tf, keras3_model):
    """A tf.Module holding a Keras 3 model's TensorFlow variables: the TFLite converter
    freezes the variables it finds on the trackable it is given, and Keras 3 wraps its
    tf.Variables in objects the converter does not look into (READ_VARIABLE ops remain)."""
    holder = tf.Module()
    holder.variables_ = [v.value for v in keras3_model.variables]
    return holder


def _load_h5(path: Path, unsafe: bool) -> FloatModel:
    import h5py

    try:
        with h5py.File(path, "r") as f:
            config = f.attrs.get("model_config")
    except OSError as exc:
        raise ModelError(f"model {path.name} is not a readable HDF5 file ({_first_line(exc)})",
                         hint="the file is truncated or corrupt; save it again")
    if config is None:
        raise ModelError(f"model {path.name} holds no Keras model (only weights?)",
                         hint="save the whole model with model.save('model.h5')")
    if isinstance(config, bytes):
        config = config.decode("utf-8", errors="replace")
    try:
        parsed = json.loads(config)
    except ValueError:
        raise ModelError(f"model {path.name} has a damaged model config",
                         hint="the file is corrupt; save it again")
    if _has_lambda(parsed) and not unsafe:
        raise ModelError(f"model {path.name} has a Lambda layer, which runs arbitrary Python code "
                         "when loaded", hint="rebuild it without Lambda layers, or pass "
                                             "--unsafe-load if you trust the file")
    from edgec.tf_runtime import keras

    try:
        model = keras().models.load_model(path, compile=False)
    except Exception as exc:
        raise _load_failure(path, exc)
    return from_tf_keras(model, "keras2", path)


def _has_lambda(config) -> bool:
    """Whether a Keras config holds a Lambda layer anywhere (nested models included)."""
    if isinstance(config, dict):
        return config.get("class_name") == "Lambda" or any(_has_lambda(v) for v in config.values())
    if isinstance(config, list):
        return any(_has_lambda(v) for v in config)
    return False


def _load_saved_model(path: Path) -> FloatModel:
    from edgec.tf_runtime import keras, tensorflow

    tf = tensorflow()
    if (path / "keras_metadata.pb").exists():
        try:
            model = keras().models.load_model(path, compile=False)
        except Exception as exc:
            raise _load_failure(path, exc)
        return from_tf_keras(model, "keras2", path)
    try:
        loaded = tf.saved_model.load(str(path))
    except Exception as exc:
        raise _load_failure(path, exc)
    signature = loaded.signatures.get("serving_default")
    if signature is None:
        raise ModelError(f"SavedModel {path} has no 'serving_default' signature",
                         hint="export it with a serving signature (tf.saved_model.save(..., signatures=...))")
    _, kwargs = signature.structured_input_signature
    names = sorted(kwargs)
    outputs = signature.structured_outputs
    out_keys = sorted(outputs, key=_natural_order)  # output_2 before output_10

    def call(x):
        xs = x if isinstance(x, list) else [x]
        result = signature(**{n: t for n, t in zip(names, xs)})
        return [result[k] for k in out_keys]

    return FloatModel(
        format="saved_model", path=str(path), input_names=names,
        input_shapes=[tuple(kwargs[n].shape[1:]) for n in names],
        output_shapes=[tuple(outputs[k].shape[1:]) for k in out_keys],
        call=call, trackable=loaded, batch=kwargs[names[0]].shape[0] if names else None,
    )


def _natural_order(key: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", key))


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def _load_failure(path: Path, exc: Exception) -> ModelError:
    text = str(exc)
    if "Lambda" in text and "safe_mode" in text:
        return ModelError(f"model {path.name} has a Lambda layer, which runs arbitrary Python code "
                          "when loaded", hint="rebuild it without Lambda layers, or pass "
                                              "--unsafe-load if you trust the file")
    if "Unknown layer" in text or "Could not locate class" in text:
        return ModelError(f"model {path.name} uses a custom layer edgec cannot rebuild: "
                          f"{_first_line(exc)}", hint="export a SavedModel, which needs no Python code")
    return ModelError(f"model {path.name} cannot be loaded: {_first_line(exc)}",
                      hint="the file may be truncated, corrupt or from an incompatible Keras")


def _check_inputs(model: FloatModel, input_shape: tuple[int, ...] | None) -> None:
    """One input, with a static shape (dynamic dimensions fixed by `input_shape`)."""
    if len(model.input_shapes) != 1:
        raise ModelError(f"model has {len(model.input_shapes)} inputs; edgec builds single-input "
                         "models for now", hint="export a model with one input tensor")
    declared = (None, *(None if d is None or d < 0 else d for d in model.input_shape))
    fixed = static_input_shape(model.input_names[0], declared, input_shape)
    model.input_shapes = [fixed[1:]]
