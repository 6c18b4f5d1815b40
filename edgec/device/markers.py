"""Profiling markers: where EDGEC_PROFILE_OP put them, and instructions between them.

edgec_markers.h makes each EDGEC_PROFILE_OP(index, "NAME") a `nop` and records its
address, index and name in the ELF section .edgec_markers. The harness programs wrap
every inference in the markers "edgec:invoke" and "edgec:return"; generated code adds
one per op (index >= 0) and "end" (index -1) after the last. The instruction counter
reports every marker hit; this module turns the hits into per-inference figures.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from edgec.device.elf import Elf
from edgec.device.plugin import Counts
from edgec.errors import InternalError

SECTION = ".edgec_markers"
INVOKE, RETURN = "edgec:invoke", "edgec:return"


@dataclass(frozen=True)
class Marker:
    address: int
    index: int
    name: str


@dataclass(frozen=True)
class OpInstructions:
    index: int
    op: str
    instructions: int

    def to_dict(self) -> dict:
        return {"index": self.index, "op": self.op, "instructions": self.instructions}


@dataclass(frozen=True)
class Inference:
    """One call of the model: its instructions, and those of each op inside it."""

    instructions: int
    per_op: tuple[OpInstructions, ...]

    @property
    def outside_ops(self) -> int:
        """Instructions not inside any op: the call, the prologue, the epilogue."""
        return self.instructions - sum(op.instructions for op in self.per_op)


def read_markers(elf: Elf) -> tuple[Marker, ...]:
    section = elf.section(SECTION)
    if section is None:
        return ()
    data, width = elf.contents(section), elf.bits // 8
    markers, at = [], 0
    while at + width + 4 <= len(data):
        address = int.from_bytes(data[at:at + width], "little")
        index, = struct.unpack_from("<i", data, at + width)
        end = data.find(b"\0", at + width + 4)
        if end < 0:
            raise InternalError(f"{elf.path}: truncated marker table")
        name = data[at + width + 4:end].decode("utf-8", errors="replace")
        if name:  # (zero padding between object files' tables has no name)
            markers.append(Marker(address & ~1, index, name))  # bit 0: Thumb state, not address
        at = (end + 1 + 7) // 8 * 8
    return tuple(markers)


def write_marks_file(markers: tuple[Marker, ...], path: Path) -> Path:
    """The plugin's marks=PATH file: one address per line; a marker's id is its line."""
    path.write_text("".join(f"{m.address:x}\n" for m in markers))
    return path


def inferences(counts: Counts, markers: tuple[Marker, ...]) -> list[Inference]:
    """Split the marker hits into inferences (invoke .. return), with per-op instructions."""
    found: list[Inference] = []
    span: list[tuple[Marker, int]] | None = None
    for marker_id, executed in counts.hits:
        if not 0 <= marker_id < len(markers):
            raise InternalError(f"instruction counter reported unknown marker {marker_id}")
        marker = markers[marker_id]
        if marker.name == INVOKE:
            span = [(marker, executed)]
        elif span is not None:
            span.append((marker, executed))
            if marker.name == RETURN:
                found.append(_inference(span))
                span = None
    return found


def _inference(span: list[tuple[Marker, int]]) -> Inference:
    per_index: dict[int, list] = {}
    for (marker, start), (_, stop) in zip(span, span[1:]):
        if marker.index >= 0:
            entry = per_index.setdefault(marker.index, [marker.name, 0])
            entry[1] += stop - start
    per_op = tuple(OpInstructions(i, name, n) for i, (name, n) in sorted(per_index.items()))
    return Inference(instructions=span[-1][1] - span[0][1], per_op=per_op)
