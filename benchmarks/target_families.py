"""Benchmark: the four MLPerf Tiny reference models on the accelerated targets of issue 7.

For each model (random weights, seeded; INT8 with 50 seeded synthetic calibration samples):
- RAM: TFLite Micro's arena (the baseline a microcontroller needs) beside Vela's SRAM on
  Ethos-U55-128 and Ethos-U65-256 and LiteRT's arena (phones, Cortex-A);
- Vela's cycles and inference time per inference (estimates for its system configs' clocks);
- placement: ops and MACs on the Edge TPU (simulated compiler), NNAPI at API 30 (partitions),
  the GPU delegate, and XNNPACK (the real delegate).

Every figure is deterministic (no wall time is measured), so one run is enough.

    .venv/bin/python benchmarks/target_families.py

Writes benchmarks/results/target_families.json and prints a table.
"""

from __future__ import annotations

import json
import platform
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from edgec.litert import LiteRTRunner  # noqa: E402
from edgec.models import load_model  # noqa: E402
from edgec.passes.quantize import convert_int8  # noqa: E402
from edgec.placement import place  # noqa: E402
from edgec.targets import load_target  # noqa: E402
from edgec.tf_runtime import keras  # noqa: E402
from edgec.tflite import read_model  # noqa: E402
from edgec.tflm import MicroRunner  # noqa: E402
from edgec.zoo import MLPERF_TINY, build_mlperf_tiny  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "target_families.json"
ACCELERATED = ("edgetpu", "android-nnapi", "android-gpu", "android-cpu")


def int8_model(name: str, tmp: Path) -> bytes:
    model = build_mlperf_tiny(name, keras())
    path = tmp / f"{name}.keras"
    model.save(path)
    rng = np.random.default_rng(0)
    samples = rng.random((50, *MLPERF_TINY[name].input_shape), dtype=np.float32)
    return convert_int8(load_model(path), samples)


def measure(name: str, tflite: bytes) -> dict:
    model = read_model(tflite)
    row = {"model": name, "ops": len(model.main.operators), "model_bytes": len(tflite),
           "tflm_arena_bytes": MicroRunner(tflite, model).arena_bytes(),
           "litert_arena_bytes": LiteRTRunner(tflite, model).arena_bytes()}
    for target in ("ethos-u55-128", "ethos-u65-256"):
        p = place(tflite, model, load_target(target))
        v = p.sections["vela"]
        row[target] = {k: v[k] for k in ("sram_bytes", "flash_bytes", "cycles_npu", "cycles_total",
                                         "inference_ms")}
        row[target]["ops_on_cpu"] = p.summary["ops_on_cpu"]
        row[target]["compiled_bytes"] = len(p.compiled)
    for target in ACCELERATED:
        s = place(tflite, model, load_target(target)).summary
        row[target] = {k: s[k] for k in ("ops_on_accelerator", "ops_on_cpu", "partitions",
                                         "accelerator_macs_percent")}
    return row


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rows = [measure(name, int8_model(name, Path(tmp))) for name in MLPERF_TINY]
    from importlib.metadata import version

    result = {"machine": platform.platform(), "python": platform.python_version(),
              "ethos_u_vela": version("ethos-u-vela"), "ai_edge_litert": version("ai-edge-litert"),
              "tflite_micro": version("tflite-micro"), "models": rows}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'model':5} {'TFLM arena':>11} {'U55 SRAM':>9} {'U55 cycles':>11} {'U65 cycles':>11} "
          f"{'TPU MACs':>9} {'NNAPI parts':>11} {'XNNPACK ops':>11}")
    for r in rows:
        print(f"{r['model']:5} {r['tflm_arena_bytes']:>11,} {r['ethos-u55-128']['sram_bytes']:>9,} "
              f"{r['ethos-u55-128']['cycles_total']:>11,} {r['ethos-u65-256']['cycles_total']:>11,} "
              f"{r['edgetpu']['accelerator_macs_percent']:>8.1f}% "
              f"{r['android-nnapi']['partitions']:>11} "
              f"{r['android-cpu']['ops_on_accelerator']:>5}/{r['ops']:<5}")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
