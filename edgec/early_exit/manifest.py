"""OUT/manifest.json: what a staged early-exit model is made of, for runtimes to read.

Keys (a contract, as report.json's): `stages` (each with `file`, `threshold`, `macs`,
and `exit_layer`, `bytes`, `arena_bytes`, `cumulative_macs`), `confidence`, `full_macs`,
`expected_macs`, `exit_rates`, `accuracy_original`, `accuracy_staged`, and the facts
they were measured with. The last stage's threshold is null: it always ends the run.
"""

from __future__ import annotations

import json
from pathlib import Path

from edgec.errors import ModelError
from edgec.early_exit.thresholds import CONFIDENCES

MANIFEST_NAME = "manifest.json"
FORMAT = "edgec-early-exit"


def write_manifest(folder: Path, manifest: dict) -> None:
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")


def read_manifest(folder: Path) -> dict:
    """The manifest of an early-exit output folder, checked enough to run it."""
    path = Path(folder) / MANIFEST_NAME
    hint = "give the folder `edgec early-exit ... -o OUT` wrote"
    if not path.is_file():
        raise ModelError(f"{folder} holds no {MANIFEST_NAME}: not an early-exit model", hint=hint)
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path} cannot be read: {exc}", hint=hint)
    stages = manifest.get("stages") if isinstance(manifest, dict) else None
    if manifest.get("format") != FORMAT or not isinstance(stages, list) or not stages:
        raise ModelError(f"{path} is not an edgec early-exit manifest", hint=hint)
    if manifest.get("confidence") not in CONFIDENCES:
        raise ModelError(f"{path}: unknown confidence {manifest.get('confidence')!r}", hint=hint)
    for k, stage in enumerate(stages):
        file = stage.get("file") if isinstance(stage, dict) else None
        if not isinstance(file, str) or "/" in file or "\\" in file or file.startswith("."):
            raise ModelError(f"{path}: stage {k} has no plain file name", hint=hint)
        if not (Path(folder) / file).is_file():
            raise ModelError(f"{path}: stage file {file} is missing", hint=hint)
        threshold = stage.get("threshold")
        last = k == len(stages) - 1
        if (threshold is None) != last or (threshold is not None and
                                           not isinstance(threshold, (int, float))):
            raise ModelError(f"{path}: stage {k} threshold {threshold!r} is not valid "
                             "(a number, and null for the last stage)", hint=hint)
        if not isinstance(stage.get("macs"), int):
            raise ModelError(f"{path}: stage {k} has no MAC count", hint=hint)
    return manifest
