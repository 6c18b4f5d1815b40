"""Running Coral's edgetpu_compiler when it is on PATH, and reading its log.

The compiler is x86-64 Linux only and comes from Coral's apt repository, not from a registry
edgec can pin: edgec never installs it. Its log has a table like

    Operator                       Count      Status
    CONV_2D                        11         Mapped to Edge TPU
    RESIZE_NEAREST_NEIGHBOR        1          Operation version not supported
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from edgec.errors import ConversionError

COMPILER = "edgetpu_compiler"
TIMEOUT_SECONDS = 600
_VERSION = re.compile(r"Edge TPU Compiler version (\S+)")
_ROW = re.compile(r"^([A-Z][A-Z0-9_]*)\s+(\d+)\s+(\S.*?)\s*$")


@dataclass
class CompilerRun:
    version: str | None
    log: str
    table: list[dict] = field(default_factory=list)  # {operator, count, status}
    compiled: bytes | None = None


def find_compiler() -> str | None:
    return shutil.which(COMPILER)


def parse_log(text: str) -> tuple[str | None, list[dict]]:
    """(compiler version, rows of its Operator | Count | Status table)."""
    version = _VERSION.search(text)
    rows, in_table = [], False
    for line in text.splitlines():
        if line.split()[:3] == ["Operator", "Count", "Status"]:
            in_table = True
            continue
        match = _ROW.match(line.strip()) if in_table else None
        if match:
            rows.append({"operator": match.group(1), "count": int(match.group(2)),
                         "status": match.group(3)})
    return (version.group(1) if version else None), rows


def compile_model(tflite: bytes, compiler: str) -> CompilerRun:
    """Compile with `edgetpu_compiler -s`; raises ConversionError when it fails."""
    with tempfile.TemporaryDirectory(prefix="edgec-edgetpu-") as tmp:
        src = Path(tmp) / "model.tflite"
        src.write_bytes(tflite)
        try:
            done = subprocess.run([compiler, "-s", "-o", tmp, str(src)], capture_output=True,
                                  text=True, timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise ConversionError(f"{COMPILER} did not finish in {TIMEOUT_SECONDS} s",
                                  hint="rerun with --debug; try the compiler by hand on model.tflite")
        log = done.stdout + done.stderr
        out = Path(tmp) / "model_edgetpu.tflite"
        if done.returncode != 0 or not out.exists():
            last = [ln for ln in log.splitlines() if ln.strip()][-1:] or ["no output"]
            raise ConversionError(f"{COMPILER} failed (exit {done.returncode}): {last[0]}",
                                  hint=f"run `{COMPILER} -s model.tflite` by hand for its full log")
        version, table = parse_log(log)
        return CompilerRun(version=version, log=log, table=table, compiled=out.read_bytes())
