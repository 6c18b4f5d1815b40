"""How the page writes a number it shares with report.json / bench.json."""

from __future__ import annotations

from html import escape


def num(key: str, value, text: str | None = None) -> str:
    """A number the JSON also holds, tagged with its path there (a test checks they agree)."""
    shown = text if text is not None else (f"{value:,}" if isinstance(value, int) else f"{value}")
    return f'<span data-key="{escape(key)}" data-value="{escape(repr(value))}">{escape(shown)}</span>'
