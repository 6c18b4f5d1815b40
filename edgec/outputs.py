"""Atomic build outputs.

A build writes into a hidden staging folder beside OUT and, only once everything is
written, moves each file into OUT with os.replace (atomic on one filesystem). A build
that fails or is interrupted leaves OUT as it was. Files that the previous build in
OUT wrote (listed in its report.json) but this one does not are removed, so OUT
never mixes two builds. OUT may hold other files (an app's assets folder): those are
left alone. Missing parent folders of OUT are created. A lock file serialises builds into
the same OUT.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from pathlib import Path

from edgec.errors import OutputError

REPORT_NAME = "report.json"
HTML_REPORT_NAME = "report.html"


class OutputStage:
    def __init__(self, out: str | Path):
        self.out = Path(out)
        if self.out.exists() and not self.out.is_dir():
            raise OutputError(f"output {self.out} exists and is not a folder",
                              hint="choose another -o/--out, or remove the file")
        parent = self.out.resolve().parent
        try:
            parent.mkdir(parents=True, exist_ok=True)  # as `mkdir -p` would: -o build/digits
        except OSError as exc:
            raise _unwritable(self.out, exc)
        if not os.access(parent, os.W_OK) or (self.out.exists() and not os.access(self.out, os.W_OK)):
            raise _unwritable(self.out, PermissionError(13, "permission denied"))
        self._parent = parent
        self._lock_file = None
        self.path: Path | None = None

    def __enter__(self) -> "OutputStage":
        lock_path = self._parent / f".{self.out.name}.edgec-lock"
        try:
            self._lock_file = open(lock_path, "a")
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self.path = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.edgec-tmp-",
                                              dir=self._parent))
        except BlockingIOError:
            self._release()
            raise OutputError(f"another edgec build is writing to {self.out}",
                              hint="wait for it to finish, or build into another folder")
        except OSError as exc:
            self._release()
            raise _unwritable(self.out, exc)
        return self

    def _release(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()  # closing drops the flock
            self._lock_file = None

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.path is not None and self.path.exists():
            shutil.rmtree(self.path, ignore_errors=True)
        self._release()

    def commit(self) -> None:
        """Move every staged file into OUT, then drop what the previous build left."""
        try:
            self._move_into_place()
        except OSError as exc:
            raise _unwritable(self.out, exc)

    def _move_into_place(self) -> None:
        previous = _previous_outputs(self.out)
        self.out.mkdir(exist_ok=True)
        new = []
        for src in sorted(self.path.rglob("*")):
            if src.is_file():
                rel = src.relative_to(self.path)
                (self.out / rel).parent.mkdir(parents=True, exist_ok=True)
                new.append(str(rel))
        # report.json last: it is what says the folder holds a complete build
        for rel in sorted(new, key=lambda r: r == REPORT_NAME):
            os.replace(self.path / rel, self.out / rel)
        for rel in previous - set(new):
            stale = self.out / rel
            if stale.is_file() and stale.resolve().is_relative_to(self.out.resolve()):
                stale.unlink()


def _unwritable(out: Path, exc: OSError) -> OutputError:
    return OutputError(f"output {out} cannot be written: {exc.strerror or exc}",
                       hint="choose a folder you can write to (and with free space) with -o/--out")


def _previous_outputs(out: Path) -> set[str]:
    try:
        listed = json.loads((out / REPORT_NAME).read_text()).get("outputs", [])
    except (OSError, ValueError, AttributeError):
        return set()
    return {str(p) for p in listed if isinstance(p, str)} | {REPORT_NAME}
