"""Benchmark: the four MLPerf Tiny reference models on an emulated Cortex-M55 (QEMU
mps3-an547, described by a profile written here: the board's own memory) with each kernel set
edgec has for it: portable scalar C, the DSP-extension variants and the Helium (MVE)
variants, side by side in one run.

Models and quantization as in mlperf_tiny_cortex_m4.py (edgec.zoo, seeded weights, INT8 on 64
seeded random calibration samples). Per model and kernel set: instructions per inference
(QEMU instruction-count plugin, deterministic), flash, activations + scratch + stack, and
bit-exactness with TensorFlow Lite Micro on SAMPLES seeded random inputs.

Instructions are not cycles, even less so for Helium: the M55 executes a 128-bit MVE
instruction in two beats, and QEMU has no timing model. The ratios show how much work each
kernel set leaves to the core, not its speed on silicon.

    .venv/bin/python benchmarks/mlperf_tiny_cortex_m55.py [--samples 2]

Writes benchmarks/results/mlperf_tiny_cortex_m55.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from mlperf_tiny_cortex_m4 import flatbuffer_figures, run_bench  # noqa: E402

#: A microcontroller profile for the emulated board itself (edgec ships no plain Cortex-M55
#: part; the Ethos-U profiles run Vela's output, not edgec's C): the ITCM and SRAM QEMU gives it.
PROFILE = """\
inherits = "_cortex-m-tflm"
name = "Cortex-M55 on QEMU mps3-an547 (benchmark profile)"

[device]
core = "cortex-m55"
clock_mhz = 32
ram = "4 MiB"
flash = "512 KiB"
board = "QEMU mps3-an547"
"""
KERNEL_SETS = ("scalar", "dsp", "mve")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=2)
    args = parser.parse_args()

    from edgec.tf_runtime import keras as load_keras
    from edgec.zoo import MLPERF_TINY, quantized_mlperf_tiny

    keras = load_keras()
    models = {}
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "cortex-m55-qemu.toml"
        target.write_text(PROFILE)
        for name in MLPERF_TINY:
            tflite = quantized_mlperf_tiny(name, keras, samples=64)
            path = Path(tmp) / f"{name}.tflite"
            path.write_bytes(tflite)
            runs = {k: run_bench(path, k, Path(tmp) / f"{name}-{k}", args.samples,
                                 target_file=target)
                    for k in KERNEL_SETS}
            for run in runs.values():
                run.pop("per_op")
            scalar = runs["scalar"]["instructions_per_inference"]
            models[name] = {
                **flatbuffer_figures(tflite), "kernels": runs,
                "instructions": {k: r["instructions_per_inference"] for k, r in runs.items()},
                "speedup_over_scalar": {k: round(scalar / r["instructions_per_inference"], 2)
                                        for k, r in runs.items() if k != "scalar"},
                "mve_over_dsp": round(runs["mve"]["instructions_per_inference"]
                                      / runs["dsp"]["instructions_per_inference"], 3),
                "bit_exact": all(r["bit_exact"] for r in runs.values()),
            }
            print(f"{name}: done", file=sys.stderr)
    result = {
        "command": ".venv/bin/python benchmarks/mlperf_tiny_cortex_m55.py"
                   + (f" --samples {args.samples}" if args.samples != 2 else ""),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "target": "Cortex-M55 on QEMU mps3-an547 (profile in this script)",
        "note": "instructions, not cycles: an MVE instruction takes two beats on the M55 and "
                "QEMU has no timing model",
        "models": models,
    }
    out = ROOT / "benchmarks" / "results" / "mlperf_tiny_cortex_m55.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))


def table(result: dict) -> str:
    lines = [f"{'model':<5} {'scalar':>12} {'dsp':>12} {'mve':>12} {'dsp x':>6} {'mve x':>6} "
             f"{'mve/dsp':>8} {'exact':>6}"]
    for name, m in result["models"].items():
        i, s = m["instructions"], m["speedup_over_scalar"]
        lines.append(f"{name:<5} {i['scalar']:>12,} {i['dsp']:>12,} {i['mve']:>12,} "
                     f"{s['dsp']:>6} {s['mve']:>6} {m['mve_over_dsp']:>8} {str(m['bit_exact']):>6}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
