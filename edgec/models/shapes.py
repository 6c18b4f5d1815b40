"""Static input shapes: microcontroller runtimes need every dimension fixed.

A model may leave dimensions to be set at run time (a dynamic batch, or a dynamic image
size). The batch is fixed to 1; any other dynamic dimension needs `--input-shape`, which
gives the whole shape, batch first, in the model's own layout (1,3,32,32 for an NCHW
ONNX model; 1,32,32,3 for a Keras one).
"""

from __future__ import annotations

from edgec.errors import ModelError


def parse_input_shape(text: str) -> tuple[int, ...]:
    """'1,3,32,32' (or 'name:1,3,32,32') -> (1, 3, 32, 32). Raises ValueError."""
    shape_text = text.split(":", 1)[1] if ":" in text else text
    try:
        dims = tuple(int(d) for d in shape_text.replace(" ", "").split(","))
    except ValueError:
        raise ValueError(f"{text!r} is not a shape (example: 1,3,32,32)")
    if not dims or any(d < 1 for d in dims):
        raise ValueError(f"{text!r} is not a shape: every dimension must be a positive integer")
    return dims


def show_shape(shape, names: tuple[str | None, ...] = ()) -> str:
    """(None, 3, None, None) -> '(N, 3, ?, ?)', with dimension names where the model has them."""
    parts = []
    for i, d in enumerate(shape):
        if d is not None:
            parts.append(str(d))
        elif i < len(names) and names[i]:
            parts.append(str(names[i]))
        else:
            parts.append("N" if i == 0 else "?")
    return "(" + ", ".join(parts) + ")"


def static_input_shape(name: str, declared: tuple, override: tuple[int, ...] | None,
                       names: tuple[str | None, ...] = ()) -> tuple[int, ...]:
    """The input's shape, batch first, with every dimension fixed.

    `declared` is the model's shape with None for dynamic dimensions; `override` the
    user's --input-shape. The batch becomes 1; other dynamic dimensions need the override,
    which must agree with the dimensions the model fixes itself.
    """
    shown = show_shape(declared, names)
    if override is not None:
        if len(override) != len(declared):
            raise ModelError(
                f"--input-shape {_csv(override)} has {len(override)} dimensions, but model input "
                f"'{name}' has {len(declared)}: {shown}",
                hint="give the whole shape, batch first, in the model's own layout")
        if override[0] != 1:
            raise ModelError(f"--input-shape {_csv(override)} asks for batch {override[0]}; "
                             "edgec builds batch-1 models for devices",
                             hint=f"use --input-shape 1,{_csv(override[1:])}")
        for axis, (d, o) in enumerate(zip(declared, override)):
            if axis > 0 and d is not None and d != o:
                raise ModelError(
                    f"--input-shape {_csv(override)} sets dimension {axis} to {o}, but model "
                    f"input '{name}' fixes it to {d}: {shown}",
                    hint="only the model's dynamic dimensions can be chosen")
        return tuple(override)
    if declared and declared[0] not in (None, 1):
        raise ModelError(f"model input '{name}' has a fixed batch of {declared[0]}: {shown}",
                         hint="export the model with batch 1 (or a dynamic batch)")
    fixed = (1, *declared[1:])
    if any(d is None for d in fixed):
        example = _csv(d if d is not None else "<size>" for d in fixed)
        raise ModelError(
            f"model input '{name}' has a dynamic shape {shown}",
            hint=f"microcontroller targets need static shapes: pass --input-shape {example} with "
                 "the sizes you deploy, or fix them in the model")
    return fixed


def _csv(values) -> str:
    return ",".join(str(v) for v in values)
