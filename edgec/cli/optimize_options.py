"""Command-line options of the optimisation passes, shared by `edgec build`, `prune`,
`quantize` and `qat`, and their checks as usage errors (exit 2)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import typer

QUANT = typer.Option(
    None, "--quant", help="Quantization scheme: int8 (default), int16x8 (16-bit activations) "
                          "or int4 (4-bit weights); the target must run it.")
TRAIN = typer.Option(
    None, "--train", help="Training data for fine-tuning (--prune, --qat, --sparsity, --auto): "
                          ".npz with x and y, or a folder of class subfolders of images.")
PRUNE = typer.Option(
    None, "--prune", help="Remove this share of the filters (0..1, e.g. 0.5), rebuild the smaller "
                          "model and fine-tune it on --train.")
PRUNE_NORM = typer.Option("l1", "--prune-norm", help="Rank filters by their l1 or l2 norm.")
PRUNE_SCOPE = typer.Option(
    "layer", "--prune-scope", help="layer: the ratio in every layer; global: across all layers "
                                   "(each keeps at least 10 %).")
SPARSITY = typer.Option(
    None, "--sparsity", help="tfmot M:N sparsity, e.g. 2:4 (zeroes weights: no smaller or faster "
                             "on TFLite Micro).")
QAT = typer.Option(False, "--qat", help="Quantization-aware training (tfmot) for --quant int8 or "
                                        "int4, fine-tuned on --train.")
MAX_ACCURACY_DROP = typer.Option(
    None, "--max-accuracy-drop", metavar="POINTS",
    help="Fail (exit 9) if a lossy pass loses more top-1 accuracy than this on --validation "
         "(top-1 agreement with the float model when the data has no labels).")
AUTO = typer.Option(
    False, "--auto", help="Try INT8, QAT, pruning at 25/50/75 %, then INT4, and keep the first plan "
                          "that fits the budgets and --max-accuracy-drop (default 1 point).")
EPOCHS = typer.Option(20, "--epochs", help="Fine-tuning epochs at most (early stopping ends sooner).")
LEARNING_RATE = typer.Option(None, "--learning-rate",
                             help="Fine-tuning learning rate (default 1e-3 pruning, 1e-4 QAT).")
BATCH_SIZE = typer.Option(32, "--batch-size", help="Fine-tuning batch size.")


def checked(**values) -> dict:
    """The optimisation options, after the checks that need nothing loaded (as usage errors)."""
    from edgec.builder import BuildOptions
    from edgec.optimization import check_values

    try:
        check_values(dataclasses.replace(BuildOptions(model=Path(".")), **values))
    except ValueError as exc:
        raise typer.BadParameter(str(exc))
    return values
