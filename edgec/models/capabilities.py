"""What a build's input can go through: the checks passes call before they need something.

Every input reaches a flatbuffer, but not every input has what every pass needs:

| input                         | float model | Keras 2 model (pruning, QAT, tfmot) |
|-------------------------------|-------------|-------------------------------------|
| .keras / .h5 (tf_keras)       | yes         | yes                                 |
| Keras 3 .keras                | yes         | no                                  |
| SavedModel without Keras data | yes         | no                                  |
| .onnx (through onnx2tf)       | yes         | no                                  |
| .tflite                       | no          | no                                  |

A pass that needs one calls `require_keras` / `require_float_model` first and gets the
model, or the user gets a clear ModelError naming the pass, the format and a way out.
"""

from __future__ import annotations

from edgec.artifact import Artifact
from edgec.errors import ModelError
from edgec.models.float_model import FloatModel

_FORMAT_NAMES = {"keras2": "a Keras 2 model", "keras3": "a Keras 3 model",
                 "saved_model": "a SavedModel without Keras metadata", "onnx": "an ONNX model",
                 "tflite": "an already converted .tflite"}


def source_format(artifact: Artifact) -> str:
    """'keras2', 'keras3', 'saved_model', 'onnx' or 'tflite'."""
    if artifact.float_model is not None:
        return artifact.float_model.format
    return "tflite" if artifact.tflite is not None else "none"


def require_float_model(artifact: Artifact, needed_by: str) -> FloatModel:
    """The artifact's float model, or a ModelError saying `needed_by` cannot run without one."""
    if artifact.float_model is None:
        raise ModelError(f"{needed_by} needs the trained float model, but the input is "
                         f"{_FORMAT_NAMES.get(source_format(artifact), 'not one')}",
                         hint="build from the model it was converted from (.keras, .onnx or a "
                              "SavedModel), or leave that option out")
    return artifact.float_model


def require_keras(artifact: Artifact, needed_by: str):
    """The tf_keras (Keras 2) model for passes that train or rewrite layers (pruning, QAT),
    or a ModelError such as "QAT needs a Keras model; ..." with a way out."""
    fmt = source_format(artifact)
    model = artifact.float_model
    if model is not None and model.keras is not None:
        return model.keras
    hints = {
        "keras3": "re-save it with tf_keras (Keras 2): tfmot cannot rewrite Keras 3 models; "
                  "or use PTQ (the default)",
        "onnx": "use PTQ (the default), or convert the model to Keras first and train there",
        "saved_model": "use PTQ (the default), or give the Keras model (.keras/.h5) it was "
                       "saved from",
        "tflite": "build from the trained model (.keras), not from a converted .tflite",
    }
    raise ModelError(f"{needed_by} needs a Keras model, but {_name(artifact)} is "
                     f"{_FORMAT_NAMES.get(fmt, 'not one')}",
                     hint=hints.get(fmt, "use PTQ (the default) or convert first"))


def _name(artifact: Artifact) -> str:
    model = artifact.float_model
    return "the input" if model is None else model.path.rsplit("/", 1)[-1]
