"""`edgec prune`, `edgec quantize`, `edgec qat`: one optimisation step, one model file out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from edgec.cli import optimize_options as opt
from edgec.cli.summary import build_summary
from edgec.errors import AccuracyError

MODEL = typer.Argument(..., help="Trained model: .keras, .h5 or a SavedModel folder.")
VALIDATION = typer.Option(None, "--validation",
                          help="Held-out data: accuracy before and after, and the guard.")
CALIBRATION = typer.Option(None, "--calibration", "-c",
                           help="Calibration data: .npz (x, optional y), .npy, or a folder of images.")
TARGET = typer.Option(None, "--target", "-t",
                      help="Check the scheme and every op against this target first.")
TARGET_FILE = typer.Option(None, "--target-file", help="Your own target profile (.toml).")
SEED = typer.Option(0, "--seed", help="Seed for sampling and fine-tuning.")
IMAGE_SCALE = typer.Option("auto", "--image-scale",
                           help="Pixel range for image folders: auto, unit, signed or raw.")
SAMPLES = typer.Option(200, "--calibration-samples", help="Samples drawn for calibration.")
AS_JSON = typer.Option(False, "--json", help="Print the report as JSON, not a table.")

PRUNE_HELP = """Remove filters/channels (structured pruning) and fine-tune; write a smaller .keras
that `edgec build`, `edgec quantize` and `edgec qat` take. With --sparsity 2:4, apply tfmot's
M:N sparsity instead of (or after) removing filters."""
PRUNE_EPILOG = ("Example: edgec prune examples/digits/model.keras --ratio 0.5 "
                "--train examples/digits/train.npz --validation examples/digits/validation.npz "
                "-o pruned.keras")
QUANTIZE_HELP = """Post-training quantization (int8, int16x8 or int4) into a .tflite, measured and
validated in TensorFlow Lite Micro; with --target, checked against the target first."""
QUANTIZE_EPILOG = ("Example: edgec quantize pruned.keras --quant int4 -c examples/digits/calibration.npz "
                   "--validation examples/digits/validation.npz -t stm32 -o model.tflite")
QAT_HELP = """Quantization-aware training (tfmot; 8-bit, or 4-bit weights with --quant int4),
fine-tuned on --train, converted into a .tflite and validated in TensorFlow Lite Micro."""
QAT_EPILOG = ("Example: edgec qat examples/digits/model.keras --train examples/digits/train.npz "
              "-c examples/digits/calibration.npz --validation examples/digits/validation.npz "
              "-o model.tflite")


def _show(run, out: Path, as_json: bool) -> None:
    try:
        report = run()
    except AccuracyError as error:
        _print(error.report, out, as_json)
        raise
    _print(report, out, as_json)


def _print(report, out: Path, as_json: bool) -> None:
    typer.echo(json.dumps(report.to_dict(), indent=2) if as_json else build_summary(report, out))


def prune(
    model: Path = MODEL,
    out: Path = typer.Option(..., "--out", "-o", help="The pruned model (.keras or .h5)."),
    train: Optional[Path] = opt.TRAIN,
    ratio: Optional[float] = typer.Option(
        0.5, "--ratio", help="Share of filters to remove (0..1); 0 with --sparsity for sparsity only."),
    prune_norm: str = opt.PRUNE_NORM,
    prune_scope: str = opt.PRUNE_SCOPE,
    sparsity: Optional[str] = opt.SPARSITY,
    validation: Optional[Path] = VALIDATION,
    max_accuracy_drop: Optional[float] = opt.MAX_ACCURACY_DROP,
    epochs: int = opt.EPOCHS,
    learning_rate: Optional[float] = opt.LEARNING_RATE,
    batch_size: int = opt.BATCH_SIZE,
    seed: int = SEED,
    image_scale: str = IMAGE_SCALE,
    as_json: bool = AS_JSON,
) -> None:
    from edgec.steps import prune as run_prune

    ratio = None if ratio == 0 else ratio
    if ratio is None and sparsity is None:
        raise typer.BadParameter("--ratio 0 removes nothing; give --sparsity M:N or a ratio",
                                 param_hint="--ratio")
    values = opt.checked(prune=ratio, prune_norm=prune_norm, prune_scope=prune_scope,
                         sparsity=sparsity, max_accuracy_drop=max_accuracy_drop, epochs=epochs,
                         learning_rate=learning_rate, batch_size=batch_size)
    values["ratio"] = values.pop("prune")
    _show(lambda: run_prune(model, out, train, validation=validation, seed=seed,
                            image_scale=image_scale, **values), out, as_json)


def quantize(
    model: Path = MODEL,
    out: Path = typer.Option(..., "--out", "-o", help="The quantized model (.tflite)."),
    calibration: Optional[Path] = CALIBRATION,
    quant: str = typer.Option("int8", "--quant", help="int8, int16x8 or int4 (4-bit weights)."),
    validation: Optional[Path] = VALIDATION,
    target: Optional[str] = TARGET,
    target_file: Optional[Path] = TARGET_FILE,
    max_accuracy_drop: Optional[float] = opt.MAX_ACCURACY_DROP,
    calibration_samples: int = SAMPLES,
    seed: int = SEED,
    image_scale: str = IMAGE_SCALE,
    as_json: bool = AS_JSON,
) -> None:
    from edgec.steps import quantize as run_quantize

    values = opt.checked(max_accuracy_drop=max_accuracy_drop)
    _show(lambda: run_quantize(model, out, calibration, quant, validation=validation,
                               target=target, target_file=target_file,
                               calibration_samples=calibration_samples, seed=seed,
                               image_scale=image_scale, **values), out, as_json)


def qat(
    model: Path = MODEL,
    out: Path = typer.Option(..., "--out", "-o", help="The quantized model (.tflite)."),
    train: Optional[Path] = opt.TRAIN,
    calibration: Optional[Path] = CALIBRATION,
    quant: str = typer.Option("int8", "--quant", help="int8 (8-bit weights) or int4 (4-bit weights)."),
    validation: Optional[Path] = VALIDATION,
    target: Optional[str] = TARGET,
    target_file: Optional[Path] = TARGET_FILE,
    max_accuracy_drop: Optional[float] = opt.MAX_ACCURACY_DROP,
    epochs: int = opt.EPOCHS,
    learning_rate: Optional[float] = opt.LEARNING_RATE,
    batch_size: int = opt.BATCH_SIZE,
    calibration_samples: int = SAMPLES,
    seed: int = SEED,
    image_scale: str = IMAGE_SCALE,
    as_json: bool = AS_JSON,
) -> None:
    from edgec.steps import qat as run_qat

    values = opt.checked(max_accuracy_drop=max_accuracy_drop, epochs=epochs,
                         learning_rate=learning_rate, batch_size=batch_size)
    _show(lambda: run_qat(model, out, train, calibration, quant, validation=validation,
                          target=target, target_file=target_file,
                          calibration_samples=calibration_samples, seed=seed,
                          image_scale=image_scale, **values), out, as_json)
