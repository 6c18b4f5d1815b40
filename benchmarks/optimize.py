"""Benchmark: what edgec's optimisation passes buy on two models, against the plain INT8 build.

Models:
- digits: the bundled example (examples/digits: small CNN, 25,866 parameters), with its
  train.npz / calibration.npz / validation.npz;
- resnet8: the MLPerf Tiny IC ResNet-8 (edgec.zoo, 78,666 parameters, residual blocks)
  trained here, seeded, on the same digits upsampled to 32x32x3 (nearest neighbour, grey
  copied to three channels), same split.

For each: INT8 PTQ (the baseline), 50 % filter pruning + INT8 (fine-tuned), INT4 weights
(PTQ, ai-edge-quantizer), QAT INT8, QAT with 4-bit weights, and 2:4 sparsity + INT8 (to
show that it does not shrink a TFLite Micro model). Every figure comes from edgec.build's
report: flatbuffer bytes, the arena TFLite Micro allocated, and top-1 accuracy of the
quantized model run in TFLite Micro on the 497 held-out samples. Accuracy drops are
against the float model as loaded (the accuracy guard's definition).

Targets (issue 3): prune 50 % + INT8: flatbuffer <= 60 % and arena <= 75 % of INT8, drop
<= 1.5 points; INT4: flatbuffer <= 70 % of INT8, drop <= 1 point; QAT INT8 accuracy >= PTQ
INT8 accuracy - 0.2 points.

    .venv/bin/python benchmarks/optimize.py [--only digits|resnet8]

Writes benchmarks/results/optimize.json and prints a table.
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

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EXAMPLE = ROOT / "examples" / "digits"
RESULTS = ROOT / "benchmarks" / "results" / "optimize.json"
SEED = 1234

VARIANTS = {  # name -> build options beyond the model's data
    "int8": {},
    "prune50+int8": {"prune": 0.5},
    "int4": {"quant": "int4"},
    "qat-int8": {"qat": True},
    "qat-int4": {"qat": True, "quant": "int4"},
    "sparsity2:4+int8": {"sparsity": "2:4"},
}


def resnet8_on_digits(folder: Path) -> Path:
    """Train the zoo's ResNet-8 on upsampled digits; write model.keras and the data beside it."""
    sys.path.insert(0, str(EXAMPLE))
    import train as digits_train  # examples/digits/train.py: the same seeded split

    from edgec.tf_runtime import keras, tensorflow
    from edgec.zoo.mlperf_tiny import MLPERF_TINY

    tf, k = tensorflow(), keras()
    x_train, y_train, x_val, y_val = digits_train.data()

    def upsample(x):
        return np.repeat(np.repeat(np.repeat(x, 4, axis=1), 4, axis=2), 3, axis=3)

    x_train, x_val = upsample(x_train), upsample(x_val)
    k.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    model = MLPERF_TINY["ic"].build(k)
    model.compile(optimizer=k.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=30, batch_size=32, verbose=0,
              validation_data=(x_val, y_val),
              callbacks=[k.callbacks.EarlyStopping(patience=5, restore_best_weights=True)])
    model.save(folder / "model.keras")
    np.savez(folder / "train.npz", x=x_train, y=y_train)
    np.savez(folder / "calibration.npz", x=x_train[:300], y=y_train[:300])
    np.savez(folder / "validation.npz", x=x_val, y=y_val)
    return folder


def run_variants(name: str, folder: Path, work: Path) -> dict:
    import edgec

    rows = {}
    for variant, options in VARIANTS.items():
        start = time.perf_counter()
        report = edgec.build(folder / "model.keras", target="stm32",
                             calibration=folder / "calibration.npz",
                             validation=folder / "validation.npz", train=folder / "train.npz",
                             out=work / f"{name}-{variant.replace(':', '')}", **options)
        v = report.validation
        rows[variant] = {
            "options": options, "params": report.passes[-1].params,
            "model_bytes": report.model_bytes, "arena_bytes": report.arena_bytes,
            "accuracy_float": round(v["accuracy_float"], 2),
            "accuracy": round(v["accuracy_quantized"], 2),
            "drop_vs_float": round(v["accuracy_float"] - v["accuracy_quantized"], 2),
            "seconds": round(time.perf_counter() - start, 1),
        }
        if "prune" in report.optimization:
            rows[variant]["pruned_layers"] = report.optimization["prune"]["layers"]
        print(f"  {name} {variant}: {rows[variant]}", flush=True)
    return rows


def judge(rows: dict) -> dict:
    base = rows["int8"]
    pruned, int4, qat = rows["prune50+int8"], rows["int4"], rows["qat-int8"]
    figures = {
        "prune50_model_share": round(pruned["model_bytes"] / base["model_bytes"], 3),
        "prune50_arena_share": round(pruned["arena_bytes"] / base["arena_bytes"], 3),
        "prune50_drop": pruned["drop_vs_float"],
        "int4_model_share": round(int4["model_bytes"] / base["model_bytes"], 3),
        "int4_drop": int4["drop_vs_float"],
        "qat_minus_ptq_int8": round(qat["accuracy"] - base["accuracy"], 2),
        "sparsity_model_share": round(rows["sparsity2:4+int8"]["model_bytes"] / base["model_bytes"], 3),
    }
    checks = {
        "prune50_model_share <= 0.60": figures["prune50_model_share"] <= 0.60,
        "prune50_arena_share <= 0.75": figures["prune50_arena_share"] <= 0.75,
        "prune50_drop <= 1.5": figures["prune50_drop"] <= 1.5,
        "int4_model_share <= 0.70": figures["int4_model_share"] <= 0.70,
        "int4_drop <= 1.0": figures["int4_drop"] <= 1.0,
        "qat_minus_ptq_int8 >= -0.2": figures["qat_minus_ptq_int8"] >= -0.2,
    }
    return {"figures": figures, "checks": checks, "meets_targets": all(checks.values())}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=("digits", "resnet8"))
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text())["models"] if args.only and RESULTS.exists() else {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in ("digits", "resnet8"):
            if args.only and args.only != name:
                continue
            start = time.perf_counter()
            folder = EXAMPLE if name == "digits" else resnet8_on_digits((work / name, (work / name).mkdir())[0])
            rows = run_variants(name, folder, work)
            results[name] = {"variants": rows, **judge(rows),
                             "seconds": round(time.perf_counter() - start, 1)}
    out = {
        "command": "benchmarks/optimize.py",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "target": "stm32 (TFLite Micro arena measured in the x86-64 interpreter)",
        "validation_samples": 497,
        "models": results,
    }
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    for name, result in results.items():
        print(f"{name}: {json.dumps(result['figures'])}\n  checks: {json.dumps(result['checks'])}")


if __name__ == "__main__":
    main()
