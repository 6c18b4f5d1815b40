"""The float source model every build starts from, whatever format it came in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from edgec.models.layout import InputLayout


@dataclass
class FloatModel:
    """A trained float model: runs on data and traces to a TF function for the converter.

    `keras` is the tf_keras model when there is one (passes such as pruning and QAT
    need it); SavedModels without Keras metadata, Keras 3 files and ONNX models have none
    (see edgec.models.capabilities). `layout` is set when the user's data is in another
    layout than `input_shapes` (an NCHW ONNX model converted to NHWC).
    """

    format: str  # "keras2", "keras3", "saved_model" or "onnx"
    path: str
    input_names: list[str]
    input_shapes: list[tuple[int, ...]]  # without the batch dimension
    output_shapes: list[tuple[int, ...]]
    call: Callable[[Any], Any]  # one batch of tf tensors -> output tensor(s)
    trackable: Any  # object holding the variables (for the TFLite converter)
    keras: Any = None
    params: int | None = None
    notes: list[str] = field(default_factory=list)
    layout: InputLayout | None = None
    batch: int | None = None  # the batch size the model is fixed to, if it is

    @property
    def input_shape(self) -> tuple[int, ...]:
        return self.input_shapes[0]

    @property
    def runtime(self) -> str:
        """What computes `predict` (validation names its reference with it)."""
        return "tensorflow"

    def predict(self, x: np.ndarray, batch_size: int = 128) -> list[np.ndarray]:
        """Float outputs for a batch of inputs (one list entry per model output)."""
        from edgec.tf_runtime import tensorflow

        tf = tensorflow()
        chunks: list[list[np.ndarray]] = []
        batch_size = self.batch or batch_size
        for start in range(0, len(x), batch_size):
            out = self.call(tf.constant(x[start:start + batch_size], dtype=tf.float32))
            chunks.append([np.asarray(o) for o in _as_list(out)])
        return [np.concatenate([c[i] for c in chunks]) for i in range(len(chunks[0]))]

    def concrete_function(self):
        """The model as a TF concrete function with the batch fixed to 1."""
        from edgec.tf_runtime import tensorflow

        tf = tensorflow()
        specs = [tf.TensorSpec((1, *s), tf.float32, name=n)
                 for n, s in zip(self.input_names, self.input_shapes)]

        @tf.function(input_signature=specs)
        def serve(*inputs):
            return self.call(inputs[0] if len(inputs) == 1 else list(inputs))

        return serve.get_concrete_function()


def _as_list(out) -> list:
    if isinstance(out, dict):
        return [out[k] for k in sorted(out)]
    if isinstance(out, (list, tuple)):
        return list(out)
    return [out]
