"""Where ops run on each accelerator, on real converter output: NNAPI and the GPU by their
rules and LiteRT's partitioning, XNNPACK by its real delegate, the Edge TPU by its compiler's
one-partition rule, Ethos-U by a real Vela run."""

from __future__ import annotations

import pytest

from edgec.errors import TargetError
from edgec.placement import place
from edgec.targets import load_target
from edgec.tflite.costs import op_costs
from tests import target_models as tm

GELU_OPS = ["CONV_2D", "GELU", "CONV_2D", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"]


@pytest.fixture(scope="module")
def gelu_int8(tf, keras):
    data, model = tm.int8(tf, tm.gelu_cnn(keras))
    assert [op.opcode for op in model.main.operators] == GELU_OPS
    return data, model


def units(placement) -> list[str]:
    return [placement.ops[i].unit for i in sorted(placement.ops)]


def test_nnapi_splits_around_a_cpu_only_op(gelu_int8):
    data, model = gelu_int8
    p = place(data, model, load_target("android-nnapi"))
    assert units(p) == ["npu", "cpu", "npu", "npu", "npu", "npu", "npu"]
    assert p.ops[1].reason == "nnapi has no GELU"
    assert [p.ops[i].partition for i in range(7)] == [0, 1, 2, 2, 2, 2, 2]
    assert (p.summary["partitions"], p.summary["accelerator_partitions"]) == (3, 2)
    assert any("splits the model into 3 partitions (2 on the NPU)" in w and "GELU" in w
               for w in p.warnings)
    assert any("NNAPI is deprecated from Android 15" in w and "android-cpu" in w
               for w in p.warnings)


def test_nnapi_ops_and_types_follow_the_api_level(gelu_int8, tmp_path):
    data, model = gelu_int8
    path = tmp_path / "old-phones.toml"
    path.write_text('inherits = "android-nnapi"\nname = "API 28"\n[accelerator]\napi_level = 28\n')
    p = place(data, model, load_target(target_file=path))
    # int8 CONV_2D and FULLY_CONNECTED need NNAPI 1.2 (Android 10); MAX_POOL_2D is older
    assert p.ops[0].reason == ("nnapi takes int8 CONV_2D from API 29 (Android 10); the profile "
                               "targets API 28 (Android 9)")
    assert units(p) == ["cpu", "cpu", "cpu", "npu", "npu", "cpu", "npu"]


def test_nnapi_leaves_scalar_outputs_on_the_cpu(tf):
    w = tm.conv_weights()
    data, model = tm.int8(tf, lambda x: tf.reduce_max(tf.nn.conv2d(x, w, 1, "SAME")))
    p = place(data, model, load_target("android-nnapi"))
    assert [op.opcode for op in model.main.operators] == ["CONV_2D", "REDUCE_MAX"]
    assert p.ops[0].unit == "npu"
    assert p.ops[1].unit == "cpu" and "is a scalar (rank 0)" in p.ops[1].reason


def test_gpu_takes_only_its_largest_partition(gelu_int8):
    data, model = gelu_int8
    p = place(data, model, load_target("android-gpu"))
    # the GPU delegate takes one partition by default: the 5 ops after GELU, not the first CONV_2D
    assert units(p) == ["cpu", "cpu", "gpu", "gpu", "gpu", "gpu", "gpu"]
    assert "takes at most 1 partition(s)" in p.ops[0].reason
    assert p.ops[1].reason == "gpu does not take GELU"
    assert p.summary["accelerator_partitions"] == 1


def test_xnnpack_placement_comes_from_the_real_delegate(gelu_int8):
    data, model = gelu_int8
    p = place(data, model, load_target("android-cpu"))
    assert all(u == "cpu" for u in units(p))
    taken = {model.main.operators[i].opcode for i, o in p.ops.items() if o.delegate == "xnnpack"}
    assert {"CONV_2D", "MAX_POOL_2D", "FULLY_CONNECTED"} <= taken
    # LiteRT's XNNPACK delegate has no int8 SOFTMAX: LiteRT's builtin kernel runs it
    assert p.ops[6].delegate is None
    assert p.ops[6].reason == "XNNPACK left int8 SOFTMAX to LiteRT's builtin kernels"


def test_edgetpu_runs_everything_after_the_first_unmapped_op_on_the_cpu(gelu_int8):
    data, model = gelu_int8
    p = place(data, model, load_target("edgetpu"))
    assert units(p) == ["tpu"] + ["cpu"] * 6
    assert p.ops[1].reason == "edgetpu does not take GELU"
    assert p.ops[2].reason.startswith("after op 1 (GELU), the first the Edge TPU cannot map")
    section = p.sections["edgetpu"]
    assert section["table"] == [
        {"operator": "CONV_2D", "count": 1, "status": "Mapped to Edge TPU"},
        {"operator": "GELU", "count": 1, "status": "Operation not supported"},
        {"operator": "CONV_2D", "count": 1, "status": "More than one subgraph is not supported"},
        {"operator": "MAX_POOL_2D", "count": 1, "status": "More than one subgraph is not supported"},
        {"operator": "RESHAPE", "count": 1, "status": "More than one subgraph is not supported"},
        {"operator": "FULLY_CONNECTED", "count": 1,
         "status": "More than one subgraph is not supported"},
        {"operator": "SOFTMAX", "count": 1, "status": "More than one subgraph is not supported"},
    ]
    costs = op_costs(model)
    share = 100.0 * costs[0].macs / sum(c.macs for c in costs)
    assert section["macs_on_tpu_percent"] == round(share, 2) == p.summary["accelerator_macs_percent"]
    assert section["first_cpu_op"] == {"index": 1, "op": "GELU", "reason": "edgetpu does not take GELU"}
    assert section["parameter_bytes"] == costs[0].weight_bytes


def test_edgetpu_without_its_compiler_says_so(gelu_int8, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    data, model = gelu_int8
    p = place(data, model, load_target("edgetpu"))
    assert p.sections["edgetpu"]["compiler"]["ran"] is False
    assert "edgetpu_compiler is not on PATH" in p.sections["edgetpu"]["compiler"]["note"]
    assert any("edgetpu_compiler is not on PATH" in w for w in p.warnings)
    assert p.compiled is None and p.files == {}


def test_edgetpu_rank_rule(tf):
    w = tm.conv_weights()
    data, model = tm.int8(tf, lambda x: tf.reshape(tf.reduce_max(
        tf.reshape(tf.nn.conv2d(x, w, 1, "SAME"), [1, 2, 4, 8, 8]), axis=4), [1, 64]))
    p = place(data, model, load_target("edgetpu"))
    assert [op.opcode for op in model.main.operators][:2] == ["CONV_2D", "RESHAPE"]
    assert p.ops[0].unit == "tpu" and p.ops[1].unit == "cpu"
    assert "has shape [1, 2, 4, 8, 8]: only the 3 innermost dimensions" in p.ops[1].reason
    assert p.sections["edgetpu"]["table"][1]["status"] == \
        "Tensor has unsupported rank (up to 3 innermost dimensions mapped)"


def test_vela_leaves_an_op_it_cannot_map_on_the_cortex_m(tf):
    w = tm.conv_weights()
    w2 = tm.conv_weights(2, 4)[:, :, :1, :].repeat(2, axis=2)  # 2 input channels after D2S

    def model_fn(x):
        h = tf.nn.depth_to_space(tf.nn.relu(tf.nn.conv2d(x, w, 1, "SAME")), 2)  # 16x16x2
        return tf.nn.relu(tf.nn.conv2d(h, w2, 2, "SAME"))

    data, model = tm.int8(tf, model_fn)
    assert [op.opcode for op in model.main.operators] == ["CONV_2D", "DEPTH_TO_SPACE", "CONV_2D"]
    p = place(data, model, load_target("ethos-u55-128"))
    assert units(p) == ["npu", "cpu", "npu"]
    assert "Vela cannot map this DEPTH_TO_SPACE to the ethos-u55-128" in p.ops[1].reason
    assert p.summary["partitions"] == 3
    vela = p.sections["vela"]
    assert vela["sram_bytes"] > 0 and vela["cycles_total"] >= vela["cycles_npu"] > 0
    assert set(p.files) == {"model_vela.tflite", "vela_summary.csv"}
    assert p.arena_bytes == vela["sram_bytes"] + vela["dram_bytes"]


def test_a_profile_with_an_unknown_api_level_is_an_error(tmp_path):
    path = tmp_path / "future.toml"
    path.write_text('inherits = "android-nnapi"\nname = "x"\n[accelerator]\napi_level = 99\n')
    with pytest.raises(TargetError, match="accelerator.api_level must be an Android API level"):
        load_target(target_file=path)
