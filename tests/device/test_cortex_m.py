"""The Cortex-M harness on hand-written C fixtures (tests/device/fixtures): the real
arm-none-eabi-gcc, the real qemu-system-arm and the instruction-counting plugin."""

from __future__ import annotations

import numpy as np
import pytest

from edgec.device.boards import cortex_m_board, cortex_m_boards
from edgec.device.cortex_m import build_firmware, run_firmware
from edgec.errors import BudgetError, InternalError, TargetError

from tests.device import FIXTURES

WEIGHTS = np.zeros((4, 64), dtype=np.int32)  # as in fixtures/dot_model.c
WEIGHTS[0, :8] = np.arange(1, 9)
WEIGHTS[1, :8] = -np.arange(1, 9)
WEIGHTS[2, :9:2] = 5
WEIGHTS[3, [3, 7, 11]] = 7


def dot_reference(x: np.ndarray) -> np.ndarray:
    return np.clip((x.astype(np.int32) @ WEIGHTS.T) >> 2, 0, 127).astype(np.int8)


@pytest.fixture(scope="module")
def samples() -> np.ndarray:
    return np.random.default_rng(5).integers(-128, 128, size=(6, 64), dtype=np.int8)


def build_dot(board, tmp_path, **kwargs):
    return build_firmware([FIXTURES / "dot_model.c"], board=board, out_dir=tmp_path / board.name,
                          input_bytes=64, output_bytes=4, **kwargs)


@pytest.mark.parametrize("board", cortex_m_boards(), ids=lambda b: b.name)
def test_fixture_runs_with_identical_counts_on_each_board(board, tmp_path, samples):
    firmware = build_dot(board, tmp_path, flash_limit=512 * 1024, ram_limit=128 * 1024)
    first = run_firmware(firmware, samples)
    second = run_firmware(firmware, samples)

    assert np.array_equal(first.outputs, dot_reference(samples))
    assert first.inferences == second.inferences  # instructions and per-op, exactly
    assert first.total_instructions == second.total_instructions
    assert first.stack_bytes == second.stack_bytes

    inference = first.inferences[0]
    assert [op.op for op in inference.per_op] == ["FULLY_CONNECTED", "RELU"]
    assert 256 < inference.per_op[0].instructions < 256 * 8  # 256 multiply-accumulates
    assert inference.instructions == sum(op.instructions for op in inference.per_op) \
        + inference.outside_ops and 0 < inference.outside_ops < 40
    # SysTick counts the same span in virtual time, one tick per (1e9 / sysclk) instructions
    tick = 1e9 / board.sysclk_hz
    for counted, systick in zip(first.instructions, first.systick_instructions):
        assert abs(systick - counted) <= 2 * tick + 8

    memory = firmware.memory
    assert memory.sections[".rodata"] >= WEIGHTS.size  # the int8 weights
    assert 2048 < memory.flash_bytes < 16 * 1024  # startup, semihosting, bench loop, model
    assert 68 <= memory.static_ram_bytes < 1024  # input and output buffers, a few words
    assert 32 < first.stack_bytes < 1024


def test_stack_painting_measures_a_known_stack_use(tmp_path):
    board = cortex_m_board("cortex-m4")
    used = {}
    for size in (1024, 4096):
        firmware = build_firmware([FIXTURES / "stack_model.c"], board=board, out_dir=tmp_path / str(size),
                                  input_bytes=8, output_bytes=1, ram_limit=64 * 1024,
                                  cflags=("-O2", f"-DFIXTURE_STACK_BYTES={size}"))
        used[size] = run_firmware(firmware, np.ones((1, 8), dtype=np.int8)).stack_bytes
    assert 4096 <= used[4096] < 4096 + 512
    assert used[4096] - used[1024] == 3072  # the same frames, 3 KiB more buffer


def test_a_model_too_large_for_ram_fails_before_the_emulator(tmp_path):
    board = cortex_m_board("cortex-m4")
    with pytest.raises(BudgetError, match=r"model does not fit stm32f446: RAM exceeded by [\d,]+ bytes"):
        build_dot(board, tmp_path, ram_limit=128 * 1024, target="stm32f446",
                  cflags=("-O2", "-DFIXTURE_STATIC_BYTES=200000"))
    assert not (tmp_path / board.name / "app.elf").exists()
    assert not (tmp_path / board.name / "run").exists()  # QEMU never started


def test_a_model_too_large_for_flash_fails_to_link(tmp_path):
    with pytest.raises(BudgetError, match="FLASH exceeded"):
        build_dot(cortex_m_board("cortex-m7"), tmp_path, flash_limit=1024)


def test_a_model_larger_than_the_board_is_a_target_error(tmp_path):
    board = cortex_m_board("cortex-m4")  # 4 MiB of RAM on the board
    with pytest.raises(TargetError, match="more RAM than the emulated board mps2-an386 has"):
        build_dot(board, tmp_path, ram_limit=64 * 1024 * 1024,
                  cflags=("-O2", "-DFIXTURE_STATIC_BYTES=5000000"))


@pytest.mark.parametrize("body, core, message", [
    ("*out = *(volatile int8_t *)0xF0000000u; return in[0];", "cortex-m4",
     "stopped on a CPU fault: edgec: fault exception=00000003"),  # HardFault, with CFSR and PC
    ("return 1;", "cortex-m55", "edgec_model_invoke returned an error"),
], ids=["fault", "error-status"])
def test_a_failing_program_is_reported(body, core, message, tmp_path):
    source = tmp_path / "model.c"
    source.write_text("#include <stdint.h>\n"
                      f"int edgec_model_invoke(const int8_t *in, int8_t *out) {{ {body} }}\n")
    firmware = build_firmware([source], board=cortex_m_board(core), out_dir=tmp_path / "b",
                              input_bytes=1, output_bytes=1)
    with pytest.raises(InternalError, match=message):
        run_firmware(firmware, np.zeros((1, 1), dtype=np.int8), timeout=60)


def test_broken_c_is_an_internal_error_with_the_compiler_message(tmp_path):
    source = tmp_path / "broken.c"
    source.write_text("int edgec_model_invoke(const signed char *in, signed char *out) { return nope; }\n")
    with pytest.raises(InternalError, match="'nope' undeclared"):
        build_firmware([source], board=cortex_m_board("cortex-m4"), out_dir=tmp_path / "b",
                       input_bytes=1, output_bytes=1)


def test_a_core_without_an_emulated_board_is_a_target_error():
    with pytest.raises(TargetError, match="no emulated board runs core 'cortex-m0plus'"):
        cortex_m_board("cortex-m0plus")
