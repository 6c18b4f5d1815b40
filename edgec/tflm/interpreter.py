"""TensorFlow Lite Micro's own interpreter, for measuring the arena and running validation.

The arena is read from TFLM's RecordingMicroAllocator ("Arena allocation total N
bytes"), which it prints from C++ to fd 2; a bisection over arena_size agrees with it.
"""

from __future__ import annotations

import re

import numpy as np

from edgec.errors import InternalError, UnsupportedOpError
from edgec.native_stderr import capture_native_stderr
from edgec.progress import Progress
from edgec.tflite.model import Model, read_model
from edgec.tflite.quantize_io import from_tensor, to_tensor

_ARENA_TOTAL = re.compile(r"Arena allocation total (\d+) bytes")
_MISSING_OP = re.compile(r"Didn't find op for builtin opcode '([^']+)'")
_MAX_ARENA = 512 * 1024 * 1024


def _explain(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return "; ".join(lines[-3:]) if lines else "no message"


class MicroRunner:
    """One TFLM interpreter over a flatbuffer, with an arena grown until the model fits."""

    def __init__(self, tflite: bytes, model: Model | None = None):
        from tflite_micro import runtime

        self.tflite = bytes(tflite)
        self.model = model or read_model(self.tflite)
        graph = self.model.main
        self.inputs = [graph.tensors[i] for i in graph.inputs]
        self.outputs = [graph.tensors[i] for i in graph.outputs]
        arena = max(64 * 1024, 4 * len(self.tflite))
        while True:
            with capture_native_stderr() as log:
                try:
                    interp = runtime.Interpreter.from_bytes(self.tflite, arena_size=arena)
                    self._invoke_zeros(interp)
                except RuntimeError:
                    interp = None
            if interp is not None:
                self._interp = interp
                return
            missing = _MISSING_OP.search(log.text)
            if missing:
                raise UnsupportedOpError(
                    f"TFLite Micro has no kernel for {missing.group(1)}",
                    hint="see `edgec targets show <target>` for the ops it runs")
            if "Failed to resize buffer" in log.text and arena < _MAX_ARENA:
                arena *= 4
                continue
            raise UnsupportedOpError(
                f"TFLite Micro could not prepare the model: {_explain(log.text)}",
                hint="an op or type combination its kernels reject; see the op table in the report")

    def _invoke_zeros(self, interp) -> None:
        for i, t in enumerate(self.inputs):
            interp.set_input(np.zeros(t.shape, dtype=_numpy_type(t.type)), i)
        interp.invoke()

    def arena_bytes(self) -> int:
        """The arena TFLM actually allocated (head + tail), after one invocation."""
        with capture_native_stderr() as log:
            self._interp.print_allocations()
        found = _ARENA_TOTAL.search(log.text)
        if not found:
            raise InternalError(f"TFLite Micro did not report its arena: {_explain(log.text)}")
        return int(found.group(1))

    def run(self, samples: list[np.ndarray], label: str = "tflite-micro") -> list[np.ndarray]:
        """Run float samples (one array per model input, batch first) and return float outputs,
        in the source model's output order (Model.output_order).

        Inputs are quantized with the input tensors' parameters and outputs dequantized.
        """
        n = len(samples[0])
        results = [np.zeros((n, *t.shape[1:]), dtype=np.float32) for t in self.outputs]
        with Progress(n, label, " samples") as bar, capture_native_stderr() as log:
            try:
                for s in range(n):
                    bar.advance()
                    for i, t in enumerate(self.inputs):
                        self._interp.set_input(to_tensor(samples[i][s:s + 1], t), i)
                    self._interp.invoke()
                    for o, t in enumerate(self.outputs):
                        results[o][s] = from_tensor(self._interp.get_output(o), t)[0]
            except RuntimeError as exc:
                raise InternalError(f"TFLite Micro failed while running: {exc}; {_explain(log.text)}")
        return [results[i] for i in self.model.output_order()]

    def run_raw(self, quantized: list[np.ndarray]) -> list[np.ndarray]:
        """Run inputs already in the tensors' types (one sample each); outputs as stored."""
        for i, x in enumerate(quantized):
            self._interp.set_input(x, i)
        with capture_native_stderr():
            self._interp.invoke()
        return [np.array(self._interp.get_output(o)) for o in range(len(self.outputs))]


def _numpy_type(name: str):
    return {"int8": np.int8, "uint8": np.uint8, "int16": np.int16, "int32": np.int32,
            "float32": np.float32, "bool": np.bool_, "int64": np.int64}.get(name, np.float32)


def measure_arena(tflite: bytes) -> int:
    return MicroRunner(tflite).arena_bytes()
