"""`edgec analyze`: per-layer table (op, shape, params, MACs, bytes), totals, a target's verdict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from edgec.cli.options import input_shape_option
from edgec.cli.tables import table
from edgec.units import format_bytes

HELP = """Analyze a model layer by layer: op, output shape, parameters, MACs (one multiply-add
= one MAC), weight and activation bytes, share of the total MACs and of the flatbuffer;
totals and the TFLite Micro arena. With --target, also whether every op runs there and
whether it fits the target's flash and RAM (exit 6 or 8 when not, as `edgec build`).

A .tflite is analyzed as it is; other inputs are converted as `edgec build` would (to
INT8, calibrated on --calibration or on synthetic data) and that flatbuffer is analyzed.
"""
EPILOG = "Example: edgec analyze examples/digits/model.keras --target stm32"


def analyze(
    model: Path = typer.Argument(..., metavar="MODEL",
                                 help="Model: .keras, .h5, a SavedModel folder, .onnx or .tflite."),
    target: Optional[str] = typer.Option(None, "--target", "-t",
                                         help="Target id or alias: adds the op and budget verdict."),
    target_file: Optional[Path] = typer.Option(None, "--target-file", help="Your own target profile."),
    calibration: Optional[Path] = typer.Option(
        None, "--calibration", "-c", help="Calibration data for the conversion (default: synthetic; "
                                          "sizes and MACs do not depend on it)."),
    input_shape: Optional[str] = input_shape_option(),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of the table."),
) -> None:
    from edgec.analysis import analyze as run_analysis
    from edgec.cli.options import parse_shape

    result = run_analysis(model, target=target, target_file=target_file, calibration=calibration,
                          input_shape=parse_shape(input_shape))
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        typer.echo(render(result))
    if result.error is not None:
        raise result.error


def render(result) -> str:
    fb = result.flatbuffer
    parts = [f"{result.model['path']} ({result.model['format']}): analyzed {fb['source']}, "
             f"{fb['scheme']}, {fb['bytes']:,} bytes"]
    with_target = result.verdict is not None
    headers = ["#", "op", "output shape", "params", "MACs", "weights", "activations", "% MACs",
               "% flash"] + (["on " + result.target] if with_target else [])
    rows = []
    for layer in result.layers:
        row = [layer["index"], layer["op"], "x".join(map(str, layer["output_shape"])) or "scalar",
               f"{layer['params']:,}", f"{layer['macs']:,}", format_bytes(layer["weight_bytes"]),
               format_bytes(layer["activation_bytes"]), f"{layer['macs_share']:.1f}",
               f"{layer['flash_share']:.1f}"]
        if with_target:
            row.append("ok" if layer["supported"] else f"NO: {layer['reason']}")
        rows.append(row)
    rows.append(["", "total", "", f"{result.total_params:,}", f"{result.total_macs:,}",
                 format_bytes(result.total_weight_bytes), "", "100.0" if result.total_macs else "",
                 f"{100.0 * result.total_weight_bytes / result.model_bytes:.1f}"]
                + ([""] if with_target else []))
    parts.append(table(headers, rows, right={0, 3, 4, 5, 6, 7, 8}))
    arena = format_bytes(result.arena_bytes) if result.arena_bytes is not None else "unknown"
    parts.append(f"flatbuffer {format_bytes(result.model_bytes)} (weights "
                 f"{format_bytes(result.total_weight_bytes)}, the rest is graph structure); "
                 f"TFLite Micro arena {arena}")
    if with_target:
        v = result.verdict
        lines = [f"{result.target}: {'fits' if v['ok'] else 'does NOT fit'}"]
        unsupported = sum(1 for layer in result.layers if not layer["supported"])
        ops = "all supported" if v["ops_supported"] else f"{unsupported} unsupported"
        lines.append(f"  ops: {ops}")
        for b in v["budgets"]:
            made_of = " + ".join(f"{k} {format_bytes(n)}" for k, n in b["parts"].items())
            lines.append(f"  {b['name']}: {format_bytes(b['actual'])} of {format_bytes(b['limit'])} "
                         f"({100 * b['actual'] / b['limit']:.1f} %, {made_of}) "
                         f"{'ok' if b['ok'] else 'OVER'}")
        parts.append("\n".join(lines))
    parts += [f"note: {w}" for w in result.warnings]
    return "\n\n".join(parts)
