"""`edgec compare OUT_A OUT_B`: two builds side by side."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from edgec.cli.tables import table

HELP = """Compare two builds side by side: size, arena, flash, RAM, accuracy and, where
`edgec bench` ran, instructions per inference.

Example: edgec compare build/int8 build/pruned
"""


def _fmt(value, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "%":
        return f"{value:.2f} %"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def compare(
    a: Path = typer.Argument(..., metavar="OUT_A", help="First build's output folder (the baseline)."),
    b: Path = typer.Argument(..., metavar="OUT_B", help="Second build's output folder."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, not a table."),
) -> None:
    from edgec.compare import compare_builds

    result = compare_builds(a, b)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    rows = []
    for m in result["metrics"]:
        change = ""
        if "change" in m and m["unit"] == "%":
            change = f"{m['change']:+.2f} points"
        elif "change" in m:
            sign = "+" if m["change"] > 0 else ""
            change = f"{sign}{_fmt(m['change'], m['unit'])}"
            if m.get("ratio") is not None:
                change += f" (x{m['ratio']:.2f})"
        rows.append([m["metric"], _fmt(m["a"], m["unit"]), _fmt(m["b"], m["unit"]), change])
    typer.echo(f"A = {result['a']} ({result['targets'][0]}), B = {result['b']} ({result['targets'][1]})")
    typer.echo(table(["metric", "A", "B", "B - A"], rows, right={1, 2, 3}))
