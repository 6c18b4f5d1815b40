"""Progress bars for long work, on stderr, only for a person watching.

A bar shows when stderr is a terminal and the "edgec" logger is at INFO or more verbose
(the CLI's --quiet raises it to WARNING). In CI logs and pipes it stays silent, so
output that scripts read is never interleaved with redraws.
"""

from __future__ import annotations

import logging
import os
import time

log = logging.getLogger("edgec")


def enabled() -> bool:
    return log.isEnabledFor(logging.INFO) and os.isatty(2)


class Progress:
    """``with Progress(total, "validate") as bar: ... bar.advance()``"""

    width = 28

    def __init__(self, total: int, label: str, unit: str = ""):
        self.total, self.label, self.unit = max(total, 1), label, unit
        self.done = 0
        self.show = enabled()
        # our own handle on the terminal: native-output capture may redirect fd 2 meanwhile
        self.stream = os.fdopen(os.dup(2), "w") if self.show else None
        self._last = 0.0
        self._start = time.monotonic()

    def __enter__(self) -> "Progress":
        return self

    def advance(self, steps: int = 1, note: str = "") -> None:
        self.done = min(self.done + steps, self.total)
        now = time.monotonic()
        if self.show and (now - self._last > 0.1 or self.done == self.total):
            self._last = now
            filled = int(self.width * self.done / self.total)
            bar = "#" * filled + "." * (self.width - filled)
            self.stream.write(f"\r  {self.label} [{bar}] {self.done}/{self.total}{self.unit}"
                              f" {now - self._start:5.1f}s {note}\x1b[K")
            self.stream.flush()

    def __exit__(self, *exc) -> None:
        if self.stream is not None:
            self.stream.write("\r\x1b[K")
            self.stream.close()
            self.stream = None


def keras_callback(label: str, epochs: int):
    """A tf_keras callback that advances one Progress per epoch (loss in the note)."""
    from edgec.tf_runtime import keras

    class _EpochProgress(keras().callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.bar = Progress(epochs, label, " epochs").__enter__()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            note = " ".join(f"{k} {v:.4g}" for k, v in logs.items() if k in ("loss", "val_loss",
                                                                              "accuracy", "val_accuracy"))
            self.bar.advance(note=note)

        def on_train_end(self, logs=None):
            self.bar.__exit__(None, None, None)

    return _EpochProgress()
