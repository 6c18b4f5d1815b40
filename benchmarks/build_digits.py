"""Benchmark: `edgec build` of the bundled digits example, beside a hand-rolled TFLite script.

Measures, in one run on this machine:
- wall time and peak memory (max RSS) of `edgec build` as a user runs it (a fresh process,
  TensorFlow import included);
- the same for a minimal hand-rolled script that only loads the model and runs the TFLite
  converter with the same calibration data (the baseline: what edgec adds on top of it is
  TFLite Micro measurement, op/budget checks, validation and the C array);
- INT8 vs float accuracy on the held-out validation data, from edgec's report.

Targets (issue 2): INT8 accuracy within 1 point of float; build under 30 s and 2 GB.

    .venv/bin/python benchmarks/build_digits.py [--repeat 3]

Writes benchmarks/results/build_digits.json and prints a table.
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

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "digits"
BIN = Path(sys.executable).parent

BASELINE = r"""
import os, sys
os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np, tensorflow as tf, tf_keras as keras
model = keras.models.load_model(sys.argv[1], compile=False)
x = np.load(sys.argv[2])["x"][:200]
fn = tf.function(lambda t: model(t)).get_concrete_function(tf.TensorSpec([1, 8, 8, 1], tf.float32))
c = tf.lite.TFLiteConverter.from_concrete_functions([fn], model)
c.optimizations = [tf.lite.Optimize.DEFAULT]
c.representative_dataset = lambda: ([s[None]] for s in x)
c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
c.inference_input_type = tf.int8
c.inference_output_type = tf.int8
open(sys.argv[3], "wb").write(c.convert())
"""


def measure(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one child process, run alone."""
    script = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
              "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
              "w = time.perf_counter() - t; "
              "print(r.returncode, w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", script, *cmd], capture_output=True, text=True,
                         check=True).stdout.split()
    if out[0] != "0":
        raise SystemExit(f"command failed ({out[0]}): {' '.join(cmd)}")
    return float(out[1]), int(out[2]) / 1024


def build_command(model: Path, example: Path, out: Path) -> list[str]:
    """`edgec build` of an example's model for stm32 with its calibration and validation data."""
    return [str(BIN / "edgec"), "--quiet", "build", str(model), "--target", "stm32",
            "--calibration", str(example / "calibration.npz"),
            "--validation", str(example / "validation.npz"), "-o", str(out)]


def comparison(runs: dict[str, list[tuple[float, float]]], edgec_cmd: list[str]) -> dict:
    """The figures both build benchmarks report from interleaved (wall s, peak RSS MiB) runs of
    "edgec" and "baseline": the command, best wall time and largest RSS of each, their ratio."""
    best = {k: (min(w for w, _ in v), max(m for _, m in v)) for k, v in runs.items()}
    return {
        "command": " ".join(["edgec", *edgec_cmd[1:-1], "OUT"]).replace(str(ROOT) + "/", ""),
        "edgec_wall_s": round(best["edgec"][0], 2),
        "edgec_peak_rss_mib": round(best["edgec"][1]),
        "baseline_wall_s": round(best["baseline"][0], 2),
        "baseline_peak_rss_mib": round(best["baseline"][1]),
        "wall_ratio_edgec_over_baseline": round(best["edgec"][0] / best["baseline"][0], 2),
        "rss_ratio_edgec_over_baseline": round(best["edgec"][1] / best["baseline"][1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        edgec_cmd = build_command(EXAMPLE / "model.keras", EXAMPLE, out)
        base_cmd = [sys.executable, "-c", BASELINE, str(EXAMPLE / "model.keras"),
                    str(EXAMPLE / "calibration.npz"), str(Path(tmp) / "base.tflite")]
        runs = {"edgec": [], "baseline": []}
        for _ in range(args.repeat):  # interleaved, so both see the same machine load
            runs["edgec"].append(measure(edgec_cmd))
            runs["baseline"].append(measure(base_cmd))
        report = json.loads((out / "report.json").read_text())
    v = report["validation"]
    result = {
        **comparison(runs, edgec_cmd),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "repeat": args.repeat,
        "accuracy_float": v["accuracy_float"],
        "accuracy_int8": v["accuracy_quantized"],
        "accuracy_drop_points": round(v["accuracy_float"] - v["accuracy_quantized"], 2),
        "validation_samples": v["samples"],
        "model_bytes": report["model_bytes"],
        "arena_bytes": report["arena_bytes"],
        "targets": {"accuracy_drop_points_max": 1.0, "wall_s_max": 30, "peak_rss_mib_max": 2048},
    }
    result["meets_targets"] = (result["accuracy_drop_points"] <= 1.0 and result["edgec_wall_s"] < 30
                               and result["edgec_peak_rss_mib"] < 2048)
    (ROOT / "benchmarks" / "results" / "build_digits.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
