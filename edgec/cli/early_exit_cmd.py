"""`edgec early-exit` (staged model with calibrated exits) and `edgec run` (its runtime)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from edgec.cli.early_exit_summary import run_summary, run_text
from edgec.errors import BudgetError

EARLY_EXIT_HELP = (
    "Attach early exits to a trained classifier: small heads (pooling, a convolution sized for "
    "the target, dense) after block boundaries, trained on --train with the model frozen, and one "
    "confidence threshold per exit calibrated on --validation so that the staged model stays "
    "within --max-accuracy-drop of the original INT8 model while spending as few MACs as it can."
    "\n\n"
    "Writes OUT/stage_K.tflite (INT8; stage K takes stage K-1's tensor and returns its exit's "
    "logits and the tensor for stage K+1; the last returns the model's output), "
    "OUT/manifest.json, the single INT8 model (model.tflite, model_data.c/.h), OUT/report.json "
    "and OUT/report.html. Bad exit layer names exit with 3.")
EARLY_EXIT_EPILOG = ("Example: edgec early-exit model.keras --train train.npz --validation val.npz "
                     "--exits auto -o build/ee")

RUN_HELP = (
    "Run inputs through an early-exit model (a folder `edgec early-exit` wrote) in TensorFlow "
    "Lite Micro, stage by stage, stopping at the first exit confident enough; prints the exit "
    "distribution, MACs per inference and accuracy (when the data has labels).")
RUN_EPILOG = "Example: edgec run build/ee --input val.npz --save predictions.npz"


def _exits(value: str) -> str:
    from edgec.early_exit.cuts import parse_exits

    try:
        parse_exits(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc))
    return value


def early_exit(
    model: Path = typer.Argument(..., metavar="MODEL",
                                 help="Trained classifier: .keras, .h5 or a SavedModel folder (Keras 2)."),
    train: Path = typer.Option(..., "--train", help="Training data for the heads: .npz (x, y), "
                                                    ".npy or a folder of images."),
    validation: Path = typer.Option(..., "--validation",
                                    help="Held-out data to calibrate the thresholds on (labelled)."),
    exits: str = typer.Option("auto", "--exits", callback=_exits,
                              help="auto (3 exits at even shares of the MACs), auto:N, or "
                                   "LAYER,LAYER,... (layers whose output is a clean cut)."),
    out: Path = typer.Option(Path("build"), "--out", "-o", help="Output folder."),
    target: Optional[str] = typer.Option(None, "--target", "-t",
                                         help="Target profile id or alias (default stm32)."),
    target_file: Optional[Path] = typer.Option(None, "--target-file",
                                               help="Your own target profile (.toml)."),
    calibration: Optional[Path] = typer.Option(
        None, "--calibration", "-c", help="Quantization calibration data (default: --train)."),
    max_accuracy_drop: float = typer.Option(
        1.0, "--max-accuracy-drop", metavar="POINTS",
        help="Top-1 points the staged model may lose against the original INT8 model."),
    confidence: str = typer.Option("softmax", "--confidence",
                                   help="Exit confidence: softmax (largest probability) or margin "
                                        "(largest minus second)."),
    head_epochs: int = typer.Option(30, "--head-epochs", help="Epochs to train each head."),
    joint_epochs: int = typer.Option(0, "--joint-epochs",
                                     help="Then fine-tune backbone and heads together (0: off)."),
    calibration_samples: int = typer.Option(200, "--calibration-samples",
                                            help="Samples drawn for quantization calibration."),
    seed: int = typer.Option(0, "--seed", help="Seed for sampling and training."),
    image_scale: str = typer.Option("auto", "--image-scale",
                                    help="Pixel range for image folders: unit, signed, raw, auto."),
    ram_budget: Optional[str] = typer.Option(None, "--ram-budget", help="RAM budget (e.g. 256K)."),
    flash_budget: Optional[str] = typer.Option(None, "--flash-budget", help="Flash budget (e.g. 1M)."),
    unsafe_load: bool = typer.Option(False, "--unsafe-load",
                                     help="Allow models whose loading runs code (Lambda layers)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON, not a table."),
) -> None:
    from edgec.cli.build_cmd import _show, _size
    from edgec.early_exit import build_early_exit

    if unsafe_load:
        typer.echo("warning: --unsafe-load: the model file may run arbitrary code as it loads",
                   err=True)
    try:
        report = build_early_exit(
            model, train=train, validation=validation, exits=exits, out=out, target=target,
            target_file=target_file, calibration=calibration, max_accuracy_drop=max_accuracy_drop,
            exit_confidence=confidence, head_epochs=head_epochs, joint_epochs=joint_epochs,
            calibration_samples=calibration_samples, seed=seed, image_scale=image_scale,
            ram_budget=_size(ram_budget), flash_budget=_size(flash_budget),
            unsafe_load=unsafe_load)
    except BudgetError as error:
        _show(error.report, out, as_json)
        raise
    _show(report, out, as_json)


def run(
    folder: Path = typer.Argument(..., metavar="OUT", help="Folder with manifest.json and stages."),
    input: Path = typer.Option(..., "--input", "-i",
                               help="Inputs: .npz (x, optional y), .npy or a folder of images."),
    save: Optional[Path] = typer.Option(None, "--save",
                                        help="Write predictions, exits, scores and MACs to this .npz."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, not a table."),
) -> None:
    from edgec.early_exit import run_early_exit

    outcome = run_early_exit(folder, input)
    if save is not None:
        outcome.save(save)
    summary = run_summary(outcome)
    typer.echo(json.dumps(summary, indent=2) if as_json else run_text(summary))
