"""From the op list to a schedule: kernels, the buffers they share, fusion and order.

- RESHAPE becomes an alias: its output is a new view of its input's bytes, no kernel.
- A residual ADD whose one input comes from a convolution or fully connected op used
  nowhere else is folded into that op (`Kernel.residual`): the op adds the shortcut
  element by element as it writes, so its own output never needs a buffer, and the
  sum may land in place over the shortcut.
- The execution order is chosen, among the orders the graph allows, to minimise the
  peak of live activation bytes (a search over sets of executed ops, exhaustive for
  the small graphs microcontrollers run, beam-limited beyond that).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from edgec.aot.lower import FUSABLE, Kernel, lower
from edgec.errors import UnsupportedOpError
from edgec.tflite.model import Subgraph

BEAM = 4096  # states kept per search layer


@dataclass
class Buffer:
    id: int
    tensors: list[int]
    size: int  # bytes
    graph_input: bool = False
    graph_output: bool = False


@dataclass
class Schedule:
    kernels: list[Kernel]  # in execution order
    buffers: dict[int, Buffer]
    buffer_of: dict[int, int]  # activation tensor -> buffer id
    peak_bytes: int  # the order's peak of live bytes (no overlap between tensors)

    def reads(self, kernel: Kernel) -> list[int]:
        """Activation tensors the kernel reads (its inputs, then a fused shortcut)."""
        tensors = [t for t in kernel.inputs if t in self.buffer_of]
        if kernel.residual is not None:
            tensors.append(kernel.residual["shortcut"])
        return tensors

    def lifetimes(self) -> dict[int, tuple[int, int]]:
        """Buffer -> (first step, last step) it is live: graph inputs from -1 (copied in
        before the first kernel), graph outputs to len(kernels) (copied out after)."""
        n = len(self.kernels)
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        for b in self.buffers.values():
            if b.graph_input:
                first[b.id] = -1
            if b.graph_output:
                last[b.id] = n
        for step, k in enumerate(self.kernels):
            out = self.buffer_of[k.output]
            first.setdefault(out, step)
            for t in self.reads(k):
                b = self.buffer_of[t]
                last[b] = max(last.get(b, step), step)
        return {b: (first.get(b, 0), max(last.get(b, first.get(b, 0)), first.get(b, 0)))
                for b in self.buffers}


def _activations(graph: Subgraph) -> set[int]:
    used = {i for op in graph.operators for i in (*op.inputs, *op.outputs) if i >= 0}
    used |= set(graph.inputs) | set(graph.outputs)
    return {i for i in used if not graph.tensors[i].is_constant}


def build(graph: Subgraph, fuse: bool = True) -> Schedule:
    """Lower every op, alias RESHAPEs, fuse residual ADDs (when `fuse`) and order."""
    activations = _activations(graph)
    parent = {t: t for t in activations}

    def root(t: int) -> int:
        while parent[t] != t:
            t = parent[t]
        return t

    kernels = []
    for op in graph.operators:
        if op.opcode == "RESHAPE":
            src, dst = op.inputs[0], op.outputs[0]
            if src not in activations or graph.tensors[src].nbytes != graph.tensors[dst].nbytes:
                raise UnsupportedOpError(
                    f"op RESHAPE at index {op.index} cannot be compiled ahead of time: it "
                    "reshapes a constant or changes the byte size",
                    hint="build with the default runtime (--runtime tflm)")
            parent[root(dst)] = root(src)
            continue
        kernels.append(lower(op, graph))
    groups: dict[int, list[int]] = {}
    for t in sorted(activations):
        groups.setdefault(root(t), []).append(t)
    buffers, buffer_of = {}, {}
    for bid, (_, tensors) in enumerate(sorted(groups.items())):
        buffers[bid] = Buffer(bid, tensors, max(graph.tensors[t].nbytes for t in tensors),
                              graph_input=any(t in graph.inputs for t in tensors),
                              graph_output=any(t in graph.outputs for t in tensors))
        for t in tensors:
            buffer_of[t] = bid
    schedule = Schedule(kernels, buffers, buffer_of, 0)
    if fuse:
        _fuse_residuals(schedule, graph)
    schedule.kernels, schedule.peak_bytes = best_order(schedule)
    _drop_unused(schedule)
    return schedule


def _drop_unused(schedule: Schedule) -> None:
    """Buffers no kernel touches any more (a fused op's former output) are removed."""
    used = {schedule.buffer_of[t] for k in schedule.kernels for t in (*schedule.reads(k), k.output)}
    used |= {b.id for b in schedule.buffers.values() if b.graph_input or b.graph_output}
    for bid in [b for b in schedule.buffers if b not in used]:
        for t in schedule.buffers.pop(bid).tensors:
            del schedule.buffer_of[t]


def _producers(schedule: Schedule) -> dict[int, Kernel]:
    return {schedule.buffer_of[k.output]: k for k in schedule.kernels}


def _ancestors(schedule: Schedule, kernel: Kernel) -> set[int]:
    """Op indices of every kernel the given one depends on, directly or not."""
    producers = _producers(schedule)
    seen: set[int] = set()
    todo = [kernel]
    while todo:
        k = todo.pop()
        for t in schedule.reads(k):
            p = producers.get(schedule.buffer_of[t])
            if p is not None and p.index not in seen:
                seen.add(p.index)
                todo.append(p)
    return seen


def _fuse_options(schedule: Schedule, graph: Subgraph, add: Kernel) -> list[tuple[Kernel, int]]:
    """(producer, shortcut tensor) pairs that may absorb this ADD."""
    if add.opcode != "ADD" or not add.flat:
        return []
    producers = _producers(schedule)
    options = []
    for mine, other in ((0, 1), (1, 0)):
        a, s = add.inputs[mine], add.inputs[other]
        if a not in schedule.buffer_of or s not in schedule.buffer_of:
            continue
        ab, sb = schedule.buffer_of[a], schedule.buffer_of[s]
        p = producers.get(ab)
        if p is None or ab == sb or p.opcode not in FUSABLE or p.residual is not None:
            continue
        if schedule.buffers[ab].graph_output or schedule.buffers[sb].graph_output:
            continue
        if [k.index for k in schedule.kernels if ab in map(schedule.buffer_of.get, schedule.reads(k))] \
                != [add.index]:
            continue
        before = _ancestors(schedule, p) | {p.index}
        others = [k.index for k in schedule.kernels if k is not add
                  and sb in map(schedule.buffer_of.get, schedule.reads(k))]
        if all(i in before for i in others):
            options.append((p, s))
    return options


def _fuse_residuals(schedule: Schedule, graph: Subgraph) -> None:
    """Fold each residual ADD into a producer when that lowers the peak (or keeps it)."""
    for add in [k for k in schedule.kernels if k.opcode == "ADD"]:
        best = None
        for producer, shortcut in _fuse_options(schedule, graph, add):
            trial = _fused(schedule, add, producer, shortcut)
            peak = best_order(trial)[1]
            if best is None or peak < best[0]:
                best = (peak, trial)
        if best is not None:
            schedule.kernels = best[1].kernels


def _fused(schedule: Schedule, add: Kernel, producer: Kernel, shortcut: int) -> Schedule:
    fused = replace(producer, output=add.output, fused=[*producer.fused, add.index],
                    residual={"shortcut": shortcut, "add": add.params,
                              "op_is_input1": int(add.inputs[0] != shortcut)})
    kernels = [fused if k is producer else k for k in schedule.kernels if k is not add]
    return Schedule(kernels, schedule.buffers, schedule.buffer_of, 0)


def best_order(schedule: Schedule) -> tuple[list[Kernel], int]:
    """The topological order with the least peak of live bytes, and that peak."""
    kernels = schedule.kernels
    n = len(kernels)
    bof = schedule.buffer_of
    size = {b.id: b.size for b in schedule.buffers.values()}
    keep = {b.id for b in schedule.buffers.values() if b.graph_output}
    out_buf = [bof[k.output] for k in kernels]
    producer = {b: i for i, b in enumerate(out_buf)}
    reads = [sorted({bof[t] for t in schedule.reads(k)}) for k in kernels]
    deps = [sum(1 << producer[b] for b in r if b in producer) for r in reads]
    consumers: dict[int, int] = {}
    for i, r in enumerate(reads):
        for b in r:
            consumers[b] = consumers.get(b, 0) | (1 << i)
    start = sum(size[b.id] for b in schedule.buffers.values() if b.graph_input)
    layer = {0: (start, start, None, None)}  # state -> (peak, live, previous state, node)
    history = []
    for _ in range(n):
        nxt: dict[int, tuple] = {}
        for state, (peak, live, _, _) in layer.items():
            for i in range(n):
                if state >> i & 1 or deps[i] & ~state:
                    continue
                new = state | (1 << i)
                during = live + size[out_buf[i]]
                after = during
                for b in {*reads[i], out_buf[i]}:
                    if b not in keep and not consumers.get(b, 0) & ~new:
                        after -= size[b]
                cand = (max(peak, during), after, state, i)
                if new not in nxt or cand[:2] < nxt[new][:2]:
                    nxt[new] = cand
        if len(nxt) > BEAM:
            nxt = dict(sorted(nxt.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[0]))[:BEAM])
        history.append(layer)
        layer = nxt
    final_state, (peak, _, _, _) = next(iter(layer.items())) if layer else (0, (start, 0, None, None))
    order = []
    state, entry = final_state, layer.get(final_state)
    for past in reversed(history):
        if entry is None or entry[3] is None:
            break
        order.append(kernels[entry[3]])
        state = entry[2]
        entry = past.get(state)
    order.reverse()
    return order, peak
