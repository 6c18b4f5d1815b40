"""The host tools the harnesses call (cross compilers, QEMU) and edgec's cache folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable

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
        what: str, poll: Callable[[], None] | None = None) -> subprocess.CompletedProcess:
    """Run a tool, capturing its output. A timeout is an InternalError naming `what`.
    `poll`, when given, is called about four times a second while the tool runs."""
    cmd = [str(c) for c in cmd]
    if poll is None:
        try:
            return subprocess.run(cmd, cwd=cwd, timeout=timeout, text=True, capture_output=True,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise _timeout(what, timeout)
    deadline = None if timeout is None else time.monotonic() + timeout
    with subprocess.Popen(cmd, cwd=cwd, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, stdin=subprocess.DEVNULL) as proc:
        while True:
            try:
                out, err = proc.communicate(timeout=0.25)
                break
            except subprocess.TimeoutExpired:
                poll()
                if deadline is not None and time.monotonic() > deadline:
                    proc.kill()
                    proc.communicate()
                    raise _timeout(what, timeout)
    poll()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _timeout(what: str, timeout: float | None) -> InternalError:
    return InternalError(f"{what} did not finish within {timeout:g} s",
                         hint="a larger model needs a longer timeout (timeout=...); "
                              "an endless loop in generated code looks the same")


def tail(text: str, lines: int = 12) -> str:
    """The last lines of a tool's output, for an error message."""
    kept = [ln for ln in text.strip().splitlines() if ln.strip()]
    return "\n".join(kept[-lines:])
