"""`edgec.build` for each target family beyond the STM32s: one model that passes and one that
fails with the right message. Real converter, real Vela, real LiteRT, real TFLite Micro."""

from __future__ import annotations

import json

import numpy as np
import pytest

import edgec
from edgec.compilers import vela
from edgec.errors import BudgetError, TargetError, UnsupportedOpError
from edgec.passes.op_check import check_ops, op_records
from edgec.targets import load_target
from edgec.tflite import read_model
from tests import target_models as tm


@pytest.fixture(scope="module")
def gelu_example(keras, digits, tmp_path_factory):
    """The GELU CNN (random weights) saved as .keras, with digits data to calibrate on."""
    root = tmp_path_factory.mktemp("gelu")
    tm.gelu_cnn(keras).save(root / "model.keras")
    np.savez(root / "calibration.npz", x=digits.x_train[:100], y=digits.y_train[:100])
    return root / "model.keras", root / "calibration.npz"


def build(example, target, out, **kwargs):
    return edgec.build(example.model, target=target, calibration=example.calibration,
                       validation=example.validation, out=out, **kwargs)


# ---- Arm Ethos-U: Vela compiles, its figures are reported and budgeted ----

def test_ethos_u55_build_compiles_with_vela(digits_example, tmp_path):
    out = tmp_path / "u55"
    report = build(digits_example, "ethos-u55-128", out)
    v = report.vela
    assert (v["accelerator_config"], v["system_config"], v["memory_mode"]) == \
        ("ethos-u55-128", "Ethos_U55_High_End_Embedded", "Shared_Sram")
    assert v["sram_bytes"] > 0 and v["flash_bytes"] > 0 and v["cycles_total"] > 0
    assert v["inference_ms"] > 0 and v["macs"] > 0
    assert all(op.placement == "npu" and op.delegate == "ethos-u" for op in report.ops)
    assert [p.name for p in report.passes] == ["load", "data", "quantize", "check-ops", "compile",
                                               "validate", "budgets", "emit"]
    # budgets use Vela's SRAM as the arena and Vela's output as the model in flash
    compiled = (out / "model_vela.tflite").read_bytes()
    assert report.arena_bytes == v["sram_bytes"] + v["dram_bytes"]
    assert report.budget("ram").parts["arena"] == report.arena_bytes
    assert report.budget("flash").parts["model"] == len(compiled)
    assert any(op.opcode == "CUSTOM:ethos-u" for op in read_model(compiled).main.operators)
    # the C array holds what the firmware runs: Vela's output
    assert f"edgec_model_data_len = {len(compiled)}u" in (out / "model_data.c").read_text()
    assert report.validation["accuracy_quantized"] > 90
    assert {"model_vela.tflite", "vela_summary.csv", "model.tflite", "model_data.c"} <= \
        set(report.outputs)


def test_ethos_u65_budget_breach_is_measured_by_vela(digits_example, tmp_path):
    with pytest.raises(BudgetError, match="RAM budget exceeded") as info:
        build(digits_example, "ethos-u65-256", tmp_path / "u65", ram_budget=5 * 1024)
    report = info.value.report
    assert report.vela["accelerator_config"] == "ethos-u65-256"
    assert report.budget("ram").parts == {"arena": report.vela["sram_bytes"],
                                          "runtime_overhead": 4096}


def test_ethos_u_refuses_int4_before_vela_is_called(tf, digits_example, tmp_path):
    with pytest.raises(TargetError, match="target ethos-u55-128 cannot run int4 models"):
        build(digits_example, "ethos-u55-128", tmp_path / "int4", quant="int4")
    data, _ = tm.int8(tf, lambda x: tf.reshape(x, [1, 64]) @ tf.ones([64, 32]))
    int4 = tm.with_int4_weights(data)
    model = read_model(int4)
    with pytest.raises(UnsupportedOpError, match="Vela cannot compile INT4 models"):
        vela.compile_model(int4, model, "ethos-u55-128", "Ethos_U55_High_End_Embedded",
                           "Shared_Sram")
    reasons = [r.reason for r in op_records(model, load_target("ethos-u55-128")) if r.reason]
    assert any("is int4; build with --quant int8 for Ethos-U" in r for r in reasons)


# ---- Android: NNAPI, GPU, XNNPACK ----

def test_nnapi_build_into_an_app_assets_folder(gelu_example, tmp_path):
    model, calibration = gelu_example
    assets = tmp_path / "app" / "src" / "main" / "assets"
    assets.mkdir(parents=True)
    (assets / "labels.txt").write_text("the app's own file\n")
    report = edgec.build(model, target="android-nnapi", calibration=calibration, out=assets)
    data = json.loads((assets / "report.json").read_text())
    assert [(o["op"], o["placement"]) for o in data["ops"]] == [
        ("CONV_2D", "npu"), ("GELU", "cpu"), ("CONV_2D", "npu"), ("MAX_POOL_2D", "npu"),
        ("RESHAPE", "npu"), ("FULLY_CONNECTED", "npu"), ("SOFTMAX", "npu")]
    assert data["ops"][1]["reason"] == "nnapi has no GELU" and "reason" not in data["ops"][0]
    assert data["placement"]["partitions"] == 3
    assert any("3 partitions" in w for w in data["warnings"])
    assert any("deprecated from Android 15" in w for w in data["warnings"])
    assert sorted(p.name for p in assets.iterdir()) == ["labels.txt", "model.tflite",
                                                        "model_io.json", "report.html",
                                                        "report.json"]
    assert (assets / "labels.txt").read_text() == "the app's own file\n"
    # model_io.json describes the flatbuffer's own inputs and outputs
    io = json.loads((assets / "model_io.json").read_text())
    graph = read_model((assets / "model.tflite").read_bytes()).main
    for entries, indices in ((io["inputs"], graph.inputs), (io["outputs"], graph.outputs)):
        for entry, index in zip(entries, indices):
            t = graph.tensors[index]
            assert (entry["name"], entry["shape"], entry["dtype"]) == (t.name, list(t.shape), t.type)
            assert entry["quantization"] == {"scale": [float(t.quantization.scale[0])],
                                             "zero_point": [int(t.quantization.zero_point[0])]}
    assert io["inputs"][0]["shape"] == [1, 8, 8, 1] and io["outputs"][0]["dtype"] == "int8"
    assert report.validation["runtime"] == "litert"


def test_nnapi_refuses_dynamic_shapes(tf, keras):
    data, model = tm.float32(tf, tm.gelu_cnn(keras), fixed_batch=False)
    records = op_records(model, load_target("android-nnapi"))
    assert "dynamic shape [-1, 8, 8, 1]" in records[0].reason and not records[0].supported


def test_android_gpu_builds_float32_and_breaches_a_flash_budget(digits_example, tmp_path):
    report = build(digits_example, "android-gpu", tmp_path / "gpu")
    assert report.quantization == "float32"
    graph = read_model((tmp_path / "gpu" / "model.tflite").read_bytes()).main
    assert graph.tensors[graph.inputs[0]].type == "float32"
    assert all(op.placement == "gpu" for op in report.ops)
    assert report.validation["top1_agreement"] == 100.0
    with pytest.raises(BudgetError, match="FLASH budget exceeded") as info:
        build(digits_example, "android-gpu", tmp_path / "gpu-small", flash_budget=2 * 1024 ** 2)
    assert info.value.report.budget("flash").parts["runtime_code"] == 4 * 1024 ** 2


# ---- Cortex-A (XNNPACK) and the Edge TPU ----

def test_cortex_a53_builds_for_xnnpack(digits_example, tmp_path):
    report = build(digits_example, "cortex-a53", tmp_path / "a53")
    assert report.placement["accelerator"] == "xnnpack"
    left = [op.op for op in report.ops if op.delegate != "xnnpack"]
    assert left == ["SOFTMAX"] and report.placement["ops_on_accelerator"] == len(report.ops) - 1
    assert report.validation["runtime"] == "litert"
    assert 0 < report.arena_bytes < 64 * 1024
    assert sorted(report.outputs) == ["model.tflite", "model_io.json", "report.html", "report.json"]


def test_cortex_a_refuses_an_op_litert_has_no_kernel_for(tf):
    fn = tf.function(lambda x: tf.math.cumprod(x, axis=1)).get_concrete_function(
        tf.TensorSpec([1, 8, 8, 1], tf.float32))
    converter = tf.lite.TFLiteConverter.from_concrete_functions([fn])
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS,
                                           tf.lite.OpsSet.SELECT_TF_OPS]  # a TensorFlow (Flex) op
    records = op_records(read_model(converter.convert()), load_target("cortex-a72"))
    assert (records[0].op, records[0].reason) == ("CUSTOM:FlexCumprod",
                                                  "litert has no kernel for CUSTOM:FlexCumprod")


def test_edgetpu_build_reports_the_compiler_style_table(gelu_example, tmp_path):
    model, calibration = gelu_example
    report = edgec.build(model, target="edgetpu", calibration=calibration, out=tmp_path / "tpu")
    assert [op.placement for op in report.ops] == ["tpu"] + ["cpu"] * 6
    assert report.edgetpu["table"][0] == {"operator": "CONV_2D", "count": 1,
                                          "status": "Mapped to Edge TPU"}
    assert 0 < report.edgetpu["macs_on_tpu_percent"] < 50
    if report.edgetpu["compiler"]["ran"] is False:
        assert "not on PATH" in report.edgetpu["compiler"]["note"]
        assert "model_edgetpu.tflite" not in report.outputs


def test_edgetpu_refuses_float_models(tf, keras, digits_example, tmp_path):
    with pytest.raises(TargetError, match="target edgetpu cannot run float32 models"):
        build(digits_example, "edgetpu", tmp_path / "f", quant="float32")
    _, model = tm.float32(tf, tm.gelu_cnn(keras))
    records = op_records(model, load_target("edgetpu"))
    assert "is float32: the model must be quantized to INT8 throughout" in records[0].reason


# ---- More microcontrollers ----

def test_rp2040_fits_the_digits_model(digits_example, tmp_path):
    report = build(digits_example, "rp2040", tmp_path / "pico")
    assert all(b.ok for b in report.budgets) and report.budget("ram").limit == 264 * 1024
    assert all(op.placement == "cpu" for op in report.ops)


def test_rp2040_ram_breach_from_its_own_budget(keras, tmp_path):
    inputs = keras.Input(shape=(96, 96, 3), batch_size=1)
    h = keras.layers.Conv2D(32, 3, padding="same", activation="relu")(inputs)  # 288 KiB output
    h = keras.layers.GlobalAveragePooling2D()(h)
    keras.Model(inputs, keras.layers.Dense(2)(h)).save(tmp_path / "big.keras")
    with pytest.raises(BudgetError, match="model does not fit rp2040: RAM budget exceeded"):
        edgec.build(tmp_path / "big.keras", target="rp2040", synthetic_calibration=True,
                    calibration_samples=4, out=tmp_path / "big")


def test_check_ops_names_the_first_op_a_target_cannot_run(tf, keras):
    """The failure message of check-ops for a float model on an INT8-only target."""
    from edgec.artifact import Artifact
    from edgec.pipeline import BuildContext
    from edgec.report import Report

    data, _ = tm.float32(tf, tm.gelu_cnn(keras))
    ctx = BuildContext(profile=load_target("edgetpu"), options=None, report=Report("edgetpu"),
                       stage=None)
    with pytest.raises(UnsupportedOpError, match=r"op CONV_2D at index 0 is not supported on "
                                                 r"edgetpu: tensor .* is float32"):
        check_ops(Artifact(tflite=data), ctx)
