"""A real ONNX model, built with onnx's helper API (no PyTorch), and its data in NCHW."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest


def tiny_cnn_onnx(path: Path, seed: int = 0) -> None:
    """Conv 3->8 (3x3, pad 1) + ReLU, then two outputs: 'logits' (global average pool +
    Gemm 8->4) and 'features' (the NCHW feature map). Batch, height and width are dynamic."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    weights = {
        "conv_w": rng.normal(0, 0.4, (8, 3, 3, 3)), "conv_b": rng.normal(0, 0.1, 8),
        "fc_w": rng.normal(0, 0.5, (4, 8)), "fc_b": rng.normal(0, 0.1, 4),
    }
    nodes = [
        helper.make_node("Conv", ["x", "conv_w", "conv_b"], ["conv"], kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["conv"], ["features"]),
        helper.make_node("GlobalAveragePool", ["features"], ["pooled"]),
        helper.make_node("Flatten", ["pooled"], ["flat"]),
        helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"], transB=1),
    ]
    graph = helper.make_graph(
        nodes, "tiny_cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 4]),
         helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 8, "H", "W"])],
        [numpy_helper.from_array(v.astype(np.float32), k) for k, v in weights.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def onnxruntime_outputs(path: Path, x: np.ndarray) -> list[np.ndarray]:
    """The ONNX model's own outputs, straight from onnxruntime (not through edgec)."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x.astype(np.float32)})


@dataclass(frozen=True)
class OnnxExample:
    model: Path
    calibration: Path  # NCHW, unlabelled
    validation: Path  # NCHW, labelled with the float model's own predictions
    x_val: np.ndarray
    y_val: np.ndarray


@pytest.fixture(scope="session")
def onnx_example(tmp_path_factory) -> OnnxExample:
    root = tmp_path_factory.mktemp("onnx")
    tiny_cnn_onnx(root / "tiny_cnn.onnx")
    rng = np.random.default_rng(1)
    x_cal = rng.uniform(0, 1, (64, 3, 12, 12)).astype(np.float32)
    x_val = rng.uniform(0, 1, (48, 3, 12, 12)).astype(np.float32)
    y_val = onnxruntime_outputs(root / "tiny_cnn.onnx", x_val)[0].argmax(axis=1)
    np.savez(root / "calibration.npz", x=x_cal)
    np.savez(root / "validation.npz", x=x_val, y=y_val)
    return OnnxExample(root / "tiny_cnn.onnx", root / "calibration.npz", root / "validation.npz",
                       x_val, y_val)
