"""The host tools the harnesses call (cross compilers, QEMU) and edgec's cache folder."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from edgec.errors import InternalError, TargetError

#: Executable -> the Debian package that installs it (scripts/apt-packages.txt lists them).
PACKAGES = {
    "gcc": "gcc",
    "arm-none-eabi-gcc": "gcc-arm-none-eabi",
    "qemu-system-arm": "qemu-system-arm",
    "aarch64-linux-gnu-gcc": "gcc-aarch64-linux-gnu",
    "qemu-aarch64": "qemu-user",
}


def tool(name: str) -> str:
    """Absolute path of a host tool, or a TargetError naming the package that has it."""
    path = shutil.which(name)
    if path is None:
        package = PACKAGES.get(name, name)
        raise TargetError(f"{name} is not installed; the emulator harness needs it",
                          hint=f"install Debian's {package} (scripts/setup.sh does, as root)")
    return path


def cache_dir() -> Path:
    """edgec's cache: $EDGEC_CACHE_DIR, else $XDG_CACHE_HOME/edgec, else ~/.cache/edgec."""
    if os.environ.get("EDGEC_CACHE_DIR"):
        root = Path(os.environ["EDGEC_CACHE_DIR"])
    else:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "edgec"
    root.mkdir(parents=True, exist_ok=True)
    return root


def run(cmd: list[str], *, cwd: Path | None = None, timeout: float | None = None,
        what: str) -> subprocess.CompletedProcess:
    """Run a tool, capturing its output. A timeout is an InternalError naming `what`."""
    try:
        return subprocess.run([str(c) for c in cmd], cwd=cwd, timeout=timeout, text=True,
                              capture_output=True, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise InternalError(f"{what} did not finish within {timeout:g} s",
                            hint="a larger model needs a longer timeout (timeout=...); "
                                 "an endless loop in generated code looks the same")


def tail(text: str, lines: int = 12) -> str:
    """The last lines of a tool's output, for an error message."""
    kept = [ln for ln in text.strip().splitlines() if ln.strip()]
    return "\n".join(kept[-lines:])
