"""Drawing progress (fine-tuning epochs) on stderr.

Library code reports progress as `edgec` log records carrying a `progress` dict (task,
done, total, text, final). On a terminal the handler redraws one bar in place; in a log
file or CI (not a terminal) it writes one line per finished epoch, so logs stay short.
"""

from __future__ import annotations

import logging

WIDTH = 24


def render(progress: dict) -> str:
    done, total = float(progress["done"]), max(1, int(progress["total"]))
    filled = min(WIDTH, int(round(WIDTH * done / total)))
    bar = "#" * filled + "-" * (WIDTH - filled)
    return (f"  {progress['task']} [{bar}] {min(int(done), total)}/{total} epochs  "
            f"{progress.get('text', '')}").rstrip()


class ProgressHandler(logging.StreamHandler):
    """A StreamHandler that draws progress records as a bar."""

    def __init__(self, stream=None):
        super().__init__(stream)
        self._drawn = 0  # length of the bar left on the current terminal line, if any

    def _end_bar(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self._drawn = 0

    def emit(self, record: logging.LogRecord) -> None:
        progress = getattr(record, "progress", None)
        if progress is None:
            self._end_bar()
            super().emit(record)
            return
        try:
            line = render(progress)
            if self.stream.isatty():
                self.stream.write("\r" + line.ljust(self._drawn))
                self._drawn = len(line)
            elif progress.get("final"):
                self.stream.write(line + "\n")
            self.flush()
        except Exception:  # never let drawing break a build
            self.handleError(record)
