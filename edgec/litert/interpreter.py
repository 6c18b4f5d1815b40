"""LiteRT's own interpreter (ai-edge-litert), for validation, the activation arena and the ops
LiteRT's XNNPACK delegate takes.

The arena is read from where LiteRT placed the tensors: after allocate_tensors() every tensor
that is not a constant of the flatbuffer (kernel scratch such as im2col buffers included) lives
in the interpreter's arenas, so the extent of their addresses is the memory the arena planner
used. Constants stay in the flatbuffer, which LiteRT maps from the file.
"""

from __future__ import annotations

import numpy as np

from edgec.errors import InternalError, UnsupportedOpError
from edgec.native_stderr import capture_native_stderr
from edgec.tflite.model import Model, read_model
from edgec.tflite.quantize_io import from_tensor, to_tensor


def _explain(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("INFO")]
    return "; ".join(lines[-3:]) if lines else "no message"


class LiteRTRunner:
    """One LiteRT interpreter over a flatbuffer: builtin kernels only, or with XNNPACK."""

    def __init__(self, tflite: bytes, model: Model | None = None, xnnpack: bool = False):
        from ai_edge_litert.interpreter import Interpreter, OpResolverType

        self.tflite = bytes(tflite)
        self.model = model or read_model(self.tflite)
        graph = self.model.main
        self.inputs = [graph.tensors[i] for i in graph.inputs]
        self.outputs = [graph.tensors[i] for i in graph.outputs]
        resolver = OpResolverType.AUTO if xnnpack else \
            OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
        with capture_native_stderr() as log:
            try:
                self._interp = Interpreter(model_content=self.tflite, num_threads=1,
                                           experimental_op_resolver_type=resolver)
                self._interp.allocate_tensors()
            except (RuntimeError, ValueError) as exc:
                error = exc
            else:
                error = None
        if error is not None:
            raise UnsupportedOpError(
                f"LiteRT could not prepare the model: {_explain(str(error) + chr(10) + log.text)}",
                hint="an op or type combination its kernels reject; see the op table in the report")

    def arena_bytes(self) -> int:
        """Bytes of the interpreter's arenas that hold the model's non-constant tensors.

        Tensors are grouped by address into allocations (a planner never leaves a gap larger
        than all the tensors together inside one arena); the sum of the groups' extents is
        the memory the arena planner asked for.
        """
        graph = self.model.main
        spans = []
        for detail in self._interp.get_tensor_details():
            index = detail["index"]
            if index < len(graph.tensors) and graph.tensors[index].is_constant:
                continue
            try:
                view = self._interp.tensor(index)()
            except ValueError:  # no data: an unused optional tensor
                continue
            if view.nbytes:
                spans.append((view.ctypes.data, view.ctypes.data + view.nbytes))
        if not spans:
            return 0
        spans.sort()
        total_tensor_bytes = sum(end - start for start, end in spans)
        arena, (group_start, group_end) = 0, spans[0]
        for start, end in spans[1:]:
            if start - group_end > total_tensor_bytes:  # another allocation
                arena += group_end - group_start
                group_start, group_end = start, end
            else:
                group_end = max(group_end, end)
        return arena + group_end - group_start

    def run(self, samples: list[np.ndarray]) -> list[np.ndarray]:
        """Run float samples (one array per model input, batch first); float outputs back, in
        the source model's output order (Model.output_order), as MicroRunner.run does.

        Inputs are quantized with the input tensors' parameters and outputs dequantized.
        """
        n = len(samples[0])
        results = [np.zeros((n, *t.shape[1:]), dtype=np.float32) for t in self.outputs]
        details_in = self._interp.get_input_details()
        details_out = self._interp.get_output_details()
        with capture_native_stderr() as log:
            try:
                for s in range(n):
                    for i, t in enumerate(self.inputs):
                        self._interp.set_tensor(details_in[i]["index"],
                                                to_tensor(samples[i][s:s + 1], t))
                    self._interp.invoke()
                    for o, t in enumerate(self.outputs):
                        results[o][s] = from_tensor(
                            self._interp.get_tensor(details_out[o]["index"]), t)[0]
            except (RuntimeError, ValueError) as exc:
                raise InternalError(f"LiteRT failed while running: {exc}; {_explain(log.text)}")
        return [results[i] for i in self.model.output_order()]

    def run_raw(self, samples: list[np.ndarray]) -> list[np.ndarray]:
        """Run inputs already in the tensors' types (one array per input, batch first);
        outputs as stored, batch first, in the graph's order."""
        details_in = self._interp.get_input_details()
        details_out = self._interp.get_output_details()
        count = len(samples[0])
        results = [np.zeros((count, *d["shape"][1:]), dtype=d["dtype"]) for d in details_out]
        with capture_native_stderr():
            for s in range(count):
                for detail, array in zip(details_in, samples):
                    self._interp.set_tensor(detail["index"],
                                            np.asarray(array[s:s + 1]).reshape(detail["shape"]))
                self._interp.invoke()
                for o, detail in enumerate(details_out):
                    results[o][s] = self._interp.get_tensor(detail["index"])[0]
        return results

    def delegated_ops(self) -> dict[int, int]:
        """Op index -> number of the delegate partition that took it (ops it left are absent).

        A delegate replaces each partition by one DELEGATE node whose inputs and outputs are
        the partition's boundary tensors; the ops of the partition are the producers reached
        from its outputs without crossing its inputs. (The nodes come from the interpreter's
        _get_ops_details(), not a public API: checked by the tests on the pinned version.)
        """
        graph = self.model.main
        producer = {t: op.index for op in graph.operators for t in op.outputs}
        ops = self._interp._get_ops_details()
        taken: dict[int, int] = {}
        partition = 0
        for node in ops[len(graph.operators):]:
            if node["op_name"] != "DELEGATE":
                continue
            boundary = {int(t) for t in node["inputs"]}
            stack = [int(t) for t in node["outputs"]]
            while stack:
                tensor = stack.pop()
                op_index = producer.get(tensor)
                if tensor in boundary or op_index is None or op_index in taken:
                    continue
                taken[op_index] = partition
                stack.extend(i for i in graph.operators[op_index].inputs if i >= 0)
            partition += 1
        return taken
