"""Plain-text tables for the terminal (no colour codes: CI logs read them too)."""

from __future__ import annotations


def table(headers: list[str], rows: list[list[object]], right: set[int] = frozenset()) -> str:
    """Columns padded to their widest cell; columns in `right` are right-aligned."""
    cells = [[str(c) for c in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(row, widths))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule] + [line(r) for r in cells[1:]])
