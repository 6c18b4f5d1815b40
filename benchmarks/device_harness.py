"""Benchmark: the emulator harnesses (edgec/device) on this machine.

Measures, in one run:
- Cortex-M (qemu-system-arm): the int8 dot-product test fixture (tests/device/fixtures/
  dot_model.c) on each board: instructions per inference, flash, static RAM and stack
  from the harness; and the cost of counting: SAMPLES inferences (about a VWW-sized
  27 M instructions in all) with the instruction-count plugin beside the same ELF under
  plain QEMU (the baseline), interleaved, best of --repeat;
- Cortex-A (qemu-aarch64): the digits example (examples/digits, built by edgec for int8)
  under LiteRT 2.3.0 on each core, with XNNPACK and with the builtin kernels: steady and
  first-inference instructions, and whether the outputs equal LiteRT's on the host.

    .venv/bin/python benchmarks/device_harness.py [--repeat 3]

Writes benchmarks/results/device_harness.json and prints it.
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

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIXTURE = ROOT / "tests" / "device" / "fixtures" / "dot_model.c"
EXAMPLE = ROOT / "examples" / "digits"
SAMPLES = 20_000


def cortex_m(tmp: Path, repeat: int) -> dict:
    from edgec.device.boards import cortex_m_boards
    from edgec.device.cortex_m import build_firmware, run_firmware
    from edgec.device.plugin import plugin_library

    rows = np.random.default_rng(0).integers(-128, 128, size=(SAMPLES, 64), dtype=np.int8)
    boards = {}
    for board in cortex_m_boards():
        firmware = build_firmware([FIXTURE], board=board, out_dir=tmp / board.name, input_bytes=64,
                                  output_bytes=4, ram_limit=128 * 1024)
        run = run_firmware(firmware, rows[:4])
        boards[board.name] = {"core": board.core, "instructions_per_inference": max(run.instructions),
                              "flash_bytes": firmware.memory.flash_bytes,
                              "static_ram_bytes": firmware.memory.static_ram_bytes,
                              "stack_bytes": run.stack_bytes}

    board = cortex_m_boards()[0]
    firmware = build_firmware([FIXTURE], board=board, out_dir=tmp / "throughput", input_bytes=64,
                              output_bytes=4, ram_limit=128 * 1024)
    plugin_library()  # built before timing
    plain_dir = tmp / "plain"
    plain_dir.mkdir()
    rows.tofile(plain_dir / "input.bin")
    plain = ["qemu-system-arm", "-M", board.name, "-cpu", board.qemu_cpu, "-nographic", "-semihosting",
             "-icount", "shift=0", "-kernel", str(firmware.elf)]
    times = {"counted": [], "plain": []}
    counted = None
    for _ in range(repeat):  # interleaved: both see the same machine load
        start = time.perf_counter()
        counted = run_firmware(firmware, rows)
        times["counted"].append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run(plain, cwd=plain_dir, check=True, stdout=subprocess.DEVNULL)
        times["plain"].append(time.perf_counter() - start)
    best = {k: min(v) for k, v in times.items()}
    return {
        "fixture": str(FIXTURE.relative_to(ROOT)),
        "boards": boards,
        "throughput": {
            "board": board.name, "samples": SAMPLES,
            "model_instructions": sum(counted.instructions),
            "program_instructions": counted.total_instructions,
            "counted_wall_s": round(best["counted"], 2), "plain_qemu_wall_s": round(best["plain"], 2),
            "wall_ratio_counted_over_plain": round(best["counted"] / best["plain"], 2),
            "counted_million_instructions_per_s": round(counted.total_instructions / best["counted"] / 1e6),
        },
    }


def cortex_a(tmp: Path) -> dict:
    import edgec
    from edgec.device.boards import cortex_a_cores
    from edgec.device.cortex_a import bench_cortex_a
    from edgec.tflite import read_model
    from edgec.tflite.quantize_io import to_tensor

    out = tmp / "digits"
    edgec.build(EXAMPLE / "model.keras", target="stm32", calibration=EXAMPLE / "calibration.npz",
                validation=EXAMPLE / "validation.npz", out=out)
    tflite = (out / "model.tflite").read_bytes()
    graph = read_model(tflite).main
    x = np.load(EXAMPLE / "validation.npz")["x"][:5]
    inputs = [to_tensor(x, graph.tensors[graph.inputs[0]])]
    cores = {}
    for core in cortex_a_cores():
        start = time.perf_counter()
        cores[core.name] = bench_cortex_a(tflite, core.name, inputs)
        cores[core.name]["wall_s_both_runs"] = round(time.perf_counter() - start, 1)
    return {"model": "examples/digits (edgec build --target stm32: int8)", "cores": cores}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = {
            "command": "benchmarks/device_harness.py",
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "qemu": subprocess.run(["qemu-system-arm", "--version"], capture_output=True,
                                   text=True).stdout.splitlines()[0],
            "date": time.strftime("%Y-%m-%d"),
            "repeat": args.repeat,
            "cortex_m": cortex_m(Path(tmp), args.repeat),
            "cortex_a": cortex_a(Path(tmp)),
        }
    (ROOT / "benchmarks" / "results" / "device_harness.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
