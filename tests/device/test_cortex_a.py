"""The Cortex-A harness: LiteRT (aarch64 wheel) under qemu-aarch64, against TFLite on the host."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from edgec.device.boards import cortex_a_core, cortex_a_cores
from edgec.device.cortex_a import bench_cortex_a, run_litert, run_on_host
from edgec.errors import TargetError
from edgec.tflite import read_model
from edgec.tflite.quantize_io import to_tensor

from tests.device import FIXTURES

# Linux's arm64 HWCAP bits, in order (arch/arm64/include/uapi/asm/hwcap.h), as cpuinfo names them.
HWCAP_NAMES = ["fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32", "atomics", "fphp",
               "asimdhp", "cpuid", "asimdrdm", "jscvt", "fcma", "lrcpc", "dcpop", "sha3", "sm3", "sm4",
               "asimddp", "sha512", "sve", "asimdfhm"]


@pytest.fixture(scope="module")
def cpu_probe(tmp_path_factory):
    program = tmp_path_factory.mktemp("probe") / "cpu_probe"
    subprocess.run(["aarch64-linux-gnu-gcc", "-static", "-O2", "-o", str(program),
                    str(FIXTURES / "cpu_probe.c")], check=True)
    return program


@pytest.mark.parametrize("core", cortex_a_cores(), ids=lambda c: c.name)
def test_cpuinfo_data_matches_what_qemu_emulates(core, cpu_probe):
    out = subprocess.run(["qemu-aarch64", "-cpu", core.qemu_cpu, str(cpu_probe)], check=True,
                         capture_output=True, text=True).stdout.split()
    midr, hwcap = int(out[0], 16), int(out[1], 16)
    assert midr == core.midr
    assert list(core.features) == [name for bit, name in enumerate(HWCAP_NAMES) if hwcap >> bit & 1]
    assert f"CPU part\t: 0x{core.part:03x}" in core.cpuinfo()


def held_out_digits(tflite: bytes, digits, count: int = 8) -> list[np.ndarray]:
    """Held-out digits, quantized for the model's int8 input."""
    graph = read_model(tflite).main
    return [to_tensor(digits.x_val[:count], graph.tensors[graph.inputs[0]])]


@pytest.mark.parametrize("xnnpack", [False, True], ids=["builtin", "xnnpack"])
def test_litert_under_qemu_matches_the_host_with_identical_counts(digits_tflite, digits, xnnpack):
    inputs = held_out_digits(digits_tflite, digits)
    first = run_litert(digits_tflite, "cortex-a72", inputs, xnnpack=xnnpack)
    second = run_litert(digits_tflite, "cortex-a72", inputs, xnnpack=xnnpack)

    host = run_on_host(digits_tflite, inputs, xnnpack=xnnpack)
    assert len(first.outputs) == 1 and first.outputs[0].shape == (8, 10)
    assert np.array_equal(first.outputs[0], host[0])
    assert first.inferences == second.inferences and first.total_instructions == second.total_instructions
    if not xnnpack:  # TFLite's own kernels: nothing delegated
        assert first.fully_accelerated is False
    assert all(count > 10_000 for count in first.instructions)


def test_xnnpack_runs_fewer_instructions_and_the_core_model_is_honoured(digits_tflite, digits):
    inputs = held_out_digits(digits_tflite, digits)
    builtin = run_litert(digits_tflite, "cortex-a53", inputs, xnnpack=False)
    xnnpack = run_litert(digits_tflite, "cortex-a53", inputs, xnnpack=True)
    assert np.array_equal(builtin.outputs[0], xnnpack.outputs[0])
    assert xnnpack.instructions[-1] < builtin.instructions[-1]


def test_unknown_core_or_kernels_are_target_errors(digits_tflite):
    with pytest.raises(TargetError, match="does not know core 'cortex-a55'"):
        cortex_a_core("cortex-a55")
    with pytest.raises(TargetError, match="unknown kernel mode"):
        run_litert(digits_tflite, "cortex-a53", [], kernels="gpu")


def test_bench_cortex_a_reports_both_kernel_paths(digits_tflite, digits):
    result = bench_cortex_a(digits_tflite, "cortex-a76", held_out_digits(digits_tflite, digits, 3))
    assert result["samples"] == 3 and result["runtime"] == "LiteRT 2.3.0"
    for kernels in ("xnnpack", "builtin"):
        figures = result[kernels]
        assert figures["matches_host"] is True and figures["max_abs_difference_to_host"] == 0
        assert 0 < figures["instructions_per_inference"] < figures["first_inference_instructions"]
    assert result["xnnpack"]["instructions_per_inference"] < result["builtin"]["instructions_per_inference"]
