"""Generated docs match what the code says (they are generated, so they cannot drift)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


REGENERATE = "regenerate with `.venv/bin/python scripts/gen_docs.py`"


def generator():
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    return gen


def test_targets_doc_is_current():
    gen = generator()
    assert gen.TARGETS_MD.read_text() == gen.render(), f"docs/targets.md is stale: {REGENERATE}"


def test_a_cli_page_per_command_is_current():
    gen = generator()
    pages = gen.render_cli()
    assert {"edgec.md", "build.md", "compare.md", "targets-list.md", "targets-show.md"} <= set(pages)
    on_disk = {p.name: p.read_text() for p in gen.CLI_DIR.glob("*.md")}
    assert on_disk == pages, f"docs/cli/ is stale: {REGENERATE}"
