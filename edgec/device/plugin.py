"""The instruction-counting QEMU plugin (csrc/insn_count.c): built once, then loaded with -plugin.

QEMU 7.2 from Debian loads TCG plugins but ships neither plugins nor their header, so
edgec compiles its own with the host gcc on first use and keeps the .so in its cache,
named by a hash of the source (a changed source builds a new one).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from edgec.device.toolchain import cache_dir, run, tail, tool
from edgec.errors import InternalError

SOURCE = Path(__file__).with_name("csrc") / "insn_count.c"


def plugin_library() -> Path:
    """Path of the compiled plugin, building it into the cache when missing."""
    source = SOURCE.read_bytes()
    digest = hashlib.sha256(source).hexdigest()[:16]
    target = cache_dir() / "qemu-plugins" / f"insn_count-{digest}.so"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".so", dir=target.parent)
    os.close(fd)
    try:
        done = run([tool("gcc"), "-O2", "-Wall", "-shared", "-fPIC", "-fvisibility=hidden",
                    "-o", tmp, str(SOURCE)], what="compiling the QEMU plugin")
        if done.returncode != 0:
            raise InternalError(f"the QEMU instruction-count plugin did not compile:\n{tail(done.stderr)}")
        os.replace(tmp, target)  # atomic: a concurrent build of the same source is harmless
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def plugin_option(counts: Path, marks: Path | None) -> list[str]:
    """QEMU's command-line option that loads the plugin (-plugin lib,out=...,marks=...)."""
    paths = [counts] + ([marks] if marks else [])
    if any("," in str(p) for p in paths):  # QEMU splits plugin arguments at commas
        raise InternalError(f"the harness's work folder has a comma in its path: {counts.parent}")
    arg = f"{plugin_library()},out={counts}" + (f",marks={marks}" if marks else "")
    return ["-plugin", arg]


@dataclass(frozen=True)
class Counts:
    """What the plugin wrote: each marker hit in order as (marker id, instructions so far)."""

    hits: tuple[tuple[int, int], ...]
    total: int


def read_counts(path: Path) -> Counts:
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        raise InternalError("the QEMU plugin wrote no instruction counts",
                            hint="QEMU may have been killed before it could exit")
    hits, total = [], None
    for line in lines:
        key, _, value = line.partition(" ")
        if key == "total":
            total = int(value)
        else:
            hits.append((int(key), int(value)))
    if total is None:
        raise InternalError("the QEMU plugin's instruction counts are incomplete (no total)")
    return Counts(tuple(hits), total)
