"""Cutting one converted flatbuffer into stage flatbuffers.

The model with its exit heads is converted to INT8 once, as one graph with several
outputs (the exits' logits, then the model's own output), so every tensor is calibrated
once. This module cuts that graph into stages: stage k holds the backbone ops between cut
k-1 and cut k plus exit k's head, takes the tensor at cut k-1 and returns exit k's logits
and the tensor at cut k; the last stage returns the model's output. The tensor at a cut
keeps its one set of quantization parameters on both sides, so the next stage takes the
previous one's int8 output as it is, with no requantization.

The flatbuffer is read and written with the object API of the TFLite schema that ships
with tflite-micro; each stage keeps only the tensors, buffers and operator codes it uses.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from edgec.errors import InternalError
from edgec.tflite.costs import op_costs
from edgec.tflite.model import read_model

_OUTPUT_NAME = re.compile(r"output_(\d+)$")


def _schema():
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated

    return schema_py_generated


@dataclass(frozen=True)
class Parts:
    """The ops of a converted multi-output graph, grouped: backbone segments and heads."""

    segments: tuple[frozenset[int], ...]  # backbone ops up to cut 0, cut 0..1, ..., last..end
    heads: tuple[frozenset[int], ...]  # exit k's head ops
    cuts: tuple[int, ...]  # tensor index of cut k
    exits: tuple[int, ...]  # tensor index of exit k's logits
    final: int  # tensor index of the model's output
    segment_macs: tuple[int, ...]
    head_macs: tuple[int, ...]


class StagedGraph:
    """A converted flatbuffer whose signature outputs are [exit 0, ..., exit n-1, final]."""

    def __init__(self, tflite: bytes):
        self.tflite = bytes(tflite)
        self.model = _schema().ModelT.InitFromPackedBuf(self.tflite, 0)
        if not self.model.subgraphs or len(self.model.subgraphs) != 1:
            raise InternalError("the converted early-exit model does not have exactly one subgraph")
        self.graph = self.model.subgraphs[0]
        self.producer = {int(t): i for i, op in enumerate(self.graph.operators)
                         for t in op.outputs}
        self.macs = [c.macs for c in op_costs(read_model(self.tflite))]

    def outputs(self) -> list[int]:
        """Output tensors in the order the Keras model listed them (from the signature)."""
        signatures = self.model.signatureDefs or []
        if len(signatures) != 1:
            raise InternalError("the converted early-exit model has no single signature")
        named = {}
        for out in signatures[0].outputs:
            match = _OUTPUT_NAME.search(out.name.decode() if isinstance(out.name, bytes) else out.name)
            if match is None:
                raise InternalError(f"unexpected output name in the converted model: {out.name!r}")
            named[int(match.group(1))] = int(out.tensorIndex)
        return [named[i] for i in sorted(named)]

    def ancestors(self, tensor: int, stop: frozenset[int] = frozenset()) -> frozenset[int]:
        """The ops that `tensor` depends on, not looking past the tensors in `stop`."""
        seen: set[int] = set()
        stack = [tensor]
        while stack:
            t = stack.pop()
            if t in stop or t not in self.producer:
                continue
            op = self.producer[t]
            if op not in seen:
                seen.add(op)
                stack.extend(int(i) for i in self.graph.operators[op].inputs if i >= 0)
        return frozenset(seen)

    def parts(self) -> Parts:
        """Backbone segments between the cuts, and each exit's head, as sets of op indices."""
        *exits, final = self.outputs()
        backbone = self.ancestors(final)
        heads, cuts = [], []
        for k, exit_tensor in enumerate(exits):
            head = self.ancestors(exit_tensor) - backbone
            feeds = {int(i) for op in head for i in self.graph.operators[op].inputs
                     if i >= 0 and (self.producer.get(int(i)) in backbone
                                    or int(i) in self.graph.inputs)}
            if len(feeds) != 1:
                raise InternalError(f"exit {k}'s head reads {len(feeds)} backbone tensors in the "
                                    "converted model, not one")
            heads.append(frozenset(head))
            cuts.append(feeds.pop())
        segments, done = [], frozenset()
        for cut in [*cuts, final]:
            ops = self.ancestors(cut) - done
            segments.append(ops)
            done |= ops
        if done != backbone:
            raise InternalError("the cuts do not split the converted backbone cleanly")
        return Parts(
            segments=tuple(segments), heads=tuple(heads), cuts=tuple(cuts), exits=tuple(exits),
            final=final, segment_macs=tuple(sum(self.macs[o] for o in s) for s in segments),
            head_macs=tuple(sum(self.macs[o] for o in h) for h in heads))

    def stages(self, parts: Parts, enabled: list[int]) -> list[bytes]:
        """Stage flatbuffers with exits at the cuts listed in `enabled` (indices into
        parts.cuts, ascending); the backbone segments between them are merged."""
        stages, ops, carried = [], set(), self.graph.inputs[0]
        for k, segment in enumerate(parts.segments[:-1]):
            ops |= segment
            if k in enabled:
                stages.append(self.extract(carried, ops | parts.heads[k],
                                           [parts.exits[k], parts.cuts[k]]))
                ops, carried = set(), parts.cuts[k]
        stages.append(self.extract(carried, ops | parts.segments[-1], [parts.final]))
        return stages

    def extract(self, input_tensor: int, op_ids: set[int], outputs: list[int]) -> bytes:
        """A standalone flatbuffer of the ops `op_ids` (kept in execution order), reading
        `input_tensor` and returning `outputs`."""
        schema, source, graph = _schema(), self.model, self.graph
        ops = [graph.operators[i] for i in sorted(op_ids)]
        produced = {int(t) for op in ops for t in op.outputs}
        for op in ops:
            for i in op.inputs:
                i = int(i)
                if i >= 0 and i != input_tensor and i not in produced and not self._constant(i):
                    raise InternalError(f"stage reads tensor {i} from outside the stage")
        used = sorted({input_tensor, *outputs}
                      | {int(t) for op in ops for t in (*op.inputs, *op.outputs) if t >= 0})
        tensor_map = {t: n for n, t in enumerate(used)}
        codes = sorted({op.opcodeIndex for op in ops})
        code_map = {c: n for n, c in enumerate(codes)}

        model = schema.ModelT()
        model.version = source.version
        model.description = source.description
        model.operatorCodes = [source.operatorCodes[c] for c in codes]
        model.buffers = [schema.BufferT()]  # buffer 0: the empty buffer every schema keeps
        for meta in source.metadata or []:
            copied = copy.copy(meta)
            model.buffers.append(source.buffers[meta.buffer])
            copied.buffer = len(model.buffers) - 1
            model.metadata = (model.metadata or []) + [copied]
        sub = schema.SubGraphT()
        sub.name = graph.name
        sub.tensors = []
        for t in used:
            tensor = copy.copy(graph.tensors[t])
            if self._constant(t):
                model.buffers.append(source.buffers[tensor.buffer])
                tensor.buffer = len(model.buffers) - 1
            else:
                tensor.buffer = 0
            sub.tensors.append(tensor)
        sub.operators = []
        for op in ops:
            new = copy.copy(op)
            new.inputs = [tensor_map[int(i)] if i >= 0 else -1 for i in op.inputs]
            new.outputs = [tensor_map[int(i)] for i in op.outputs]
            new.opcodeIndex = code_map[op.opcodeIndex]
            sub.operators.append(new)
        sub.inputs = [tensor_map[input_tensor]]
        sub.outputs = [tensor_map[t] for t in outputs]
        model.subgraphs = [sub]

        import flatbuffers

        builder = flatbuffers.Builder(len(self.tflite))
        builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
        return bytes(builder.Output())

    def _constant(self, tensor: int) -> bool:
        buffer = self.model.buffers[self.graph.tensors[tensor].buffer]
        return buffer.data is not None and len(buffer.data) > 0
