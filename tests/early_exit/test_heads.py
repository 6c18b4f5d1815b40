"""Exit heads sized for the model and the target."""

from __future__ import annotations

from edgec.early_exit.heads import HeadPlan, plan_head

RESNET8_MACS = 12_534_410


def test_resnet8_heads_pool_to_8x8_and_take_the_widest_convolution_that_fits():
    after_block1 = plan_head((32, 32, 16), 10, RESNET8_MACS, flash_left=2_000_000)
    assert after_block1 == HeadPlan(pool=4, filters=64, classes=10)
    assert after_block1.macs((32, 32, 16)) <= 0.10 * RESNET8_MACS
    assert plan_head((16, 16, 32), 10, RESNET8_MACS, 2_000_000) == HeadPlan(2, 64, 10)


def test_a_tight_target_or_a_small_model_gets_a_smaller_head():
    # little flash left beside the model: narrower convolution, then none
    assert plan_head((32, 32, 16), 10, RESNET8_MACS, flash_left=30_000).filters == 16
    assert plan_head((32, 32, 16), 10, RESNET8_MACS, flash_left=1_000).filters == 0
    # a model of few MACs: coarser pooling before the convolution
    small = plan_head((8, 8, 8), 10, full_macs=134_570, flash_left=2_000_000)
    assert small.pool == 2 and 0 < small.filters <= 8
    assert small.macs((8, 8, 8)) <= 0.10 * 134_570


def test_flat_tensors_get_a_dense_layer():
    plan = plan_head((64,), 10, RESNET8_MACS, 2_000_000)
    assert (plan.filters, plan.rank, plan.describe()) == (0, 1, "dense 10")
    assert plan.macs((64,)) == 640
