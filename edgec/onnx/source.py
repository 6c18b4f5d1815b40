"""Reading an ONNX model and fixing its input shape, before anything converts it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edgec.errors import ModelError
from edgec.models.shapes import static_input_shape

_FLOAT_TYPES = {1, 10, 11}  # TensorProto FLOAT, FLOAT16, DOUBLE


@dataclass(frozen=True)
class OnnxSource:
    """The user's ONNX model with its one input fixed to a static, batch-1 shape."""

    path: Path
    proto: object  # onnx.ModelProto, a copy with the static input shape
    input_name: str
    input_shape: tuple[int, ...]  # batch first, in the model's own layout
    input_dtype: str  # numpy name: float32, float16 or float64
    output_names: tuple[str, ...]
    params: int
    opset: int

    def serialized(self) -> bytes:
        return self.proto.SerializeToString()


def read_onnx(path: str | Path, input_shape: tuple[int, ...] | None = None) -> OnnxSource:
    """Load `path` (external data included), check its input and fix its shape."""
    import onnx

    path = Path(path)
    if not path.is_file():
        raise ModelError(f"model {path} does not exist", hint="give a trained model file")
    if path.stat().st_size == 0:
        raise ModelError(f"model {path} is an empty file", hint="re-export the model")
    try:
        proto = onnx.load(str(path))
    except Exception as exc:  # protobuf DecodeError, missing external data, ...
        raise ModelError(f"model {path.name} is not a readable ONNX model ({_first_line(exc)})",
                         hint="the file is truncated or corrupt; export it again")
    graph = proto.graph
    if not graph.node:
        raise ModelError(f"model {path.name} holds no ONNX graph",
                         hint="export the model again (torch.onnx.export)")
    constants = {t.name for t in graph.initializer}
    inputs = [i for i in graph.input if i.name not in constants]
    if len(inputs) != 1:
        raise ModelError(f"model {path.name} has {len(inputs)} inputs; edgec builds single-input "
                         "models for now", hint="export a model with one input tensor")
    tensor_type = inputs[0].type.tensor_type
    if tensor_type.elem_type not in _FLOAT_TYPES:
        dtype = onnx.helper.tensor_dtype_to_np_dtype(tensor_type.elem_type)
        raise ModelError(f"model input '{inputs[0].name}' is {dtype}; edgec builds models that "
                         "take float input", hint="export the model with a float32 input")
    if not tensor_type.HasField("shape"):
        raise ModelError(f"model input '{inputs[0].name}' has no shape (unknown rank)",
                         hint="export the model with a fixed input rank, e.g. (1, 3, 32, 32)")
    dims = tensor_type.shape.dim
    declared = tuple(d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None
                     for d in dims)
    names = tuple(d.dim_param or None for d in dims)
    static = static_input_shape(inputs[0].name, declared, input_shape, names)
    for d, value in zip(dims, static):
        d.Clear()
        d.dim_value = value
    opset = max((o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")), default=0)
    return OnnxSource(
        path=path, proto=proto, input_name=inputs[0].name, input_shape=static,
        input_dtype=onnx.helper.tensor_dtype_to_np_dtype(tensor_type.elem_type).name,
        output_names=tuple(o.name for o in graph.output),
        params=sum(int(np.prod(t.dims, dtype=np.int64)) for t in graph.initializer
                   if t.data_type in _FLOAT_TYPES),
        opset=opset,
    )


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
