"""Early exits: classifier heads part-way through a model, so easy inputs stop early.

`build_early_exit` attaches, trains and calibrates the heads and writes staged INT8
flatbuffers with OUT/manifest.json (the `early-exit` pass of edgec.passes does the work);
`run_early_exit` runs such a folder stage by stage in TensorFlow Lite Micro.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edgec.early_exit.runtime import RunResult, StagedModel

DEFAULT_TARGET = "stm32"


def build_early_exit(model: str | Path, *, train: str | Path, validation: str | Path,
                     exits: str = "auto", out: str | Path = "build", **options):
    """`edgec early-exit`: returns the report (also OUT/report.json). `options` are the other
    fields of edgec.builder.BuildOptions; calibration data defaults to the training data and
    the target to stm32."""
    from edgec.builder import build

    if options.get("calibration") is None:
        options["calibration"] = train
    if options.get("target") is None and options.get("target_file") is None:
        options["target"] = DEFAULT_TARGET
    return build(model, early_exit=exits, train=train, validation=validation, out=out, **options)


@dataclass(frozen=True)
class EarlyExitRun:
    result: RunResult
    labels: np.ndarray | None
    full_macs: int
    source: str
    stage_files: tuple[str, ...]

    @property
    def accuracy(self) -> float | None:
        if self.labels is None:
            return None
        return 100.0 * float(np.mean(self.result.predictions == self.labels))

    def save(self, path: str | Path) -> None:
        """predictions, exits, scores, confidences and macs as a .npz, written atomically."""
        import os
        import tempfile

        from edgec.errors import OutputError

        path = Path(path)
        if path.suffix != ".npz":
            raise OutputError(f"--save {path}: the file name must end in .npz",
                              hint=f"e.g. --save {path.with_suffix('.npz').name}")
        r = self.result
        try:
            fd, tmp = tempfile.mkstemp(suffix=".npz", prefix=f".{path.stem}.", dir=path.resolve().parent)
            with os.fdopen(fd, "wb") as f:
                np.savez(f, predictions=r.predictions, exits=r.exits, scores=r.scores,
                         confidences=r.confidences, macs=r.macs)
            os.replace(tmp, path)
        except OSError as exc:
            raise OutputError(f"{path} cannot be written: {exc.strerror or exc}",
                              hint="choose a folder you can write to with --save")


def run_early_exit(folder: str | Path, data: str | Path | np.ndarray) -> EarlyExitRun:
    """Run inputs (a data file or folder as `edgec build` takes, or an array) through the
    staged model in `folder`, stopping at the first confident exit."""
    from edgec.calibration import load_dataset
    from edgec.early_exit.manifest import read_manifest

    manifest = read_manifest(Path(folder))
    staged = StagedModel.load(folder)
    if isinstance(data, np.ndarray):
        x, labels, source = data.astype(np.float32), None, "array"
        if tuple(x.shape[1:]) != staged.input_shape:
            from edgec.errors import DataError

            raise DataError(f"inputs have shape {tuple(x.shape)}, the model takes "
                            f"(N, {', '.join(map(str, staged.input_shape))})",
                            hint="the first axis counts samples")
    else:
        dataset = load_dataset(data, staged.input_shape, manifest.get("image_scale", "unit"),
                               "input")
        x, labels, source = dataset.x, dataset.y, dataset.source
    return EarlyExitRun(result=staged.run(x), labels=labels, full_macs=int(manifest["full_macs"]),
                        source=source, stage_files=tuple(s["file"] for s in manifest["stages"]))


__all__ = ["EarlyExitRun", "RunResult", "StagedModel", "build_early_exit", "run_early_exit"]
