"""Whole MLPerf Tiny models (KWS DS-CNN, IC ResNet-8) with the DSP kernels on emulated
Cortex-M4 and M7 and the Helium (MVE) kernels on the M55: bit-exact with TensorFlow Lite Micro and with the portable kernels (the
same model's scalar C on the host), instruction counts identical run to run. Each model is
compiled once per core."""

from __future__ import annotations

import numpy as np
import pytest

from edgec.aot import generate
from edgec.device.boards import cortex_m_board
from edgec.device.cortex_m import build_firmware, run_firmware
from edgec.tflite import read_model
from edgec.tflm import MicroRunner
from tests.aot.native import NativeModel, write_files

MODELS = ("kws", "ic")
#: (core, kernel set)
CORES = (("cortex-m4", "dsp"), ("cortex-m7", "dsp"), ("cortex-m55", "mve"))
SAMPLES = 3


@pytest.fixture(scope="module")
def cases(mlperf_tflites, tmp_path_factory) -> dict:
    """Per model: input rows, TFLite Micro's outputs and the host-compiled scalar C's."""
    out = {}
    for name in MODELS:
        tflite = mlperf_tflites[name]
        model = read_model(tflite)
        x = model.main.tensors[model.main.inputs[0]]
        rows = np.random.default_rng(17).integers(-128, 128, (SAMPLES, x.elements), dtype=np.int8)
        runner = MicroRunner(tflite, model)
        tflm = np.stack([runner.run_raw([r.reshape(x.shape)])[0].reshape(-1) for r in rows])
        folder = write_files(generate(model, kernels="scalar").files,
                             tmp_path_factory.mktemp(f"{name}-scalar"))
        native = NativeModel(folder)
        scalar = np.stack([np.frombuffer(native.run([r], tflm.shape[1]), np.int8) for r in rows])
        out[name] = {"model": model, "rows": rows, "tflm": tflm, "scalar": scalar}
    return out


@pytest.mark.parametrize("core, kernel_set", CORES)
@pytest.mark.parametrize("name", MODELS)
def test_model_with_simd_kernels_is_bit_exact(cases, name, core, kernel_set, tmp_path):
    case = cases[name]
    result = generate(case["model"], kernels=kernel_set)
    assert result.stats["simd_kernels"] >= 5 and result.stats["kernel_set"] == kernel_set
    folder = write_files(result.files, tmp_path / "c")
    firmware = build_firmware(sorted(folder.glob("edgec_*.c")), board=cortex_m_board(core),
                              out_dir=tmp_path / "fw", input_bytes=case["rows"].shape[1],
                              output_bytes=case["tflm"].shape[1], include_dirs=[folder])
    run = run_firmware(firmware, case["rows"])

    assert np.array_equal(run.outputs, case["tflm"])
    assert np.array_equal(run.outputs, case["scalar"])  # SIMD and portable kernels agree
    assert [op.index for op in run.inferences[0].per_op] == result.stats["order"]
    if core == "cortex-m4":  # the count is deterministic: a second run counts the same
        again = run_firmware(firmware, case["rows"])
        assert again.inferences == run.inferences  # per inference and per op, exactly
        assert again.total_instructions == run.total_instructions
