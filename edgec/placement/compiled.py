"""Reading back what an accelerator's compiler (Vela, edgetpu_compiler) left on the CPU.

Both compilers replace the ops they map by custom ops and copy the others into their output
flatbuffer unchanged: an op of the original graph runs on the CPU exactly when an op with the
same opcode writing a tensor of the same name is still in the compiled graph.
"""

from __future__ import annotations

from edgec.tflite.model import Model, read_model


def cpu_ops(original: Model, compiled: bytes) -> set[int]:
    """Indices of the original ops that the compiled flatbuffer still runs as builtins."""
    graph, out = original.main, read_model(compiled).main
    left = {(op.opcode, out.tensors[o].name) for op in out.operators for o in op.outputs}
    return {op.index for op in graph.operators
            if any((op.opcode, graph.tensors[o].name) in left for o in op.outputs)}
