"""Just enough of ELF (32- and 64-bit, little-endian) to read section sizes and contents.

The harness reads its own linker output: the sizes behind flash and RAM, and the
profiling marker table (.edgec_markers).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from edgec.errors import InternalError

SHT_NOBITS = 8
SHF_WRITE = 0x1
SHF_ALLOC = 0x2


@dataclass(frozen=True)
class Section:
    name: str
    type: int
    flags: int
    address: int
    offset: int
    size: int

    @property
    def allocated(self) -> bool:
        return bool(self.flags & SHF_ALLOC)

    @property
    def writable(self) -> bool:
        return bool(self.flags & SHF_WRITE)

    @property
    def loaded(self) -> bool:
        """Has bytes in the image (not .bss-like)."""
        return self.allocated and self.type != SHT_NOBITS


class Elf:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.data = self.path.read_bytes()
        d = self.data
        if len(d) < 52 or d[:4] != b"\x7fELF" or d[5] != 1:
            raise InternalError(f"{self.path} is not a little-endian ELF file")
        self.bits = {1: 32, 2: 64}.get(d[4])
        if self.bits is None:
            raise InternalError(f"{self.path}: unknown ELF class {d[4]}")
        if self.bits == 32:
            shoff, = struct.unpack_from("<I", d, 0x20)
            shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 0x2E)
        else:
            shoff, = struct.unpack_from("<Q", d, 0x28)
            shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 0x3A)
        raw = [self._header(shoff + i * shentsize) for i in range(shnum)]
        if not 0 <= shstrndx < len(raw):
            raise InternalError(f"{self.path}: bad section name table index")
        names = raw[shstrndx]
        self.sections = tuple(
            Section(self._cstring(names[4] + h[0]), h[1], h[2], h[3], h[4], h[5]) for h in raw)

    def _header(self, at: int) -> tuple[int, ...]:
        fmt = "<IIIIII" if self.bits == 32 else "<IIQQQQ"
        if at + struct.calcsize(fmt) > len(self.data):
            raise InternalError(f"{self.path}: section header out of bounds")
        name, type_, flags, addr, offset, size = struct.unpack_from(fmt, self.data, at)
        return name, type_, flags, addr, offset, size

    def _cstring(self, at: int) -> str:
        end = self.data.find(b"\0", at)
        if at >= len(self.data) or end < 0:
            raise InternalError(f"{self.path}: string out of bounds")
        return self.data[at:end].decode("utf-8", errors="replace")

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def contents(self, section: Section) -> bytes:
        if section.type == SHT_NOBITS:
            return b""
        if section.offset + section.size > len(self.data):
            raise InternalError(f"{self.path}: section {section.name} out of bounds")
        return self.data[section.offset:section.offset + section.size]
