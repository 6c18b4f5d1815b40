"""Two builds side by side: the numbers people check before and after an optimisation."""

from __future__ import annotations

import json
from pathlib import Path

from edgec.errors import DataError

#: (name, path in report.json or bench.json, unit, lower is better)
METRICS = (
    ("params", "report.model.params", "", True),
    ("model bytes", "report.model_bytes", "B", True),
    ("arena bytes", "report.arena_bytes", "B", True),
    ("flash bytes", "report.flash_bytes", "B", True),
    ("RAM bytes", "report.ram_bytes", "B", True),
    ("accuracy float", "report.validation.accuracy_float", "%", False),
    ("accuracy quantized", "report.validation.accuracy_quantized", "%", False),
    ("top-1 agreement", "report.validation.top1_agreement", "%", False),
    ("AOT activation bytes", "report.aot.activation_bytes", "B", True),
    ("instructions / inference", "bench.instructions_per_inference", "", True),
    ("device flash bytes", "bench.flash_bytes", "B", True),
    ("device RAM bytes", "bench.ram_bytes", "B", True),
)


def _read(folder: Path, name: str, required: bool) -> dict | None:
    path = Path(folder) / name
    if not path.exists():
        if required:
            raise DataError(f"{folder} holds no {name}",
                            hint="give two output folders of `edgec build` (or `edgec bench`)")
        return None
    try:
        return json.loads(path.read_text())
    except (ValueError, OSError) as exc:
        raise DataError(f"{path} cannot be read: {exc}", hint="rebuild that folder")


def _get(data: dict, path: str):
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data if isinstance(data, (int, float)) and not isinstance(data, bool) else None


def compare_builds(a: str | Path, b: str | Path) -> dict:
    """Metrics of build folders a and b (each with report.json, optionally bench.json)."""
    sides = []
    for folder in (a, b):
        report = _read(folder, "report.json", required=False)
        bench = _read(folder, "bench.json", required=False)
        if report is None and bench is None:
            raise DataError(f"{folder} holds no report.json or bench.json",
                            hint="give two output folders of `edgec build` (or `edgec bench`)")
        sides.append({"report": report or {}, "bench": bench or {}})
    rows = []
    for name, path, unit, lower_better in METRICS:
        va, vb = (_get(side, path) for side in sides)
        if va is None and vb is None:
            continue
        row = {"metric": name, "a": va, "b": vb, "unit": unit, "lower_is_better": lower_better}
        if va is not None and vb is not None:
            row["change"] = vb - va
            row["ratio"] = (vb / va) if va else None
        rows.append(row)
    targets = [side["report"].get("target") or side["bench"].get("target") for side in sides]
    return {"a": str(a), "b": str(b), "targets": targets, "metrics": rows}
