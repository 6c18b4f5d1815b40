"""Samples as the harness programs read and write them: per sample, each model input's
bytes in graph order, concatenated (the same for outputs)."""

from __future__ import annotations

import numpy as np

from edgec.errors import DataError, UnsupportedOpError
from edgec.tflite.model import Tensor

_DTYPES = {"int8": np.int8, "uint8": np.uint8, "int16": np.int16, "int32": np.int32,
           "int64": np.int64, "float32": np.float32, "bool": np.bool_}


def dtype(tensor: Tensor) -> np.dtype:
    if tensor.type not in _DTYPES:
        raise UnsupportedOpError(f"the harness cannot pass {tensor.type} tensor '{tensor.name}' "
                                 f"in or out", hint=f"model inputs and outputs of types "
                                                    f"{', '.join(_DTYPES)} are supported")
    return np.dtype(_DTYPES[tensor.type])


def sample_bytes(tensors: list[Tensor]) -> int:
    return sum(dtype(t).itemsize * t.elements for t in tensors)


def pack(arrays: list[np.ndarray], tensors: list[Tensor]) -> np.ndarray:
    """One array per tensor (samples first, in the tensor's type) -> (samples, bytes) uint8 rows."""
    if len(arrays) != len(tensors):
        raise DataError(f"the model has {len(tensors)} input(s), {len(arrays)} array(s) given")
    count = len(arrays[0])
    rows = []
    for array, tensor in zip(arrays, tensors):
        array = np.asarray(array)
        if len(array) != count or array[0].size != tensor.elements:
            raise DataError(f"input '{tensor.name}' needs {count} samples of shape "
                            f"{tuple(tensor.shape[1:]) or tensor.shape}, got {array.shape}")
        if array.dtype != dtype(tensor):
            raise DataError(f"input '{tensor.name}' is {tensor.type}, got {array.dtype} data",
                            hint="quantize the data with the tensor's scale and zero point first")
        rows.append(np.ascontiguousarray(array).reshape(count, -1).view(np.uint8))
    return np.concatenate(rows, axis=1)


def unpack(rows: np.ndarray, tensors: list[Tensor]) -> list[np.ndarray]:
    """(samples, bytes) rows -> one array per tensor, shaped (samples, *tensor shape[1:])."""
    rows = np.ascontiguousarray(rows).view(np.uint8)
    arrays, at = [], 0
    for tensor in tensors:
        size = dtype(tensor).itemsize * tensor.elements
        chunk = np.ascontiguousarray(rows[:, at:at + size]).view(dtype(tensor))
        shape = tuple(tensor.shape[1:]) if len(tensor.shape) > 1 and tensor.shape[0] == 1 \
            else tuple(tensor.shape)
        arrays.append(chunk.reshape(len(rows), *shape))
        at += size
    return arrays
