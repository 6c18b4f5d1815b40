"""`edgec build`: model in, flatbuffer + C array + report out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from edgec.cli import optimize_options as opt
from edgec.cli.options import input_shape_option, parse_shape
from edgec.cli.summary import build_summary
from edgec.errors import AccuracyError, BudgetError
from edgec.units import parse_bytes

HELP = """Build a trained model for a target: INT8 post-training quantization, op and budget
checks, placement on the target's accelerator, memory measurement (TFLite Micro, Vela or
LiteRT) and validation against the float model.

Writes OUT/model.tflite, OUT/report.json and OUT/report.html, plus what the target needs
(model_data.c/.h for microcontrollers, model_io.json for apps, Vela's output for Ethos-U;
with --runtime aot also edgec_model.c/.h and the kernels they call), and prints a summary.
Exit code 0 when the model fits; see `edgec --help` for the others.
"""
EPILOG = ("Example: edgec build examples/digits/model.keras --target stm32 "
          "--calibration examples/digits/calibration.npz "
          "--validation examples/digits/validation.npz -o build/digits")


def _size(value: Optional[str]) -> Optional[int]:
    if value is None:
        return None
    try:
        return parse_bytes(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc))


def build(
    model: Path = typer.Argument(..., metavar="MODEL",
                                 help="Trained model: .keras, .h5, a SavedModel folder or .onnx; "
                                      "or a converted .tflite to check and measure."),
    target: Optional[str] = typer.Option(None, "--target", "-t",
                                         help="Target profile id or alias (edgec targets list)."),
    target_file: Optional[Path] = typer.Option(None, "--target-file",
                                               help="Your own target profile (.toml)."),
    calibration: Optional[Path] = typer.Option(
        None, "--calibration", "-c",
        help="Calibration data: .npz (x, optional y), .npy, or a folder of images."),
    validation: Optional[Path] = typer.Option(
        None, "--validation", help="Held-out data to validate on (same formats). "
                                   "Default: the calibration data."),
    out: Path = typer.Option(Path("build"), "--out", "-o", help="Output folder."),
    synthetic_calibration: bool = typer.Option(
        False, "--synthetic-calibration",
        help="Calibrate on random data when you have none (accuracy is then unknown)."),
    calibration_samples: int = typer.Option(200, "--calibration-samples",
                                            help="Samples drawn for calibration."),
    seed: int = typer.Option(0, "--seed", help="Seed for sampling (builds are reproducible)."),
    image_scale: str = typer.Option(
        "auto", "--image-scale",
        help="Pixel range for image folders: unit (0..1), signed (-1..1), raw (0..255); "
             "auto: raw if the model starts with a Rescaling layer, else unit."),
    ram_budget: Optional[str] = typer.Option(
        None, "--ram-budget", help="RAM the model may use (e.g. 256K); default: all of the target's."),
    flash_budget: Optional[str] = typer.Option(
        None, "--flash-budget", help="Flash the model may use (e.g. 1M); default: all of it."),
    c_name: str = typer.Option("edgec_model", "--c-name",
                               help="Prefix of the C symbols (<name>_data, <name>_data_len, "
                                    "<name>_invoke)."),
    runtime: str = typer.Option(
        "tflm", "--runtime",
        help="tflm: the flatbuffer for TFLite Micro; aot: also plain C with edgec's own "
             "kernels and a static memory plan (edgec_model.c/.h)."),
    kernels: str = typer.Option(
        "auto", "--kernels",
        help="With --runtime aot: dsp (SIMD kernels for cores with the Arm DSP extension), "
             "mve (Helium kernels, Cortex-M55), scalar (portable C) or auto (the best the "
             "target's core has)."),
    unsafe_load: bool = typer.Option(
        False, "--unsafe-load", help="Allow models whose loading runs code (Lambda layers). "
                                     "Only for files you trust."),
    input_shape: Optional[str] = input_shape_option(),
    conversion_tolerance: float = typer.Option(
        1e-3, "--conversion-tolerance", min=0.0,
        help="ONNX: largest allowed difference between the converted float model and "
             "onnxruntime (scaled by the output's magnitude above 1)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON, not a table."),
    quant: Optional[str] = opt.QUANT,
    train: Optional[Path] = opt.TRAIN,
    prune: Optional[float] = opt.PRUNE,
    prune_norm: str = opt.PRUNE_NORM,
    prune_scope: str = opt.PRUNE_SCOPE,
    sparsity: Optional[str] = opt.SPARSITY,
    qat: bool = opt.QAT,
    max_accuracy_drop: Optional[float] = opt.MAX_ACCURACY_DROP,
    auto: bool = opt.AUTO,
    epochs: int = opt.EPOCHS,
    learning_rate: Optional[float] = opt.LEARNING_RATE,
    batch_size: int = opt.BATCH_SIZE,
    early_exit: Optional[str] = typer.Option(
        None, "--early-exit", metavar="auto|LAYER,...",
        help="Also attach early exits (auto, auto:N or layer names), trained on --train and "
             "calibrated on --validation; writes OUT/stage_K.tflite and OUT/manifest.json "
             "(see edgec early-exit)."),
) -> None:
    from edgec.builder import RUNTIMES, build as run_build

    if runtime not in RUNTIMES:
        raise typer.BadParameter(f"'{runtime}' is not one of {', '.join(RUNTIMES)}",
                                 param_hint="--runtime")

    optimization = opt.checked(
        quant=quant, train=train, prune=prune, prune_norm=prune_norm, prune_scope=prune_scope,
        sparsity=sparsity, qat=qat, max_accuracy_drop=max_accuracy_drop, auto=auto,
        epochs=epochs, learning_rate=learning_rate, batch_size=batch_size)

    if unsafe_load:
        typer.echo("warning: --unsafe-load: the model file may run arbitrary code as it loads",
                   err=True)
    try:
        report = run_build(
            model, target=target, target_file=target_file, calibration=calibration,
            validation=validation, out=out, synthetic_calibration=synthetic_calibration,
            calibration_samples=calibration_samples, seed=seed, image_scale=image_scale,
            ram_budget=_size(ram_budget), flash_budget=_size(flash_budget), c_name=c_name,
            unsafe_load=unsafe_load, input_shape=parse_shape(input_shape),
            conversion_tolerance=conversion_tolerance, runtime=runtime, kernels=kernels,
            early_exit=early_exit, **optimization)
    except (BudgetError, AccuracyError) as error:
        _show(error.report, out, as_json)
        raise
    _show(report, out, as_json)


def _show(report, out: Path, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        typer.echo(build_summary(report, out))
