"""Fine-tuning: the loss it picks, distillation without labels, progress records."""

from __future__ import annotations

import logging
import os
import pty
from contextlib import contextmanager

import numpy as np

from edgec.calibration import Dataset
from edgec.finetune import FineTuneSettings, _loss, fine_tune
from edgec.metrics import compare
from edgec.models import load_model
from edgec.pruning import prune_model


def test_the_loss_follows_the_output_activation_through_tfmot_wrappers(keras, digits_example):
    import tensorflow_model_optimization as tfmot

    model = load_model(digits_example.model).keras  # ends in Dense(softmax)
    logits = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    for candidate, probabilities in (
            (model, True), (logits, False),
            (tfmot.quantization.keras.quantize_model(model), True),
            (tfmot.sparsity.keras.prune_low_magnitude(model), True)):
        loss, kind = _loss(candidate, keras, labelled=True)
        assert kind == "crossentropy"
        assert loss.get_config()["from_logits"] is (not probabilities), type(candidate.layers[-1])
    assert _loss(model, keras, labelled=False)[1] == "distillation"


@contextmanager
def stderr_on_a_terminal():
    """fd 2 on a pseudo-terminal (a person watching) and the logger at INFO; yields a function
    that returns what was drawn."""
    master, slave = pty.openpty()
    saved = os.dup(2)
    os.dup2(slave, 2)
    logger = logging.getLogger("edgec")
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield lambda: os.read(master, 65536).decode(errors="replace")
    finally:
        logger.setLevel(level)
        os.dup2(saved, 2)
        for fd in (saved, slave, master):
            os.close(fd)


def test_without_labels_the_pruned_model_learns_the_original_outputs(keras, digits_example, digits):
    teacher = load_model(digits_example.model)
    student = prune_model(teacher.keras, 0.5).model
    x_val = digits.x_val
    before = compare(teacher.predict(x_val)[0], student.predict(x_val, verbose=0))["top1_agreement"]
    unlabelled = Dataset(x=digits.x_train, y=None, source="unlabelled")
    with stderr_on_a_terminal() as drawn:
        result = fine_tune(student, unlabelled, FineTuneSettings(epochs=3, learning_rate=3e-3),
                           "fine-tune (test)", teacher=teacher)
        os.write(2, b"|")
        text = drawn()
    after = compare(teacher.predict(x_val)[0], student.predict(x_val, verbose=0))["top1_agreement"]
    assert result.loss == "distillation" and 1 <= result.epochs <= 3
    assert after > before and after >= 85.0
    assert np.isfinite(result.best_loss)
    assert "fine-tune (test) [" in text and f"{result.epochs}/3 epochs" in text  # the bar
