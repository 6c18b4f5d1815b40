"""Fuzz the .tflite readers edgec uses for analysis and code generation (issue 9).

Coverage-guided (atheris, libFuzzer's engine) from a seed corpus of real flatbuffers:
the digits example and the four MLPerf Tiny reference models, converted to INT8, plus
a float model. Each mutated input goes through everything edgec does with an untrusted
flatbuffer: the bounds-checked reader, per-op costs (analysis), the op checks of every
shipped target, and the ahead-of-time code generator (edgec.aot.generate). The only acceptable
failure is an edgec error (ModelError for damage, UnsupportedOpError for ops outside a
target); any other exception is a crash, and libFuzzer's -timeout catches hangs.

    .venv/bin/python benchmarks/fuzz_flatbuffers.py            # 20,000 inputs
    .venv/bin/python benchmarks/fuzz_flatbuffers.py --runs 100000

Writes benchmarks/results/fuzz_flatbuffers.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "fuzz_flatbuffers.json"
INPUTS, PARSED, PROFILES = range(3)  # slots of the shared counters


def seed_corpus(folder: Path) -> list[str]:
    """Write real flatbuffers into `folder` (TensorFlow runs here, before fuzzing starts)."""
    import numpy as np

    from edgec.models import load_model
    from edgec.passes.quantize import convert_int8
    from edgec.tf_runtime import keras, tensorflow
    from edgec.zoo import MLPERF_TINY, build_mlperf_tiny

    rng = np.random.default_rng(0)
    names = []
    digits = load_model(ROOT / "examples" / "digits" / "model.keras")
    models = {"digits": digits}
    for name in MLPERF_TINY:
        model = build_mlperf_tiny(name, keras())
        path = Path(tempfile.mkdtemp()) / f"{name}.keras"
        model.save(path)
        models[name] = load_model(path)
    for name, model in models.items():
        samples = rng.random((8, *model.input_shape), dtype=np.float32)
        (folder / f"{name}.tflite").write_bytes(convert_int8(model, samples))
        names.append(name)
    tf = tensorflow()
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [digits.concrete_function()], digits.trackable)
    (folder / "digits-float.tflite").write_bytes(converter.convert())
    return names + ["digits-float"]


def fuzz(corpus: Path, runs: int, timeout: int, counts, log: Path) -> None:
    """The fuzzing process (forked): libFuzzer ends it with a non-zero status on a crash or
    hang. `counts` lives in shared memory, so it survives libFuzzer's _exit."""
    import atheris

    with open(log, "wb") as sink:  # libFuzzer's own output goes to the log
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)

    with atheris.instrument_imports():
        from edgec.aot import generate  # noqa: F401  (imported here to be instrumented)
        from edgec.errors import ModelError, UnsupportedOpError
        from edgec.passes.op_check import op_records
        from edgec.targets import list_profiles
        from edgec.tflite import read_model
        from edgec.tflite.costs import op_costs
    profiles = list_profiles()
    codegen = _codegen_front_end()
    counts[INPUTS] = counts[PARSED] = 0
    counts[PROFILES] = len(profiles)

    def one_input(data: bytes) -> None:
        counts[INPUTS] += 1
        try:
            model = read_model(data)
            op_costs(model)
            for profile in profiles:
                op_records(model, profile)
            codegen(model)
            counts[PARSED] += 1
        except (ModelError, UnsupportedOpError):
            pass

    atheris.Setup([sys.argv[0], str(corpus), f"-runs={runs}", f"-timeout={timeout}",
                   "-rss_limit_mb=4096", "-print_final_stats=1"], one_input)
    atheris.Fuzz()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--timeout", type=int, default=10, help="seconds per input (a hang)")
    parser.add_argument("--seeds-into", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seeds_into:
        print(json.dumps(seed_corpus(args.seeds_into)))
        return

    # Seeds come from a separate process: TensorFlow and edgec's readers must not be imported
    # here, or atheris could not instrument the readers when the fuzzing child imports them.
    corpus = Path(tempfile.mkdtemp(prefix="edgec-fuzz-corpus-"))
    seeds = json.loads(subprocess.run([sys.executable, __file__, "--seeds-into", str(corpus)],
                                      check=True, capture_output=True, text=True).stdout)
    work = Path(tempfile.mkdtemp(prefix="edgec-fuzz-"))
    os.chdir(work)  # libFuzzer writes crash-*/timeout-* files into the working folder
    context = multiprocessing.get_context("fork")
    counts = context.Array("q", 3, lock=False)
    log = work / "libfuzzer.log"
    start = time.perf_counter()
    child = context.Process(target=fuzz, args=(corpus, args.runs, args.timeout, counts, log))
    child.start()
    child.join()
    seconds = time.perf_counter() - start
    inputs, parsed = counts[INPUTS], counts[PARSED]
    crashed = child.exitcode != 0
    result = {
        "command": "python benchmarks/fuzz_flatbuffers.py " + " ".join(sys.argv[1:]),
        "engine": "atheris 3.0.0 (libFuzzer engine, coverage-guided, Python code instrumented)",
        "seeds": seeds,
        "targets": ["edgec.tflite.read_model", "edgec.tflite.costs.op_costs",
                    f"edgec.passes.op_check.op_records x {counts[PROFILES]} targets",
                    "edgec.aot.generate (lowering, schedule, memory plan, verifier, C source)"],
        "inputs_run": inputs,
        "parsed_ok": parsed,
        "rejected_with_edgec_error": inputs - parsed if not crashed else None,
        "crash_or_hang": crashed,
        "fuzzer_exit_code": child.exitcode,
        "seconds": round(seconds, 1),
        "date": time.strftime("%Y-%m-%d"),
    }
    if crashed:
        result["fuzzer_output_tail"] = log.read_text(errors="replace")[-4000:]
        result["crash_inputs"] = [str(p) for p in work.glob("crash-*")] + \
            [str(p) for p in work.glob("timeout-*")]
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    sys.exit(1 if crashed else 0)


def _codegen_front_end():
    """The AOT code generator over a parsed model: lowering, scheduling, the memory plan and
    its verifier, and the C it writes (edgec.aot.generate)."""
    from edgec.aot import generate

    return generate


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    main()
