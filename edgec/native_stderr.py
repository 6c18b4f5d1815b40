"""Capture what native libraries (TensorFlow, TFLite Micro) write straight to file descriptor 2.

Their C++ code logs with fprintf/absl, below Python's sys.stderr, so contextlib's
redirect_stderr cannot catch it. edgec keeps that noise off the user's terminal
and uses the text when it explains a failure (e.g. TFLite Micro naming an op).
"""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager


class Captured:
    text: str = ""


@contextmanager
def capture_native_stderr():
    """Redirect fd 2 into a temporary file for the duration; yields a Captured holding the text."""
    captured = Captured()
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield captured
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            captured.text = sink.read().decode("utf-8", errors="replace")
