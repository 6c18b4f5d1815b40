"""`edgec bench`: a model built ahead of time, run on an emulated Cortex-M, measured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from edgec.cli.options import input_shape_option, parse_shape
from edgec.cli.tables import table
from edgec.units import format_bytes

HELP = """Build a model ahead of time (as `edgec build --runtime aot`) and run it on the target's
core under QEMU: instructions per inference (deterministic) and per op, flash, RAM and stack
of the linked program, and the outputs checked bit for bit against TensorFlow Lite Micro.

Writes OUT/bench.json, OUT/report.html (with the bench figures) and the build's files, and
prints a summary. Inputs: the first --samples of --validation, else seeded random ones. Exit
code 0 when it ran (bench.json's bit_exact says whether the outputs matched); 8 when the
model does not fit the target (nothing is run); see `edgec --help` for the others.
"""
EPILOG = ("Example: edgec bench examples/digits/model.keras --target stm32 --device qemu "
          "--calibration examples/digits/calibration.npz "
          "--validation examples/digits/validation.npz -o build/bench")


def bench(
    model: Path = typer.Argument(..., metavar="MODEL",
                                 help="Trained model (.keras, .h5, SavedModel, .onnx) or an INT8 "
                                      ".tflite, as `edgec build` takes."),
    target: Optional[str] = typer.Option(None, "--target", "-t",
                                         help="Target profile id or alias (a microcontroller)."),
    target_file: Optional[Path] = typer.Option(None, "--target-file",
                                               help="Your own target profile (.toml)."),
    device: str = typer.Option("qemu", "--device",
                               help="Where the model runs: qemu (the emulated board of the "
                                    "target's core)."),
    out: Path = typer.Option(Path("bench"), "--out", "-o", help="Output folder."),
    validation: Optional[Path] = typer.Option(
        None, "--validation", help="Inputs to run (and validate the build on): .npz/.npy or images."),
    samples: int = typer.Option(8, "--samples",
                                help="Inputs run on the device: the first of --validation, or "
                                     "that many random ones."),
    calibration: Optional[Path] = typer.Option(
        None, "--calibration", "-c", help="Calibration data for a float model (as edgec build)."),
    synthetic_calibration: bool = typer.Option(
        False, "--synthetic-calibration",
        help="Calibrate a float model on random data (accuracy is then unknown)."),
    kernels: str = typer.Option(
        "auto", "--kernels",
        help="dsp (SIMD kernels, cores with the Arm DSP extension), mve (Helium, Cortex-M55), "
             "scalar (portable C) or auto (the best the core has)."),
    seed: int = typer.Option(0, "--seed", help="Seed for random inputs and sampling."),
    image_scale: str = typer.Option("auto", "--image-scale",
                                    help="Pixel range for image folders (as edgec build)."),
    input_shape: Optional[str] = input_shape_option(),
    timeout: float = typer.Option(600.0, "--timeout", min=1.0,
                                  help="Seconds the emulator may run before edgec stops it."),
    as_json: bool = typer.Option(False, "--json", help="Print bench.json instead of a summary."),
) -> None:
    from edgec.on_device import bench as run_bench

    result = run_bench(model, out=out, target=target, target_file=target_file, device=device,
                       samples=samples, seed=seed, kernels=kernels, timeout=timeout,
                       validation=validation, calibration=calibration,
                       synthetic_calibration=synthetic_calibration, image_scale=image_scale,
                       input_shape=parse_shape(input_shape))
    typer.echo(json.dumps(result, indent=2) if as_json else bench_summary(result, out))


def bench_summary(r: dict, out: Path) -> str:
    est, aot = r["estimate"], r["aot"]
    head = (f"edgec bench: {r['model']} -> {r['target']} on {r['board']} ({r['core']}, "
            f"{r['device']}), {aot['kernel_set']} kernels")
    instructions = (f"instructions per inference: {r['instructions_per_inference']:,} (least "
                    f"{r['instructions_min']:,}); about {r['estimated_ms']:.2f} ms at "
                    f"{est['clock_mhz']:g} MHz if every instruction took {est['assumed_cpi']:g} "
                    "cycle (instructions are a lower bound on cycles)")
    ops = sorted(r["per_op"], key=lambda p: -p["instructions"])
    total = r["instructions_per_inference"] or 1
    shown = ops[:8]
    rows = [[p["index"], p["op"], f"{p['instructions']:,}", f"{100 * p['instructions'] / total:.1f} %"]
            for p in shown]
    per_op = table(["#", "op", "instructions", "share"], rows, right={0, 2, 3})
    if len(ops) > len(shown):
        per_op += f"\n({len(ops) - len(shown)} more ops in bench.json)"
    memory = table(
        ["memory", "bytes", "note"],
        [["flash", format_bytes(r["flash_bytes"]), "linked program (edgec's harness ~2 KiB of it)"],
         ["RAM", format_bytes(r["ram_bytes"]), f"static {format_bytes(r['static_ram_bytes'])} "
                                               f"+ stack {format_bytes(r['stack_bytes'])}"],
         ["model stack", format_bytes(r["model_stack_bytes"]),
          f"measured; the build's bound: {format_bytes(aot['stack_bytes'])}"],
         ["TFLite Micro arena", format_bytes(r["tflm_arena_bytes"]), "the same model, for comparison"]],
        right={1})
    exact = ("bit-exact with TFLite Micro" if r["bit_exact"] else
             f"DIFFERENT from TFLite Micro in {r['mismatched_samples']} samples "
             f"(largest difference {r['max_abs_difference']})")
    check = f"outputs: {exact} on {r['samples_compared']} {r['inputs']} samples"
    return "\n\n".join([head, instructions, per_op, memory, check,
                        f"wrote {out}/: bench.json, report.html and the build's files"])
