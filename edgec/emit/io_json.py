"""model_io.json: the model's inputs and outputs for app code to check itself against.

An Android (or Linux) app feeds the .tflite through LiteRT's Interpreter; this file says what
it must feed and read back: each tensor's name, shape, dtype and quantization (scale and zero
point, real = scale * (q - zero_point)), in the order of the Interpreter's input and output
indices.
"""

from __future__ import annotations

import json

from edgec.tflite.model import Subgraph, Tensor

FILE_NAME = "model_io.json"
FORMAT_VERSION = 1


def _tensor(index: int, t: Tensor) -> dict:
    d = {"index": index, "name": t.name, "shape": list(t.shape), "dtype": t.type}
    q = t.quantization
    if q is not None:
        d["quantization"] = {"scale": [float(s) for s in q.scale],
                             "zero_point": [int(z) for z in q.zero_point]}
        if q.per_channel:
            d["quantization"]["axis"] = q.axis
    return d


def render(graph: Subgraph, model_file: str, target: str) -> str:
    data = {
        "format_version": FORMAT_VERSION, "model": model_file, "target": target,
        "inputs": [_tensor(i, graph.tensors[t]) for i, t in enumerate(graph.inputs)],
        "outputs": [_tensor(i, graph.tensors[t]) for i, t in enumerate(graph.outputs)],
    }
    return json.dumps(data, indent=2) + "\n"
