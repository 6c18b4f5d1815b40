"""Moving values in and out of a quantized tensor: the affine map q = round(x / scale) + zero_point."""

from __future__ import annotations

import numpy as np

from edgec.tflite.model import Tensor

_RANGES = {"int8": (-128, 127, np.int8), "uint8": (0, 255, np.uint8),
           "int16": (-32768, 32767, np.int16), "int32": (-2**31, 2**31 - 1, np.int32)}


def to_tensor(x: np.ndarray, tensor: Tensor) -> np.ndarray:
    """Float data -> the tensor's type (quantized when the tensor is)."""
    if tensor.type in ("float32", "float16"):
        return x.astype(np.float32 if tensor.type == "float32" else np.float16)
    low, high, dtype = _RANGES[tensor.type]
    q = tensor.quantization
    if q is None:
        return np.clip(np.round(x), low, high).astype(dtype)
    scaled = np.round(x.astype(np.float64) / float(q.scale[0])) + int(q.zero_point[0])
    return np.clip(scaled, low, high).astype(dtype)


def from_tensor(values: np.ndarray, tensor: Tensor) -> np.ndarray:
    """The tensor's values -> float32 (dequantized when the tensor is quantized)."""
    q = tensor.quantization
    if q is None or tensor.type in ("float32", "float16"):
        return values.astype(np.float32)
    return ((values.astype(np.float64) - int(q.zero_point[0])) * float(q.scale[0])).astype(np.float32)
