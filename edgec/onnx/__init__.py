"""ONNX input: reading the model, converting it with onnx2tf, and checking the conversion
against onnxruntime."""
