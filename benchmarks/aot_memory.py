"""Benchmark: RAM of the AOT memory plan vs TensorFlow Lite Micro's arena, on the four
MLPerf Tiny reference models (edgec.zoo, seeded random weights, INT8 by edgec's
quantize step on random calibration data).

For each model, in one run:
- TFLite Micro's tensor arena, measured in its interpreter (edgec.tflm, x86-64 build);
- the AOT plan: activation bytes (+ scratch), the lower bound without fusion or overlap,
  weight bytes (and requantization tables) beside the flatbuffer's size;
- the generated C compiled for Cortex-M4 (arm-none-eabi-gcc -Os): text, data, bss.

Target (issue 5): AOT activations + scratch <= 0.75 x the TFLite Micro arena, on all four.

    .venv/bin/python benchmarks/aot_memory.py

Writes benchmarks/results/aot_memory.json and prints it.
"""

from __future__ import annotations

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

TARGET_RATIO = 0.75


def cortex_m4_sizes(files: dict[str, bytes], folder: Path) -> dict:
    """text / data / bss of the generated model and its kernels for Cortex-M4."""
    for name, data in files.items():
        (folder / name).write_bytes(data)
    objects = []
    for source in sorted(folder.glob("*.c")):
        obj = source.with_suffix(".o")
        subprocess.run(["arm-none-eabi-gcc", "-std=c99", "-Os", "-mcpu=cortex-m4", "-mthumb",
                        "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16", "-ffunction-sections",
                        "-fdata-sections", f"-I{folder}", "-c", str(source), "-o", str(obj)],
                       check=True)
        objects.append(str(obj))
    out = subprocess.run(["arm-none-eabi-size", "-t", *objects], capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()[-1].split()
    return {"text": int(out[0]), "data": int(out[1]), "bss": int(out[2])}


def main() -> None:
    from edgec.aot import generate
    from edgec.tf_runtime import keras as load_keras
    from edgec.tflite import read_model
    from edgec.tflm import MicroRunner
    from edgec.zoo import MLPERF_TINY, quantized_mlperf_tiny

    keras = load_keras()
    models = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, ref in MLPERF_TINY.items():
            tflite = quantized_mlperf_tiny(name, keras, samples=64)
            arena = MicroRunner(tflite).arena_bytes()
            start = time.perf_counter()
            result = generate(read_model(tflite))
            seconds = time.perf_counter() - start
            a = result.stats
            folder = Path(tmp) / f"{name}_c"
            folder.mkdir()
            aot_ram = a["activation_bytes"] + a["scratch_bytes"]
            models[name] = {
                "description": ref.description,
                "tflm_arena_bytes": arena,
                "aot_activation_bytes": a["activation_bytes"],
                "aot_scratch_bytes": a["scratch_bytes"],
                "aot_lower_bound_bytes": a["lower_bound_bytes"],
                "aot_over_tflm": round(aot_ram / arena, 3),
                "aot_over_lower_bound": round(a["activation_bytes"] / a["lower_bound_bytes"], 3),
                "meets_target": aot_ram <= TARGET_RATIO * arena,
                "flatbuffer_bytes": len(tflite),
                "aot_weight_bytes": a["weight_bytes"],
                "aot_requant_bytes": a["requant_bytes"],
                "weights_over_flatbuffer": round((a["weight_bytes"] + a["requant_bytes"]) / len(tflite), 3),
                "fused": a["fused"],
                "kernels": a["kernels"],
                "plan_strategy": a["plan_strategy"],
                "generate_seconds": round(seconds, 2),
                "cortex_m4_os": cortex_m4_sizes(result.files, folder),
            }
    result = {
        "command": ".venv/bin/python benchmarks/aot_memory.py",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "target": f"AOT activations + scratch <= {TARGET_RATIO} x TFLite Micro arena",
        "meets_target": all(m["meets_target"] for m in models.values()),
        "models": models,
    }
    (ROOT / "benchmarks" / "results" / "aot_memory.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
