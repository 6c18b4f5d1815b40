"""The machines the emulator harnesses run on, as data (boards.toml).

A target profile names its core (``device.core``); the Cortex-M harness runs that core
on the QEMU board listed for it, the Cortex-A harness runs qemu-aarch64 with the CPU
model and a /proc/cpuinfo that match it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from edgec.errors import TargetError
from edgec.targets.profile import core_cflags
from edgec.units import parse_bytes

BOARDS_FILE = Path(__file__).with_name("boards.toml")


@dataclass(frozen=True)
class Region:
    origin: int
    size: int


@dataclass(frozen=True)
class CortexMBoard:
    """A qemu-system-arm machine that runs bare-metal code for one Cortex-M core."""

    name: str  # QEMU's machine name (-M)
    core: str  # edgec's core name (targets/cores.toml)
    qemu_cpu: str
    description: str
    cflags: tuple[str, ...]  # the core's (edgec/targets/cores.toml)
    flash: Region
    ram: Region
    sysclk_hz: int
    assumed_cpi: float


@dataclass(frozen=True)
class CortexACore:
    """A Cortex-A core as qemu-aarch64 models it, with what its /proc/cpuinfo says."""

    name: str
    qemu_cpu: str
    implementer: int
    variant: int
    part: int
    revision: int
    features: tuple[str, ...]

    @property
    def midr(self) -> int:
        """MIDR_EL1 (architecture field 0xF: the ID scheme of Armv8)."""
        return (self.implementer << 24) | (self.variant << 20) | (0xF << 16) | (self.part << 4) \
            | self.revision

    def cpuinfo(self, processors: int = 1) -> str:
        """/proc/cpuinfo as Linux on arm64 writes it for this core."""
        block = (f"BogoMIPS\t: 50.00\nFeatures\t: {' '.join(self.features)}\n"
                 f"CPU implementer\t: 0x{self.implementer:02x}\nCPU architecture: 8\n"
                 f"CPU variant\t: 0x{self.variant:x}\nCPU part\t: 0x{self.part:03x}\n"
                 f"CPU revision\t: {self.revision}\n\n")
        return "".join(f"processor\t: {i}\n{block}" for i in range(processors))


@lru_cache(maxsize=1)
def _data() -> dict:
    with open(BOARDS_FILE, "rb") as f:
        return tomllib.load(f)


def _region(d: dict) -> Region:
    return Region(origin=int(d["origin"]), size=parse_bytes(d["size"]))


@lru_cache(maxsize=1)
def cortex_m_boards() -> tuple[CortexMBoard, ...]:
    return tuple(
        CortexMBoard(name=name, core=d["core"], qemu_cpu=d["qemu_cpu"], description=d["description"],
                     cflags=core_cflags(d["core"]), flash=_region(d["flash"]), ram=_region(d["ram"]),
                     sysclk_hz=int(d["sysclk_hz"]), assumed_cpi=float(d["assumed_cpi"]))
        for name, d in _data()["cortex-m"].items())


@lru_cache(maxsize=1)
def cortex_a_cores() -> tuple[CortexACore, ...]:
    return tuple(
        CortexACore(name=name, qemu_cpu=d["qemu_cpu"], implementer=d["midr"]["implementer"],
                    variant=d["midr"]["variant"], part=d["midr"]["part"],
                    revision=d["midr"]["revision"], features=tuple(d["features"]))
        for name, d in _data()["cortex-a"].items())


def cortex_m_board(core: str) -> CortexMBoard:
    """The QEMU board for a Cortex-M core (a profile's device.core)."""
    for board in cortex_m_boards():
        if board.core == core:
            return board
    known = ", ".join(f"{b.core} ({b.name})" for b in cortex_m_boards())
    raise TargetError(f"no emulated board runs core '{core}'",
                      hint=f"the Cortex-M harness emulates: {known}")


def cortex_a_core(core: str) -> CortexACore:
    for c in cortex_a_cores():
        if c.name == core:
            return c
    known = ", ".join(c.name for c in cortex_a_cores())
    raise TargetError(f"the Cortex-A harness does not know core '{core}'",
                      hint=f"it emulates: {known}")
