"""bench.json: a model's C on a Cortex-M target, run under QEMU and checked against TFLite Micro.

`bench_c_model` takes the .tflite and the C that implements it (issue 5's generated
code, or any C with the harness's interface), builds it for the target profile's core
and memories, runs samples through it under QEMU and through TensorFlow Lite Micro's
interpreter, and returns the figures bench.json holds.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from edgec.device.boards import cortex_m_board
from edgec.device.cortex_m import build_firmware, run_firmware
from edgec.device.samples import pack, sample_bytes
from edgec.errors import DataError, UnsupportedOpError
from edgec.targets import Profile, load_target
from edgec.tflite import read_model
from edgec.tflite.quantize_io import to_tensor
from edgec.tflm import MicroRunner

BENCH_NAME = "bench.json"


def bench_c_model(tflite: bytes, sources: Sequence[str | Path], target: Profile | str, *,
                  inputs: Sequence[np.ndarray] | None = None, samples: int = 8, seed: int = 0,
                  include_dirs: Sequence[str | Path] = (), cflags: Sequence[str] = ("-O2",),
                  work_dir: str | Path | None = None, timeout: float = 600.0,
                  progress: Callable[[int], None] | None = None) -> dict:
    """Build `sources` for `target`, run them under QEMU and compare with TFLite Micro.

    inputs: one array per model input, samples first: float data (quantized with the
    input tensor's scale and zero point) or int8 already. Without them, `samples`
    random int8 samples (seeded). Raises BudgetError when the model does not fit the
    target's flash or RAM, before QEMU starts. `progress(done)` hears how many samples the
    board has run (edgec.device.cortex_m.run_firmware).
    """
    profile = target if isinstance(target, Profile) else load_target(target)
    board = cortex_m_board(profile.device.core)
    model = read_model(tflite)
    graph = model.main
    in_tensors = [graph.tensors[i] for i in graph.inputs]
    out_tensors = [graph.tensors[i] for i in graph.outputs]
    for t in in_tensors + out_tensors:
        if t.type != "int8":
            raise UnsupportedOpError(f"tensor '{t.name}' is {t.type}; edgec_model_invoke passes int8",
                                     hint="build the model with int8 inputs and outputs")
    quantized = _quantized_inputs(in_tensors, inputs, samples, seed)
    rows = pack(quantized, in_tensors).view(np.int8)

    with tempfile.TemporaryDirectory(prefix="edgec-bench-", dir=work_dir) as tmp:
        firmware = build_firmware(sources, board=board, out_dir=Path(tmp) / "build",
                                  input_bytes=rows.shape[1], output_bytes=sample_bytes(out_tensors),
                                  include_dirs=include_dirs, flash_limit=profile.device.flash_bytes,
                                  ram_limit=profile.device.ram_bytes, cflags=cflags, target=profile.id)
        device = run_firmware(firmware, rows, timeout=timeout, progress=progress)

    runner = MicroRunner(tflite, model)
    reference = np.stack([
        np.concatenate([o.reshape(-1) for o in runner.run_raw(
            [q[s:s + 1].reshape(t.shape) for q, t in zip(quantized, in_tensors)])]).view(np.int8)
        for s in range(len(rows))])
    differs = device.outputs != reference
    mismatched = int(differs.any(axis=1).sum())
    worst = max(range(len(rows)), key=lambda s: device.inferences[s].instructions)
    slowest = device.inferences[worst]
    clock_mhz, cpi = profile.device.clock_mhz, board.assumed_cpi
    return {
        "target": profile.id,
        "device": "qemu",
        "board": board.name,
        "core": board.core,
        "instructions_per_inference": slowest.instructions,
        "instructions_min": min(device.instructions),
        "flash_bytes": firmware.memory.flash_bytes,
        "ram_bytes": firmware.memory.static_ram_bytes + device.stack_bytes,
        "static_ram_bytes": firmware.memory.static_ram_bytes,
        "stack_bytes": device.stack_bytes,
        "model_stack_bytes": device.model_stack_bytes,
        "tflm_arena_bytes": runner.arena_bytes(),
        "bit_exact": mismatched == 0,
        "samples_compared": len(rows),
        "mismatched_samples": mismatched,
        "max_abs_difference": int(np.abs(device.outputs.astype(np.int16) - reference).max()),
        "per_op": [op.to_dict() for op in slowest.per_op],
        "instructions_outside_ops": slowest.outside_ops,
        "systick_instructions": device.systick_instructions[worst],
        "estimated_ms": slowest.instructions * cpi / (clock_mhz * 1e3),
        "estimate": {"clock_mhz": clock_mhz, "assumed_cpi": cpi,
                     "method": "instructions x assumed CPI / clock. QEMU has no timing model; "
                               "instructions are a lower bound on cycles on a single-issue core"},
        "sections": firmware.memory.sections,
    }


def _quantized_inputs(tensors, inputs, samples: int, seed: int) -> list[np.ndarray]:
    if inputs is None:
        if samples < 1:
            raise DataError("samples must be at least 1")
        rng = np.random.default_rng(seed)
        return [rng.integers(-128, 128, size=(samples, *t.shape[1:]), dtype=np.int8) for t in tensors]
    if len(inputs) != len(tensors):
        raise DataError(f"the model has {len(tensors)} input(s), {len(inputs)} array(s) given")
    return [np.asarray(x) if np.asarray(x).dtype == np.int8 else to_tensor(np.asarray(x), t)
            for x, t in zip(inputs, tensors)]


def write_bench(result: dict, out: str | Path) -> Path:
    """Write OUT/bench.json atomically (other files in OUT are left alone)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".bench-", suffix=".json", dir=out)
    with os.fdopen(fd, "w") as f:
        f.write(json.dumps(result, indent=2) + "\n")
    path = out / BENCH_NAME
    os.replace(tmp, path)
    return path
