"""Structured pruning: real tf_keras models built in code, pruned, compared, converted and run
in TFLite Micro.

The exactness tests give some filters all-zero weights (and batch-norm parameters that keep
them at zero): those filters rank lowest, so pruning must remove exactly them, and the
smaller model must then compute the same function as the original (to float rounding).
That holds only if every consumer's input channels, and every Dense row after Flatten,
were sliced to match.
"""

from __future__ import annotations

import numpy as np
import pytest

from edgec.errors import ModelError
from edgec.pruning import analyze, prune_model
from edgec.pruning.ranking import GLOBAL_MIN_KEEP, filter_norms, select


def _zero_filters(layer, indices, keras) -> None:
    """Make the filters `indices` of a Conv/Dense (or the channels of a BatchNorm or
    DepthwiseConv2D) produce exactly zero."""
    weights = layer.get_weights()
    kind = type(layer).__name__
    if kind == "BatchNormalization":
        gamma, beta, mean, var = weights
        beta[indices], mean[indices] = 0.0, 0.0
        layer.set_weights([gamma, beta, mean, var])
        return
    if kind == "DepthwiseConv2D":
        weights[-1][indices] = 0.0  # bias: a zero channel stays zero
        layer.set_weights(weights)
        return
    weights[0][..., indices] = 0.0
    if len(weights) > 1:
        weights[1][indices] = 0.0
    layer.set_weights(weights)


def sequential_cnn(keras):
    keras.utils.set_random_seed(11)
    return keras.Sequential([
        keras.Input((8, 8, 1)),
        keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="c1"),
        keras.layers.BatchNormalization(name="bn"),
        keras.layers.MaxPooling2D(name="pool"),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="c2"),
        keras.layers.Flatten(name="flat"),
        keras.layers.Dense(12, activation="relu", name="d1"),
        keras.layers.Dense(10, activation="softmax", name="out"),
    ])


def residual_net(keras):
    """Conv-BN-ReLU, a residual block joined by Add, a depthwise branch and a 1x1 branch
    joined by Concatenate, global pooling and a classifier."""
    keras.utils.set_random_seed(12)
    L = keras.layers
    x = keras.Input((8, 8, 3), name="image")
    r1 = L.ReLU(name="r1")(L.BatchNormalization(name="b1")(L.Conv2D(8, 3, padding="same", name="c1")(x)))
    b2 = L.BatchNormalization(name="b2")(L.Conv2D(8, 3, padding="same", name="c2")(r1))
    r = L.ReLU(name="r")(L.Add(name="add")([r1, b2]))
    d = L.DepthwiseConv2D(3, padding="same", name="dw")(r)
    c3 = L.Conv2D(6, 1, name="c3")(r)
    cat = L.Concatenate(name="cat")([d, c3])
    out = L.Dense(10, name="logits")(L.GlobalAveragePooling2D(name="gap")(cat))
    model = keras.Model(x, out)
    rng = np.random.default_rng(0)
    for name in ("b1", "b2"):  # non-trivial batch-norm statistics
        gamma, beta, mean, var = model.get_layer(name).get_weights()
        model.get_layer(name).set_weights([rng.uniform(0.5, 1.5, 8), rng.normal(0, 0.1, 8),
                                           rng.normal(0, 0.1, 8), rng.uniform(0.5, 1.5, 8)])
    return model


def test_a_pruned_model_has_fewer_parameters_and_the_expected_shapes(keras):
    model = sequential_cnn(keras)
    result = prune_model(model, 0.5)
    smaller = result.model
    assert type(smaller).__name__ == "Sequential"
    shapes = {layer.name: [w.shape for w in layer.get_weights()] for layer in smaller.layers}
    assert shapes["c1"] == [(3, 3, 1, 4), (4,)]
    assert shapes["bn"] == [(4,)] * 4
    assert shapes["c2"] == [(3, 3, 4, 8), (8,)]
    assert shapes["d1"] == [(4 * 4 * 8, 6), (6,)]  # Flatten rows follow the kept channels
    assert shapes["out"] == [(6, 10), (10,)]  # the output layer keeps its units
    expected = (9 * 4 + 4) + 4 * 4 + (9 * 4 * 8 + 8) + (128 * 6 + 6) + (6 * 10 + 10)
    assert result.params_after == smaller.count_params() == expected
    assert result.params_before == model.count_params() > expected
    assert [(r["layer"], r["filters_before"], r["filters_after"]) for r in result.layers] == \
        [("c1", 8, 4), ("c2", 16, 8), ("d1", 12, 6)]
    assert smaller.output_shape == model.output_shape


def test_removing_zero_filters_keeps_the_function_through_flatten_and_dense(keras):
    model = sequential_cnn(keras)
    for name, indices in (("c1", [0, 3, 5, 6]), ("bn", [0, 3, 5, 6]), ("c2", list(range(1, 16, 2))),
                          ("d1", [2, 4, 7, 8, 9, 11])):
        _zero_filters(model.get_layer(name), indices, keras)
    x = np.random.default_rng(1).uniform(0, 1, (16, 8, 8, 1)).astype(np.float32)
    smaller = prune_model(model, 0.5, norm="l2").model
    np.testing.assert_allclose(smaller(x).numpy(), model(x).numpy(), rtol=1e-5, atol=1e-6)


def test_a_residual_model_prunes_consistently_runs_and_converts(keras, tmp_path):
    from edgec.models import from_tf_keras, load_model
    from edgec.quantization.converter import convert_int8
    from edgec.tflite import read_model
    from edgec.tflm import MicroRunner

    model = residual_net(keras)
    graph = analyze(model)
    g_add = graph.find(graph.layouts["add"].segments[0])
    assert graph.find(graph.layouts["c1"].segments[0]) == graph.find(graph.layouts["c2"].segments[0]) == g_add
    assert sorted(graph.producers(g_add)) == ["c1", "c2"]
    assert graph.layouts["cat"].segments == graph.layouts["dw"].segments + graph.layouts["c3"].segments

    shared, branch = [1, 4, 6, 7], [0, 3, 5]
    for name, indices in (("c1", shared), ("b1", shared), ("c2", shared), ("b2", shared),
                          ("dw", shared), ("c3", branch)):
        _zero_filters(model.get_layer(name), indices, keras)
    x = np.random.default_rng(2).uniform(0, 1, (16, 8, 8, 3)).astype(np.float32)
    smaller = prune_model(model, 0.5).model
    np.testing.assert_allclose(smaller(x).numpy(), model(x).numpy(), rtol=1e-5, atol=1e-5)

    add = smaller.get_layer("add")
    assert [tuple(t.shape) for t in add.input] == [(None, 8, 8, 4)] * 2  # Add inputs agree
    assert smaller.get_layer("cat").output_shape == (None, 8, 8, 4 + 3)
    assert smaller.get_layer("logits").get_weights()[0].shape == (7, 10)
    assert smaller.count_params() < model.count_params()

    path = tmp_path / "pruned.keras"
    smaller.save(path)
    tflite = convert_int8(load_model(path), x)
    graph = read_model(tflite).main
    add_op = next(op for op in graph.operators if op.opcode == "ADD")
    assert [graph.tensors[i].shape for i in add_op.inputs] == [(1, 8, 8, 4)] * 2
    out = MicroRunner(tflite).run([x])[0]
    reference = from_tf_keras(model, "keras2", "ref").predict(x)[0]
    assert np.mean(np.argmax(out, 1) == np.argmax(reference, 1)) >= 0.8


def test_global_ratio_ranks_across_layers_but_keeps_a_floor(keras):
    model = sequential_cnn(keras)
    graph = analyze(model)
    sizes = {root: graph.sizes[root] for root in graph.prunable()}
    rng = np.random.default_rng(3)
    scores = {root: rng.uniform(0.5, 1.5, n) for root, n in sizes.items()}
    first = next(iter(scores))
    scores[first] = scores[first] * 0.01  # one layer's filters all rank lowest
    kept = select(scores, 0.5, "global")
    total, removed = sum(sizes.values()), sum(sizes[r] - len(k) for r, k in kept.items())
    assert removed == round(0.5 * total)
    assert len(kept[first]) == max(1, int(np.ceil(GLOBAL_MIN_KEEP * sizes[first])))
    per_layer = select(scores, 0.5, "layer")
    assert all(len(per_layer[r]) == sizes[r] - round(0.5 * sizes[r]) for r in sizes)


def test_filter_norms():
    kernel = np.zeros((3, 3, 2, 2), np.float32)
    kernel[..., 0] = 1.0
    kernel[0, 0, 0, 1] = -3.0
    np.testing.assert_allclose(filter_norms(kernel, "l1"), [18.0, 3.0])
    np.testing.assert_allclose(filter_norms(kernel, "l2"), [np.sqrt(18.0), 3.0])


def test_outputs_are_never_pruned(keras):
    """A fully convolutional model: its last convolution is the output and keeps its filters."""
    x = keras.Input((8, 8, 1))
    h = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="body")(x)
    y = keras.layers.Conv2D(4, 1, name="head")(h)
    smaller = prune_model(keras.Model(x, y), 0.5).model
    assert smaller.get_layer("head").get_weights()[0].shape == (1, 1, 4, 4)
    assert smaller.output_shape == (None, 8, 8, 4)


def test_an_unsupported_layer_is_named(keras):
    x = keras.Input((8, 8, 1))
    h = keras.layers.Conv2D(4, 3, name="conv")(x)
    h = keras.layers.Lambda(lambda t: t * 2.0, name="double")(h)
    model = keras.Model(x, keras.layers.Dense(3)(keras.layers.Flatten()(h)))
    with pytest.raises(ModelError, match=r"layer 'double' \(Lambda\)"):
        prune_model(model, 0.5)


def test_a_model_with_nothing_to_prune_says_so(keras):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    with pytest.raises(ModelError, match="no channels pruning can remove"):
        prune_model(model, 0.5)


def test_the_docs_list_every_layer_pruning_supports():
    from pathlib import Path

    from edgec.pruning.graph import SUPPORTED

    doc = (Path(__file__).resolve().parents[2] / "docs" / "optimize.md").read_text()
    missing = [name for name in sorted(SUPPORTED) if f"`{name}`" not in doc]
    assert not missing, f"docs/optimize.md does not list {missing}"
