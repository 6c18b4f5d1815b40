"""Static memory plan: an offset in one activation buffer for every tensor buffer.

Two buffers whose lifetimes meet may not share bytes, with one exception that the
kernels' access order makes safe: the output of a step may overlap an input whose
last use is that step, as long as the output starts at least `gap` bytes below the
input (see edgec.aot.access). Elementwise ops then run fully in place, a convolution's
output may start about one input row below its input, a fused residual writes over
its shortcut.

Placement: several deterministic greedy strategies (largest first at the lowest
offset; in execution order at the lowest offset; in execution order at the highest
offset under a cap, binary-searching the cap) and the smallest result is kept.
Every plan is checked by edgec.aot.verify before code is generated from it.
"""

from __future__ import annotations

from dataclasses import dataclass

ALIGN = 4  # bytes; offsets and sizes are multiples of it
BEAM_WIDTH = 64


def align_up(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


def align_down(n: int) -> int:
    return n // ALIGN * ALIGN


@dataclass(frozen=True)
class Item:
    id: int
    size: int  # aligned
    first: int
    last: int


@dataclass
class Plan:
    offsets: dict[int, int]
    peak: int
    strategy: str


class Problem:
    def __init__(self, items: list[Item], gaps: dict[tuple[int, int], int | None]):
        """gaps[(x, y)]: y may overlap x when offset_y <= offset_x - gap (None: anywhere)."""
        self.items = {i.id: i for i in items}
        self.gaps = gaps
        self.conflicts: dict[int, list[int]] = {i.id: [] for i in items}
        for a in items:
            for b in items:
                if a.id != b.id and a.first <= b.last and b.first <= a.last:
                    self.conflicts[a.id].append(b.id)

    def fits(self, item: Item, offset: int, placed: dict[int, int]) -> bool:
        for other in self.conflicts[item.id]:
            if other not in placed:
                continue
            o, osize = placed[other], self.items[other].size
            if offset + item.size <= o or o + osize <= offset:
                continue
            if (other, item.id) in self.gaps:  # item is the output over input `other`
                gap = self.gaps[(other, item.id)]
                if gap is None or offset <= o - gap:
                    continue
            if (item.id, other) in self.gaps:  # item is the input under output `other`
                gap = self.gaps[(item.id, other)]
                if gap is None or o <= offset - gap:
                    continue
            return False
        return True

    def candidates(self, item: Item, placed: dict[int, int], allow_negative: bool = False) -> set[int]:
        out = {0}
        for other in self.conflicts[item.id]:
            if other not in placed:
                continue
            o, osize = placed[other], self.items[other].size
            out.add(align_up(o + osize))
            out.add(align_down(o - item.size))
            if (other, item.id) in self.gaps:
                gap = self.gaps[(other, item.id)]
                out.add(align_down(o - (gap or 0)) if gap is not None else o)
            if (item.id, other) in self.gaps:
                gap = self.gaps[(item.id, other)]
                out.add(align_up(o + (gap or 0)) if gap is not None else o)
        return out if allow_negative else {c for c in out if c >= 0}

    def place(self, order: list[Item], highest_under: int | None = None) -> dict[int, int] | None:
        placed: dict[int, int] = {}
        for item in order:
            cands = self.candidates(item, placed)
            if highest_under is None:
                choice = next((c for c in sorted(cands) if self.fits(item, c, placed)), None)
            else:
                top = align_down(highest_under - item.size)
                cands = {c for c in cands | {top} if c <= top}
                choice = next((c for c in sorted(cands, reverse=True)
                               if self.fits(item, c, placed)), None)
            if choice is None:
                return None
            placed[item.id] = choice
        return placed


def beam_place(problem: Problem, width: int = BEAM_WIDTH) -> dict[int, int] | None:
    """Buffers in order of birth, each tried at every position next to the live buffers
    it meets (offsets may go negative: the plan is shifted to start at 0 afterwards);
    the `width` partial plans of least span survive each step. Unlike the greedy
    strategies it can put an input above its future output, which chains of
    convolutions need to overlap at every step."""
    order = sorted(problem.items.values(), key=lambda i: (i.first, -i.size, i.id))
    beam: list[tuple[int, int, int, dict[int, int]]] = [(0, 0, 0, {})]  # (span, low, high, offsets)
    for item in order:
        grown: dict[tuple, tuple[int, int, int, dict[int, int]]] = {}
        for span, low, high, placed in beam:
            live = {i: o for i, o in placed.items() if problem.items[i].last >= item.first}
            cands = problem.candidates(item, live, allow_negative=True) if live else {0}
            for c in sorted(cands):
                if not problem.fits(item, c, live):
                    continue
                lo, hi = (min(low, c), max(high, c + item.size)) if placed else (c, c + item.size)
                offsets = {**placed, item.id: c}
                key = tuple(sorted((i, o - lo) for i, o in offsets.items()
                                   if problem.items[i].last > item.first or i == item.id))
                cand = (hi - lo, lo, hi, offsets)
                if key not in grown or cand[0] < grown[key][0]:
                    grown[key] = cand
        if not grown:
            return None
        beam = sorted(grown.values(), key=lambda b: (b[0], sorted(b[3].items())))[:width]
    span, low, high, offsets = beam[0]
    return {i: o - low for i, o in offsets.items()}


def peak_of(items: dict[int, Item], offsets: dict[int, int]) -> int:
    return max((offsets[i] + items[i].size for i in offsets), default=0)


def plan(items: list[Item], gaps: dict[tuple[int, int], int | None]) -> Plan:
    """The smallest plan the strategies find."""
    problem = Problem(items, gaps)
    by_size = sorted(items, key=lambda i: (-i.size, i.first, i.id))
    by_time = sorted(items, key=lambda i: (i.first, -i.size, i.id))
    results = []
    for name, order in (("largest-first", by_size), ("execution-order", by_time)):
        offsets = problem.place(order)
        if offsets is not None:
            results.append(Plan(offsets, peak_of(problem.items, offsets), name))
    offsets = beam_place(problem)
    if offsets is not None:
        results.append(Plan(offsets, peak_of(problem.items, offsets), "beam"))
    best = min(results, key=lambda p: p.peak)
    low = max((i.size for i in items), default=0)
    high = best.peak
    while low < high:  # top-down in execution order under a cap; keep the least cap that works
        cap = align_up((low + high) // 2)
        if cap >= high:
            break
        offsets = problem.place(by_time, highest_under=cap)
        if offsets is None:
            low = cap + ALIGN
            continue
        found = Plan(offsets, peak_of(problem.items, offsets), "execution-order-top-down")
        if found.peak < best.peak:
            best = found
        high = min(cap, found.peak)
    return best
