"""Fine-tuning a tf_keras model on the user's training data after a lossy change (pruning,
QAT, sparsity), with early stopping, a cosine learning-rate schedule and a progress bar.

With labels and one output the loss is cross-entropy (from logits unless the model ends in
softmax/sigmoid). Without labels, or with several outputs, the model learns to reproduce
the original model's outputs (distillation, mean squared error), which needs no labels.

A seeded share of the training data (VALIDATION_SHARE) is held out to decide when to
stop; the user's --validation data is never trained or selected on. Progress is a bar on
stderr per epoch (edgec.progress: shown to a person at a terminal, silent in pipes and CI).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from edgec.calibration.dataset import Dataset
from edgec.errors import DataError
from edgec.progress import keras_callback

VALIDATION_SHARE = 0.15
MIN_HELD_OUT = 20  # below this many held-out samples, stop on the training loss instead


@dataclass(frozen=True)
class FineTuneSettings:
    epochs: int = 20  # at most; early stopping usually ends sooner
    learning_rate: float = 1e-3
    batch_size: int = 32
    patience: int = 3  # epochs without improvement before stopping
    seed: int = 0


@dataclass(frozen=True)
class FineTuneResult:
    epochs: int  # epochs run
    stopped_early: bool
    loss: str  # "crossentropy" or "distillation"
    best_loss: float  # on the held-out share (or the training data when too small)
    seconds: float

    def to_dict(self) -> dict:
        return {"epochs": self.epochs, "stopped_early": self.stopped_early, "loss": self.loss,
                "best_loss": round(self.best_loss, 6), "seconds": round(self.seconds, 2)}


#: Learning rate by task when the user gives none: QAT starts from trained weights and only
#: nudges them; pruning and sparsity have more to recover.
LEARNING_RATES = {"prune": 1e-3, "sparsity": 1e-3, "qat": 1e-4}


def settings_for(options, task: str) -> FineTuneSettings:
    """Fine-tuning settings from build options (epochs, learning_rate, batch_size, seed)."""
    return FineTuneSettings(
        epochs=options.epochs, batch_size=options.batch_size, seed=options.seed,
        learning_rate=options.learning_rate or LEARNING_RATES[task])


def _ends_in_probabilities(model) -> bool:
    """Whether the layer making the model's output ends in softmax/sigmoid (looking through
    tfmot's QAT and pruning wrappers, which hold the layer and wrap its activation)."""
    layer = model.get_layer(model.output_names[0])
    while hasattr(layer, "layer"):
        layer = layer.layer
    if type(layer).__name__ == "Softmax":
        return True
    activation = getattr(layer, "activation", None)
    activation = getattr(activation, "activation", activation)
    return getattr(activation, "__name__", "") in ("softmax", "sigmoid")


def _loss(model, keras, labelled: bool):
    outputs = model.outputs
    if labelled and len(outputs) == 1:
        probabilities = _ends_in_probabilities(model)
        if outputs[0].shape[-1] == 1:
            return keras.losses.BinaryCrossentropy(from_logits=not probabilities), "crossentropy"
        return (keras.losses.SparseCategoricalCrossentropy(from_logits=not probabilities),
                "crossentropy")
    return keras.losses.MeanSquaredError(), "distillation"


def fine_tune(model, train: Dataset, settings: FineTuneSettings, task: str,
              teacher=None, callbacks: tuple = ()) -> FineTuneResult:
    """Train `model` (a compiled-or-not tf_keras model) in place on `train`.

    teacher: the original FloatModel, whose outputs are the targets when the data has no
    labels (or the model has several outputs). callbacks: extra Keras callbacks (tfmot's).
    """
    from edgec.tf_runtime import keras as load_keras

    keras = load_keras()
    if len(train) == 0:
        raise DataError(f"training data {train.source} holds no samples",
                        hint="give --train DATA with labelled samples of the model's input")
    loss, kind = _loss(model, keras, train.labelled)
    if kind == "crossentropy":
        targets = train.y
    else:
        if teacher is None:
            raise DataError(f"training data {train.source} has no labels",
                            hint="give labels (y in the .npz, or class subfolders of images)")
        predicted = teacher.predict(train.x)
        targets = predicted[0] if len(predicted) == 1 else predicted

    keras.utils.set_random_seed(settings.seed)
    order = np.random.default_rng(settings.seed).permutation(len(train))
    held = int(round(VALIDATION_SHARE * len(train)))
    if held >= MIN_HELD_OUT:
        fit_idx, val_idx = order[held:], order[:held]
        monitor = "val_loss"
    else:
        fit_idx, val_idx = order, None
        monitor = "loss"

    def pick(values, idx):
        return [v[idx] for v in values] if isinstance(values, list) else values[idx]

    steps = int(np.ceil(len(fit_idx) / settings.batch_size)) * settings.epochs
    schedule = keras.optimizers.schedules.CosineDecay(settings.learning_rate, steps, alpha=0.01)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss=loss)
    stopper = keras.callbacks.EarlyStopping(monitor=monitor, patience=settings.patience,
                                            restore_best_weights=True)
    start = time.perf_counter()
    history = model.fit(
        train.x[fit_idx], pick(targets, fit_idx), batch_size=settings.batch_size,
        epochs=settings.epochs, verbose=0, shuffle=True,
        validation_data=None if val_idx is None else (train.x[val_idx], pick(targets, val_idx)),
        callbacks=[stopper, keras_callback(task, settings.epochs), *callbacks])
    losses = history.history.get(monitor, [float("nan")])
    return FineTuneResult(epochs=len(losses), stopped_early=len(losses) < settings.epochs,
                          loss=kind, best_loss=float(np.nanmin(losses)),
                          seconds=time.perf_counter() - start)
