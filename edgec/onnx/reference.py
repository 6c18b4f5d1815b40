"""The user's ONNX model run by onnxruntime: the float reference an ONNX build is checked against."""

from __future__ import annotations

import numpy as np

from edgec.errors import ConversionError, ModelError
from edgec.models.layout import InputLayout, channels_last_perm
from edgec.onnx.source import OnnxSource


class OnnxReference:
    """onnxruntime over the (static-shaped) ONNX model.

    It describes the model as a FloatModel does (format, params, input and output
    shapes, layout; no Keras model), so the `data` pass loads data for it before
    anything is converted. `predict` has the FloatModel's contract: it takes a batch in
    the flatbuffer's layout (what the passes after `data` hold) and returns one array per
    output in the flatbuffer's layout, so validation compares like with like. `align`
    learns how the converted model laid out each output (onnx2tf turns NCHW into NHWC).
    """

    format = "onnx"
    keras = None

    def __init__(self, source: OnnxSource, layout: InputLayout | None = None):
        import onnxruntime as ort

        self.source = source
        self.layout = layout
        self.runtime = f"onnxruntime {ort.__version__}"
        self.path = str(source.path)
        self.params = source.params
        self.input_names = [source.input_name]
        self.input_shapes = [layout.flatbuffer_shape if layout else source.input_shape[1:]]
        self.notes = [] if layout is None else [
            f"the flatbuffer takes {layout.flatbuffer} input {[1, *layout.flatbuffer_shape]}; "
            f"the ONNX model takes {layout.source} {list(source.input_shape)}: transpose your "
            "data on the device (edgec transposes calibration and validation data itself)"]
        options = ort.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = 1  # the same float results on every run
        try:
            self._session = ort.InferenceSession(source.serialized(), options,
                                                 providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise ModelError(f"onnxruntime cannot load {source.path.name}: {_first_line(exc)}",
                             hint="the model uses an op or opset onnxruntime "
                                  f"{ort.__version__} does not know; export it with opset 13-21")
        self.output_perms: list[tuple[int, ...] | None] = [None] * len(source.output_names)
        zeros = np.zeros((1, *source.input_shape[1:]), np.float32)
        self.output_shapes = [tuple(o.shape[1:]) for o in self.run(zeros)]

    @property
    def input_shape(self) -> tuple[int, ...]:
        return self.input_shapes[0]

    @property
    def output_names(self) -> tuple[str, ...]:
        return self.source.output_names

    def run(self, x: np.ndarray) -> list[np.ndarray]:
        """Outputs of onnxruntime for a batch in the model's own layout, one sample at a time
        (the model's batch is fixed to 1)."""
        name, dtype = self.source.input_name, self.source.input_dtype
        per_sample = []
        for i in range(len(x)):
            try:
                per_sample.append(self._session.run(None, {name: x[i:i + 1].astype(dtype)}))
            except Exception as exc:
                raise ModelError(f"onnxruntime failed to run {self.source.path.name}: "
                                 f"{_first_line(exc)}", hint="check the model with onnxruntime")
        return [np.concatenate([s[o] for s in per_sample]).astype(np.float32)
                for o in range(len(self.output_names))]

    def predict(self, x: np.ndarray) -> list[np.ndarray]:
        """Outputs for a batch in the flatbuffer's layout, laid out as the flatbuffer's outputs."""
        outputs = self.run(self.layout.to_source(x) if self.layout else x)
        return [_laid_out(o, p) for o, p in zip(outputs, self.output_perms)]

    def align(self, converted: list[np.ndarray], x: np.ndarray) -> None:
        """Learn each output's layout from the converted model's outputs for the same batch `x`
        (flatbuffer layout): the same shape, or channels moved last, whichever agrees."""
        mine = self.run(self.layout.to_source(x) if self.layout else x)
        if len(converted) != len(mine):
            raise ConversionError(
                f"the converted model has {len(converted)} outputs, the ONNX model {len(mine)}",
                hint="rerun with --debug for the converter's log")
        for i, (theirs, ours) in enumerate(zip(converted, mine)):
            candidates = [None]
            if 3 <= ours.ndim <= 5:
                candidates.append(channels_last_perm(ours.ndim))
            laid = [_laid_out(ours, p) for p in candidates]
            fits = [(float(np.max(np.abs(theirs - o), initial=0.0)), k)
                    for k, o in enumerate(laid) if o.shape == theirs.shape]
            if not fits:
                raise ConversionError(
                    f"output '{self.output_names[i]}' has shape {list(ours.shape)} in the ONNX "
                    f"model but {list(theirs.shape)} after conversion",
                    hint="a dynamic output size the converter fixed differently; "
                         "pass --input-shape, or rerun with --debug")
            self.output_perms[i] = candidates[min(fits)[1]]


def _laid_out(x: np.ndarray, perm: tuple[int, ...] | None) -> np.ndarray:
    return x if perm is None else np.ascontiguousarray(x.transpose(perm))


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
