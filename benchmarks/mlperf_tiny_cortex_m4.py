"""Benchmark: the four MLPerf Tiny reference models built ahead of time by edgec and run on an
emulated Cortex-M4 (QEMU mps2-an386, the stm32l4r5 profile: the MLPerf Tiny v1.0 reference
board's core), with the portable scalar kernels and the DSP kernels side by side.

For each model (edgec.zoo, seeded random weights and batch-norm statistics, INT8 by edgec's
quantize step on 64 seeded random calibration samples), in one run:
- the baseline: TensorFlow Lite Micro's arena for the same flatbuffer (its interpreter,
  x86-64 build), and the weight + bias bytes of the flatbuffer;
- `edgec.bench(...)` with --kernels scalar and dsp: instructions per inference (QEMU
  instruction-count plugin, deterministic), the compiled flash, activations + scratch +
  stack (the build's bound and the stack measured on the board), bit-exactness with
  TensorFlow Lite Micro on SAMPLES seeded random inputs.

Targets (issue 6), judged on the DSP build:
- RAM (activations + scratch + stack bound) <= 0.75 x the TFLite Micro arena;
- flash (code + constants as compiled for the M4) <= 1.1 x (weight + bias bytes) + 32 KiB;
- instructions per inference <= the cycles ST's X-CUBE-AI needed on the reference board at
  120 MHz (KWS 75.1 ms, VWW 230 ms, IC 227 ms, AD 7.58 ms); Plumerai's published
  latencies the next mark. Instructions are a lower bound on cycles (CPI >= 1 on the M4
  for this code), so meeting the mark is necessary, not sufficient, to match them.

    .venv/bin/python benchmarks/mlperf_tiny_cortex_m4.py [--samples 4]

Writes benchmarks/results/mlperf_tiny_cortex_m4.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = "stm32"  # stm32l4r5: NUCLEO-L4R5ZI's STM32L4R5ZI, Cortex-M4 at 120 MHz
CLOCK_MHZ = 120
RAM_RATIO, FLASH_RATIO, CODE_ALLOWANCE = 0.75, 1.1, 32 * 1024
#: MLPerf Tiny v1.0 closed division, NUCLEO-L4R5ZI at 120 MHz: ms per inference.
X_CUBE_AI_MS = {"kws": 75.1, "vww": 230.0, "ic": 227.0, "ad": 7.58}
PLUMERAI_MS = {"kws": 71.7, "vww": 208.6, "ic": 173.2, "ad": 5.57}


def cycles(ms: float) -> int:
    return round(ms * CLOCK_MHZ * 1000)


def flatbuffer_figures(tflite: bytes) -> dict:
    from edgec.tflite import read_model
    from edgec.tflite.costs import op_costs
    from edgec.tflm import MicroRunner

    costs = op_costs(read_model(tflite))
    return {"tflm_arena_bytes": MicroRunner(tflite).arena_bytes(),
            "weight_and_bias_bytes": sum(c.weight_bytes for c in costs),
            "macs": sum(c.macs for c in costs), "flatbuffer_bytes": len(tflite)}


def run_bench(path: Path, kernels: str, out: Path, samples: int,
              target_file: Path | None = None) -> dict:
    """edgec bench on the M4 target, or on the profile in target_file."""
    import edgec

    start = time.perf_counter()
    target = None if target_file else TARGET
    bench = edgec.bench(path, target=target, target_file=target_file, out=out, kernels=kernels,
                        samples=samples, seed=0)
    seconds = time.perf_counter() - start
    report = json.loads((out / "report.json").read_text())
    aot = report["aot"]
    return {
        "instructions_per_inference": bench["instructions_per_inference"],
        "instructions_min": bench["instructions_min"],
        "bit_exact": bench["bit_exact"], "samples_compared": bench["samples_compared"],
        "activation_bytes": aot["activation_bytes"], "scratch_bytes": aot["scratch_bytes"],
        "stack_bound_bytes": aot["stack_bytes"], "stack_measured_bytes": bench["model_stack_bytes"],
        "ram_bytes": aot["activation_bytes"] + aot["scratch_bytes"] + aot["stack_bytes"],
        "code_bytes": aot["code_bytes"], "constant_bytes": aot["constant_bytes"],
        "flash_bytes": aot["flash_bytes"], "firmware_flash_bytes": bench["flash_bytes"],
        "per_op": bench["per_op"], "seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=4)
    args = parser.parse_args()

    from edgec.tf_runtime import keras as load_keras
    from edgec.zoo import MLPERF_TINY, quantized_mlperf_tiny

    keras = load_keras()
    models = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, ref in MLPERF_TINY.items():
            tflite = quantized_mlperf_tiny(name, keras, samples=64)
            path = Path(tmp) / f"{name}.tflite"
            path.write_bytes(tflite)
            base = flatbuffer_figures(tflite)
            runs = {k: run_bench(path, k, Path(tmp) / f"{name}-{k}", args.samples)
                    for k in ("scalar", "dsp")}
            dsp = runs["dsp"]
            ram_limit = RAM_RATIO * base["tflm_arena_bytes"]
            flash_limit = FLASH_RATIO * base["weight_and_bias_bytes"] + CODE_ALLOWANCE
            xcube, plumerai = cycles(X_CUBE_AI_MS[name]), cycles(PLUMERAI_MS[name])
            models[name] = {
                "description": ref.description, **base, "kernels": runs,
                "ram": {"edgec_bytes": dsp["ram_bytes"], "limit_bytes": round(ram_limit),
                        "ratio_to_arena": round(dsp["ram_bytes"] / base["tflm_arena_bytes"], 3),
                        "met": dsp["ram_bytes"] <= ram_limit},
                "flash": {"edgec_bytes": dsp["flash_bytes"], "limit_bytes": round(flash_limit),
                          "met": dsp["flash_bytes"] <= flash_limit},
                "instructions": {
                    "scalar": runs["scalar"]["instructions_per_inference"],
                    "dsp": dsp["instructions_per_inference"],
                    "dsp_speedup_over_scalar": round(runs["scalar"]["instructions_per_inference"]
                                                     / dsp["instructions_per_inference"], 2),
                    "x_cube_ai_cycles": xcube, "plumerai_cycles": plumerai,
                    "dsp_over_x_cube_ai": round(dsp["instructions_per_inference"] / xcube, 3),
                    "dsp_over_plumerai": round(dsp["instructions_per_inference"] / plumerai, 3),
                    "met_x_cube_ai": dsp["instructions_per_inference"] <= xcube,
                    "met_plumerai": dsp["instructions_per_inference"] <= plumerai,
                    "ms_at_120_mhz_if_cpi_1": round(dsp["instructions_per_inference"]
                                                    / (CLOCK_MHZ * 1000), 2),
                },
            }
            print(f"{name}: done", file=sys.stderr)
    qemu = subprocess.run(["qemu-system-arm", "--version"], capture_output=True, text=True).stdout
    gcc = subprocess.run(["arm-none-eabi-gcc", "--version"], capture_output=True, text=True).stdout
    result = {
        "command": ".venv/bin/python benchmarks/mlperf_tiny_cortex_m4.py"
                   + (f" --samples {args.samples}" if args.samples != 4 else ""),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "target": f"{TARGET} (stm32l4r5, Cortex-M4 at {CLOCK_MHZ} MHz) on QEMU mps2-an386",
        "tools": {"qemu": qemu.splitlines()[0] if qemu else None,
                  "gcc": gcc.splitlines()[0] if gcc else None},
        "note": "instructions are a lower bound on cycles; the ms figure assumes one cycle per "
                "instruction (CPI 1.0). X-CUBE-AI and Plumerai: MLPerf Tiny v1.0 latencies on "
                "NUCLEO-L4R5ZI at 120 MHz, as cycles.",
        "targets": {"ram": f"activations + scratch + stack bound <= {RAM_RATIO} x TFLite Micro arena",
                    "flash": f"code + constants <= {FLASH_RATIO} x (weight + bias bytes) + 32 KiB",
                    "instructions": "DSP build's instructions per inference <= X-CUBE-AI's cycles"},
        "met": {k: all(m[k]["met"] for m in models.values()) for k in ("ram", "flash")}
               | {"instructions_x_cube_ai": all(m["instructions"]["met_x_cube_ai"]
                                                for m in models.values()),
                  "instructions_plumerai": all(m["instructions"]["met_plumerai"]
                                               for m in models.values())},
        "models": models,
    }
    out = ROOT / "benchmarks" / "results" / "mlperf_tiny_cortex_m4.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))


def table(result: dict) -> str:
    rows = ["| model | RAM (limit) | flash (limit) | instructions scalar | instructions DSP | "
            "X-CUBE-AI cycles | Plumerai cycles | DSP / X-CUBE-AI | DSP / Plumerai |",
            "|---|---|---|---|---|---|---|---|---|"]
    for name, m in result["models"].items():
        i = m["instructions"]
        rows.append(f"| {name} | {m['ram']['edgec_bytes']:,} ({m['ram']['limit_bytes']:,}) | "
                    f"{m['flash']['edgec_bytes']:,} ({m['flash']['limit_bytes']:,}) | "
                    f"{i['scalar']:,} | {i['dsp']:,} | {i['x_cube_ai_cycles']:,} | "
                    f"{i['plumerai_cycles']:,} | {i['dsp_over_x_cube_ai']:.2f} | "
                    f"{i['dsp_over_plumerai']:.2f} |")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
