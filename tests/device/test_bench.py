"""bench_c_model: C for a real .tflite built for a target, run under QEMU, checked bit for bit
against TensorFlow Lite Micro (fixtures/maxpool_model.c implements the MAX_POOL_2D model)."""

from __future__ import annotations

import json

import pytest

from edgec.device.bench import bench_c_model, write_bench
from edgec.errors import BudgetError
from edgec.targets import load_target
from edgec.tflite import read_model

from tests.device import FIXTURES

CONTRACT_KEYS = {"instructions_per_inference", "flash_bytes", "ram_bytes", "stack_bytes",
                 "tflm_arena_bytes", "bit_exact", "samples_compared", "per_op"}


def test_the_fixture_model_is_one_max_pool(maxpool_tflite):
    assert [op.opcode for op in read_model(maxpool_tflite).main.operators] == ["MAX_POOL_2D"]


@pytest.mark.parametrize("target", ["stm32", "stm32f746"])  # Cortex-M4 and Cortex-M7
def test_bench_is_bit_exact_against_tflite_micro(maxpool_tflite, digits, target, tmp_path):
    result = bench_c_model(maxpool_tflite, [FIXTURES / "maxpool_model.c"], target,
                           inputs=[digits.x_val[:12]])
    assert CONTRACT_KEYS <= set(result)
    assert result["bit_exact"] is True and result["mismatched_samples"] == 0
    assert result["samples_compared"] == 12
    assert [op["op"] for op in result["per_op"]] == ["MAX_POOL_2D"]
    assert result["per_op"][0]["instructions"] < result["instructions_per_inference"]
    assert result["ram_bytes"] == result["static_ram_bytes"] + result["stack_bytes"]
    assert result["tflm_arena_bytes"] > 0
    profile = load_target(target)
    assert result["estimated_ms"] == pytest.approx(
        result["instructions_per_inference"] / (profile.device.clock_mhz * 1e3), rel=1e-3)
    assert result["estimate"]["assumed_cpi"] == 1.0
    path = write_bench(result, tmp_path / "out")
    assert json.loads(path.read_text()) == result


def test_bench_reports_outputs_that_differ(maxpool_tflite):
    result = bench_c_model(maxpool_tflite, [FIXTURES / "maxpool_model.c"], "stm32", samples=5,
                           cflags=("-O2", "-DFIXTURE_OFF_BY_ONE"))
    assert result["bit_exact"] is False
    assert result["mismatched_samples"] == 5 and result["max_abs_difference"] == 1


def test_bench_refuses_a_model_over_the_targets_ram_before_running(maxpool_tflite, tmp_path):
    tiny = tmp_path / "tiny.toml"
    tiny.write_text('inherits = "stm32l4r5"\nname = "1 KiB of RAM"\n[device]\nram = "1 KiB"\n'
                    '[runtime]\nram_overhead_bytes = 0\n')
    with pytest.raises(BudgetError, match="model does not fit tiny: RAM exceeded"):
        bench_c_model(maxpool_tflite, [FIXTURES / "maxpool_model.c"], load_target(target_file=tiny))


def test_bench_reports_progress_while_the_board_runs(maxpool_tflite):
    seen: list[int] = []
    result = bench_c_model(maxpool_tflite, [FIXTURES / "maxpool_model.c"], "stm32", samples=5,
                           progress=seen.append)
    assert result["samples_compared"] == 5
    assert seen and seen == sorted(seen) and seen[-1] == 5
