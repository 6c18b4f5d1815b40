"""A small FlatBuffers reader that checks every offset and length it follows.

Models come from anywhere; a corrupt or hostile .tflite must end in a clear
:class:`~edgec.errors.ModelError`, never in an IndexError, a hang or a huge
allocation. Every read goes through :meth:`FlatBuffer._need`, which checks the
range against the buffer. Offsets in FlatBuffers only point forward from the
place that holds them (uoffset is unsigned), so following them cannot loop.

Layout reminders (FlatBuffers binary format):
- the root is a uint32 offset at byte 0; a table starts with an int32 that,
  subtracted from the table's position, gives its vtable;
- a vtable is uint16 vtable size, uint16 table size, then one uint16 per field
  (0 = field absent), each relative to the table's start;
- vectors and strings start with a uint32 element count.
"""

from __future__ import annotations

import struct

import numpy as np

from edgec.errors import ModelError

_SCALAR = {
    "b": 1, "B": 1, "?": 1, "h": 2, "H": 2, "i": 4, "I": 4, "q": 8, "Q": 8, "f": 4, "d": 8,
}
_NUMPY = {
    "b": np.int8, "B": np.uint8, "?": np.bool_, "h": np.int16, "H": np.uint16, "i": np.int32,
    "I": np.uint32, "q": np.int64, "Q": np.uint64, "f": np.float32, "d": np.float64,
}


def malformed(what: str) -> ModelError:
    return ModelError(
        f"malformed .tflite flatbuffer: {what}",
        hint="the file is truncated or corrupt; re-export it from the converter",
    )


class FlatBuffer:
    """The bytes of one flatbuffer, with checked little-endian reads."""

    def __init__(self, data: bytes):
        self.data = bytes(data)
        self.size = len(self.data)

    def _need(self, pos: int, length: int, what: str) -> None:
        if pos < 0 or length < 0 or pos + length > self.size:
            raise malformed(f"{what} at byte {pos} (+{length}) lies outside the {self.size}-byte file")

    def scalar(self, pos: int, fmt: str, what: str = "value"):
        self._need(pos, _SCALAR[fmt], what)
        return struct.unpack_from("<" + fmt, self.data, pos)[0]

    def root(self, identifier: bytes | None = None) -> "Table":
        if self.size < 8:
            raise malformed(f"only {self.size} bytes, too short for a flatbuffer")
        if identifier is not None and self.data[4:8] != identifier:
            got = self.data[4:8]
            raise malformed(f"file identifier is {got!r}, expected {identifier!r}")
        return Table(self, self.scalar(0, "I", "root offset"), "root table")


class Table:
    """One table: fields are read by their index in the schema."""

    __slots__ = ("buf", "pos", "vtable", "vtable_size", "table_size", "what")

    def __init__(self, buf: FlatBuffer, pos: int, what: str):
        self.buf = buf
        self.pos = pos
        self.what = what
        buf._need(pos, 4, f"{what} start")
        self.vtable = pos - buf.scalar(pos, "i", f"{what} vtable offset")
        buf._need(self.vtable, 4, f"{what} vtable")
        self.vtable_size = buf.scalar(self.vtable, "H")
        self.table_size = buf.scalar(self.vtable + 2, "H")
        if self.vtable_size < 4 or self.vtable_size % 2:
            raise malformed(f"{what} has a vtable of {self.vtable_size} bytes")
        buf._need(self.vtable, self.vtable_size, f"{what} vtable")
        if self.table_size < 4:
            raise malformed(f"{what} declares {self.table_size} bytes")
        buf._need(pos, self.table_size, f"{what} body")

    def _field(self, index: int, size: int) -> int | None:
        slot = 4 + 2 * index
        if slot + 2 > self.vtable_size:
            return None
        offset = self.buf.scalar(self.vtable + slot, "H")
        if offset == 0:
            return None
        if offset + size > self.table_size:
            raise malformed(f"{self.what} field {index} overruns its table")
        return self.pos + offset

    def has(self, index: int) -> bool:
        return self._field(index, 1) is not None

    def scalar(self, index: int, fmt: str, default=0):
        pos = self._field(index, _SCALAR[fmt])
        return default if pos is None else self.buf.scalar(pos, fmt)

    def _target(self, index: int, what: str) -> int | None:
        pos = self._field(index, 4)
        if pos is None:
            return None
        return pos + self.buf.scalar(pos, "I", what)

    def table(self, index: int, what: str) -> "Table | None":
        target = self._target(index, what)
        return None if target is None else Table(self.buf, target, what)

    def _vector(self, index: int, elem_size: int, what: str) -> tuple[int, int] | None:
        start = self._target(index, what)
        if start is None:
            return None
        count = self.buf.scalar(start, "I", f"{what} length")
        self.buf._need(start + 4, count * elem_size, what)
        return start + 4, count

    def vector(self, index: int, fmt: str, what: str) -> np.ndarray:
        """A vector of scalars as a read-only numpy array (empty when absent)."""
        found = self._vector(index, _SCALAR[fmt], what)
        if found is None:
            return np.zeros(0, dtype=_NUMPY[fmt])
        start, count = found
        return np.frombuffer(self.buf.data, dtype=np.dtype(_NUMPY[fmt]).newbyteorder("<"),
                             count=count, offset=start)

    def raw_bytes(self, index: int, what: str) -> bytes:
        found = self._vector(index, 1, what)
        if found is None:
            return b""
        start, count = found
        return self.buf.data[start:start + count]

    def string(self, index: int, what: str) -> str:
        raw = self.raw_bytes(index, what)
        return raw.decode("utf-8", errors="replace")

    def tables(self, index: int, what: str) -> list["Table"]:
        found = self._vector(index, 4, what)
        if found is None:
            return []
        start, count = found
        out = []
        for i in range(count):
            slot = start + 4 * i
            out.append(Table(self.buf, slot + self.buf.scalar(slot, "I"), f"{what}[{i}]"))
        return out
