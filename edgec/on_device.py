"""`edgec.bench(...)`: a model built ahead of time for a Cortex-M target and run under QEMU.

The model goes through the build (`edgec.builder`, `--runtime aot`: the same passes,
budgets and files as `edgec build`) into a staging folder; the generated C is then
compiled for the profile's core, run on its emulated board (edgec.device) on the
validation inputs (or seeded random ones) and checked bit for bit against TensorFlow
Lite Micro. OUT receives the build's files, bench.json and a report.html with the bench
figures, all at once; a model over the target's budgets (or past --max-accuracy-drop)
stops before the emulator starts (BudgetError or AccuracyError, the build's outputs
written for inspection, no bench.json).
"""

from __future__ import annotations

from pathlib import Path

from edgec.accuracy import guard_failure
from edgec.builder import prepare, run_build
from edgec.device.bench import BENCH_NAME, bench_c_model, write_bench
from edgec.device.boards import CortexMBoard, cortex_m_board
from edgec.errors import DataError, TargetError
from edgec.outputs import HTML_REPORT_NAME, REPORT_NAME, OutputStage
from edgec.passes.budgets import breach_error
from edgec.progress import Progress
from edgec.targets import Profile, load_target

#: Where `edgec bench` runs a model.
DEVICES = ("qemu",)
#: The C name the harness calls (edgec_model_invoke).
C_NAME = "edgec_model"
#: report.json's `aot` figures bench.json repeats, for the comparison with what ran.
AOT_KEYS = ("kernel_set", "core", "activation_bytes", "scratch_bytes", "stack_bytes",
            "flash_bytes", "ram_bytes")


def emulated_board(profile: Profile) -> CortexMBoard:
    """The QEMU board that runs a target's core; TargetError for targets edgec cannot run."""
    if profile.runtime.kind != "tflm":
        raise TargetError(f"edgec bench runs microcontroller targets on an emulated Cortex-M; "
                          f"{profile.id} runs {profile.runtime.name}",
                          hint="pick a microcontroller target (`edgec targets list`)")
    return cortex_m_board(profile.device.core)


def bench(model: str | Path, *, out: str | Path, target: str | None = None,
          target_file: str | Path | None = None, device: str = "qemu", samples: int = 8,
          seed: int = 0, kernels: str = "auto", timeout: float = 600.0, **build_options) -> dict:
    """Build `model` ahead of time for the target, run it under QEMU, return bench.json's figures.

    samples: how many inputs run on the board: the first of `validation` (a build option,
    as for `edgec build`), else that many seeded random int8 inputs. Other keyword
    arguments are build options (calibration, synthetic_calibration, input_shape, ...).
    Raises BudgetError before the emulator starts when the model does not fit, TargetError
    for a target without an emulated board.
    """
    if device not in DEVICES:
        raise TargetError(f"unknown device '{device}'", hint=f"edgec bench runs on: {', '.join(DEVICES)}")
    if samples < 1:
        raise DataError("--samples must be at least 1", hint="8 samples take a few seconds")
    for key in ("runtime", "c_name"):
        if key in build_options:
            raise TypeError(f"bench sets the build option '{key}' itself")
    board = emulated_board(load_target(target, target_file))
    prepared = prepare(model, out=out, target=target, target_file=target_file, seed=seed,
                       kernels=kernels, runtime="aot", c_name=C_NAME, **build_options)
    profile = prepared.profile
    with OutputStage(prepared.options.out) as stage:
        ctx = run_build(prepared, stage.path)
        report = ctx.report
        error = guard_failure(report) or breach_error(report.budgets, profile.id)
        if error is not None:
            stage.commit()
            if "written for inspection" not in error.hint:
                error.hint += "; the build's outputs were written for inspection"
            error.hint += "; nothing was run on the emulator"
            error.report = report
            raise error
        folder = stage.path
        inputs = None if ctx.validation is None else [ctx.validation.x[:samples]]
        count = samples if inputs is None else len(inputs[0])
        sources = sorted(str(p) for p in folder.glob("edgec_*.c"))
        with Progress(count, f"{board.name} ({board.core})", " samples") as bar:
            result = bench_c_model((folder / "model.tflite").read_bytes(), sources, profile,
                                   inputs=inputs, samples=samples, seed=seed,
                                   include_dirs=[folder], timeout=timeout,
                                   progress=lambda done: bar.advance(done - bar.done))
        result = {"model": str(model), **result,
                  "inputs": "validation" if inputs is not None else f"random (seed {seed})",
                  "aot": {k: report.aot[k] for k in AOT_KEYS}}
        write_bench(result, folder)
        _write_reports(report, result, folder)
        stage.commit()
    return result


def _write_reports(report, result: dict, folder: Path) -> None:
    """report.json lists bench.json among the outputs (so a later build into OUT removes it);
    report.html shows the bench figures beside the build's."""
    from edgec.html_report import render

    report.outputs.append(BENCH_NAME)
    (folder / HTML_REPORT_NAME).write_text(render(report.to_dict(), bench=result))
    (folder / REPORT_NAME).write_text(report.to_json())


__all__ = ["DEVICES", "bench", "emulated_board"]
