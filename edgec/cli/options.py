"""Options more than one command takes."""

from __future__ import annotations

from typing import Optional

import typer

from edgec.models.shapes import parse_input_shape


def input_shape_option():
    return typer.Option(
        None, "--input-shape", metavar="SHAPE",
        help="Fix the model's dynamic input dimensions: the whole shape, batch (1) first, in the "
             "model's own layout, e.g. 1,3,32,32 for an NCHW ONNX model.")


def parse_shape(value: Optional[str]) -> Optional[tuple[int, ...]]:
    if value is None:
        return None
    try:
        return parse_input_shape(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--input-shape")
