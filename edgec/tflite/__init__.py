"""Reading .tflite flatbuffers (bounds-checked) for analysis, target checks and code generation."""

from edgec.tflite.model import Model, Operator, Quantization, Subgraph, Tensor, read_model

__all__ = ["Model", "Operator", "Quantization", "Subgraph", "Tensor", "read_model"]
