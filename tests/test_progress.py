"""Progress bars show for a person at a terminal and stay silent in pipes and with --quiet."""

from __future__ import annotations

import logging
import os
import pty

from edgec import progress


def test_silent_when_stderr_is_not_a_terminal(capsys):
    logging.getLogger("edgec").setLevel(logging.INFO)
    with progress.Progress(3, "work") as bar:
        for _ in range(3):
            bar.advance()
    assert capsys.readouterr().err == ""


def test_drawn_on_a_terminal_and_silenced_by_quiet(monkeypatch):
    master, slave = pty.openpty()
    saved = os.dup(2)
    os.dup2(slave, 2)
    try:
        logger = logging.getLogger("edgec")
        for level, expect in ((logging.INFO, True), (logging.WARNING, False)):
            logger.setLevel(level)
            with progress.Progress(2, "work") as bar:
                bar.advance()
                bar.advance()
            os.write(2, b"|")
            text = ""
            while not text.endswith("|"):  # a pty may hand the bytes over in pieces
                text += os.read(master, 4096).decode()
            assert ("work [" in text) is expect, text
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(slave)
        os.close(master)
        logging.getLogger("edgec").setLevel(logging.WARNING)
