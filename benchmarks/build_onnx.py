"""Benchmark: `edgec build` of the PyTorch example's ONNX model, beside onnx2tf alone.

Measures, in one run on this machine (interleaved, best of N):
- wall time and peak memory (max RSS over the process and its children) of `edgec build
  examples/pytorch_patches/model.onnx` as a user runs it (a fresh process);
- the same for the baseline: the onnx2tf command alone on the same model (what any ONNX
  route to TFLite must pay), given the same sample data so it does not download any.
  What edgec adds on top: onnxruntime as the reference, the float conversion check, INT8
  quantization, TFLite Micro measurement, validation and the C array;
- `edgec analyze` of the same model for stm32 (it converts too);
- the conversion check's error and INT8 vs float accuracy, from edgec's report.

    .venv/bin/python benchmarks/build_onnx.py [--repeat 2]

Writes benchmarks/results/build_onnx.json and prints it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from build_digits import BIN, ROOT, build_command, comparison, measure

EXAMPLE = ROOT / "examples" / "pytorch_patches"
SAMPLE_IMAGES = "calibration_image_sample_data_20x128x128x3_float32.npy"


def baseline_command(work: Path) -> list[str]:
    """onnx2tf on a copy of the model, with -cind data and its sample file in place."""
    shutil.copy(EXAMPLE / "model.onnx", work / "model.onnx")
    x = np.load(EXAMPLE / "calibration.npz")["x"][:8].astype(np.float32).transpose(0, 2, 3, 1)
    np.save(work / "cind.npy", x)
    np.save(work / SAMPLE_IMAGES, np.random.default_rng(0).uniform(0, 1, (20, 128, 128, 3))
            .astype(np.float32))
    return ["env", "-C", str(work), f"PATH={BIN}:{os.environ.get('PATH', '')}",
            str(BIN / "python"), "-m", "onnx2tf", "-i", "model.onnx", "-o", "saved_model",
            "-cind", "image", "cind.npy", "-n"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        edgec_cmd = build_command(EXAMPLE / "model.onnx", EXAMPLE, out)
        analyze_cmd = [str(BIN / "edgec"), "--quiet", "analyze", str(EXAMPLE / "model.onnx"),
                       "--target", "stm32", "--json"]
        runs = {"edgec": [], "baseline": []}
        for i in range(args.repeat):  # interleaved, so both see the same machine load
            runs["edgec"].append(measure(edgec_cmd))
            work = Path(tmp) / f"base{i}"
            work.mkdir()
            runs["baseline"].append(measure(baseline_command(work)))
        analyze = measure(analyze_cmd)
        report = json.loads((out / "report.json").read_text())
    v, c = report["validation"], report["conversion"]
    result = {
        **comparison(runs, edgec_cmd),
        "baseline": "python -m onnx2tf -i model.onnx -o saved_model -cind image cind.npy -n",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average": round(os.getloadavg()[0], 1),
        "date": time.strftime("%Y-%m-%d"),
        "repeat": args.repeat,
        "analyze_wall_s": round(analyze[0], 2),
        "pass_seconds": {p["name"]: p["seconds"] for p in report["passes"]},
        "conversion_max_abs_error": c["max_abs_error"],
        "accuracy_float": v["accuracy_float"],
        "accuracy_int8": v["accuracy_quantized"],
        "top1_agreement": v["top1_agreement"],
        "validation_samples": v["samples"],
        "model_bytes": report["model_bytes"],
        "arena_bytes": report["arena_bytes"],
    }
    (ROOT / "benchmarks" / "results" / "build_onnx.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
