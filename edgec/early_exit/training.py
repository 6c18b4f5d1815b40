"""Training the exit heads: with the backbone frozen, then optionally all together.

Frozen training runs the backbone once over the training data to get the tensors at the
cuts, then fits each head on them alone: the same result as training through a frozen
backbone, at a fraction of the cost. Targets are the labels, or the original model's own
predictions when the data has none (the heads then learn to agree with it).

Joint fine-tuning (`joint_epochs` > 0) trains a copy of the backbone with the heads, the
model's output weighted as much as all exits together, at a small learning rate. The original
model is left untouched; its INT8 accuracy stays the baseline the thresholds keep to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edgec.calibration.dataset import Dataset
from edgec.early_exit.cuts import CutPoint
from edgec.early_exit.heads import HeadPlan, apply, head_layers
from edgec.progress import keras_callback

BATCH_SIZE = 32
HEAD_LEARNING_RATE = 3e-3
JOINT_LEARNING_RATE = 1e-4


@dataclass
class Heads:
    cuts: list[CutPoint]
    plans: list[HeadPlan]
    stacks: list[list]  # Keras layers of each head, in order


def targets(backbone, train: Dataset) -> np.ndarray:
    """Class indices to train on: the labels, or the backbone's predictions without labels."""
    if train.y is not None:
        return train.y
    from edgec.metrics import predictions

    return predictions(backbone.predict(train.x, batch_size=128, verbose=0))


def train_heads(keras, backbone, cuts: list[CutPoint], plans: list[HeadPlan], train: Dataset,
                epochs: int, seed: int) -> Heads:
    """Fit one head per cut on the frozen backbone's tensors at that cut."""
    y = targets(backbone, train)
    features = keras.Model(backbone.inputs, [backbone.get_layer(c.layer).output for c in cuts])
    at_cuts = features.predict(train.x, batch_size=128, verbose=0)
    at_cuts = at_cuts if isinstance(at_cuts, list) else [at_cuts]
    stacks = []
    for k, (cut, plan, x) in enumerate(zip(cuts, plans, at_cuts)):
        keras.utils.set_random_seed(seed + k)
        stack = head_layers(keras, plan, f"exit{k}")
        inputs = keras.Input(cut.shape)
        head = keras.Model(inputs, apply(stack, inputs))
        head.compile(optimizer=keras.optimizers.Adam(HEAD_LEARNING_RATE),
                     loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        head.fit(x, y, batch_size=BATCH_SIZE, epochs=epochs, verbose=0, shuffle=True,
                 callbacks=[keras_callback(f"exit {k} head ({cut.layer})", epochs)])
        stacks.append(stack)
    return Heads(cuts=cuts, plans=plans, stacks=stacks)


def with_heads(keras, backbone, heads: Heads):
    """One model with outputs [exit 0 logits, ..., exit n-1 logits, the model's output(s)]."""
    exits = [apply(stack, backbone.get_layer(cut.layer).output)
             for cut, stack in zip(heads.cuts, heads.stacks)]
    return keras.Model(backbone.inputs, exits + list(backbone.outputs))


def fine_tune_jointly(keras, backbone, heads: Heads, train: Dataset, epochs: int, seed: int):
    """Train a copy of the backbone with the heads attached; returns the copy."""
    y = targets(backbone, train)
    copy = keras.models.clone_model(backbone)
    copy.set_weights(backbone.get_weights())
    joint = with_heads(keras, copy, heads)
    final_probabilities = _ends_in_softmax(copy)
    losses = [keras.losses.SparseCategoricalCrossentropy(from_logits=True)] * len(heads.cuts)
    losses.append(keras.losses.SparseCategoricalCrossentropy(from_logits=not final_probabilities))
    keras.utils.set_random_seed(seed)
    weights = [1.0 / len(heads.cuts)] * len(heads.cuts) + [1.0]  # the exits together weigh as one
    joint.compile(optimizer=keras.optimizers.Adam(JOINT_LEARNING_RATE), loss=losses,
                  loss_weights=weights)
    joint.fit(train.x, [y] * len(losses), batch_size=BATCH_SIZE, epochs=epochs, verbose=0,
              shuffle=True, callbacks=[keras_callback("joint fine-tuning", epochs)])
    return copy


def _ends_in_softmax(model) -> bool:
    layer = model.layers[-1]
    if type(layer).__name__ == "Softmax":
        return True
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", "") == "softmax"
