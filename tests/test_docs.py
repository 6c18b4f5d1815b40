"""Generated docs match what the code says (they are generated, so they cannot drift)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_targets_doc_is_current():
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert gen.TARGETS_MD.read_text() == gen.render(), \
        "docs/targets.md is stale: regenerate it with `.venv/bin/python scripts/gen_docs.py`"
