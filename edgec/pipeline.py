"""The pass driver: runs a build's named passes in order, times them, checks the
artifact between them and records each in the report.

A pass is a plain function ``(artifact, ctx) -> artifact``. It may fill in the
report (through ctx) and write files into ctx.stage (the build's temporary output
folder); it never prints or exits.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from edgec.artifact import Artifact
from edgec.calibration.dataset import Dataset
from edgec.errors import EdgecError, InternalError, ModelError
from edgec.models.float_model import FloatModel
from edgec.report import PassRecord, Report
from edgec.targets.profile import Profile

log = logging.getLogger("edgec")


@dataclass
class BuildContext:
    """What passes of one build share: the target, the options, the data, the report."""

    profile: Profile
    options: object  # edgec.builder.BuildOptions (frozen)
    report: Report
    stage: Path  # temporary output folder, moved into place when the build completes
    # the float model as loaded, to validate against: a FloatModel, or for ONNX the model in
    # onnxruntime (anything with predict(x) -> outputs and a `runtime` name); None for .tflite
    reference: FloatModel | None = None
    calibration: Dataset | None = None
    validation: Dataset | None = None
    measured: dict = field(default_factory=dict)  # per-pass measurements (arena, accuracy)
    train: Dataset | None = None  # training data for fine-tuning (--train)
    memo: dict = field(default_factory=dict)  # values computed once per build, e.g. reference outputs


PassFn = Callable[[Artifact, BuildContext], Artifact]


@dataclass(frozen=True)
class Pass:
    name: str
    run: PassFn
    description: str = ""


def verify(artifact: Artifact, after: str) -> None:
    """Health check between passes: a flatbuffer, when there is one, must parse."""
    if artifact.tflite is not None:
        try:
            artifact.graph  # noqa: B018 - parses and caches
        except ModelError as exc:
            raise InternalError(f"pass '{after}' produced a broken flatbuffer: {exc.message}")


def run_passes(passes: list[Pass], artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Run `passes` in order. Each pass's record holds the model as it stands after it:
    a measurement (arena, accuracy) stays on the records that follow until a pass changes
    the model it was made on (also across calls that continue the same report)."""
    last = ctx.report.passes[-1] if ctx.report.passes else None
    state = {} if last is None else {"arena_bytes": last.arena_bytes, "accuracy": last.accuracy}
    models = (artifact.float_model, artifact.tflite)
    for p in passes:
        log.info("%s ...", p.name)
        ctx.measured.clear()
        start = time.perf_counter()
        try:
            artifact = p.run(artifact, ctx)
        except EdgecError:
            raise
        except (KeyboardInterrupt, MemoryError):
            raise
        except Exception as exc:
            raise InternalError(f"pass '{p.name}' failed unexpectedly: {type(exc).__name__}: {exc}",
                                hint="rerun with --debug for the traceback, and report it") from exc
        seconds = time.perf_counter() - start
        verify(artifact, p.name)
        if artifact.float_model is not models[0] or artifact.tflite is not models[1]:
            models, state = (artifact.float_model, artifact.tflite), {}
        state.update({k: v for k, v in ctx.measured.items() if k in ("arena_bytes", "accuracy")})
        ctx.report.passes.append(PassRecord(
            name=p.name, seconds=round(seconds, 3), params=artifact.params,
            model_bytes=artifact.model_bytes, arena_bytes=state.get("arena_bytes"),
            accuracy=state.get("accuracy"),
        ))
        log.debug("%s took %.2f s", p.name, seconds)
    return artifact
