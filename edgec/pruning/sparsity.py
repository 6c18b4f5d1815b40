"""tfmot's m-by-n structured sparsity (e.g. 2:4: two of every four weights are zero).

Hardware with sparse matrix units (some NPUs, GPUs) can skip the zeros. TensorFlow Lite
Micro cannot: it stores and multiplies the zeros like any other weight, so a 2:4 model
is exactly as large and as slow there. edgec offers it for targets that can exploit it
and says so in the report.
"""

from __future__ import annotations

import re

from edgec.errors import ModelError

NOTE = ("2:4-style sparsity zeroes weights but TensorFlow Lite Micro stores and computes them "
        "densely: the model is not smaller or faster on this target; use --prune to remove "
        "filters instead")


def parse_m_by_n(text: str) -> tuple[int, int]:
    """'2:4' -> (2, 4); raises ValueError for anything else."""
    match = re.fullmatch(r"\s*(\d+)\s*[:x/]\s*(\d+)\s*", text or "")
    if not match:
        raise ValueError(f"sparsity '{text}' is not M:N (e.g. 2:4)")
    m, n = int(match.group(1)), int(match.group(2))
    if not 0 < m < n:
        raise ValueError(f"sparsity {m}:{n} must keep fewer than N of every N weights (0 < M < N)")
    return m, n


def sparse_model(keras_model, m: int, n: int):
    """A copy of the model wrapped by tfmot to learn M-of-N sparsity, and the callbacks its
    fine-tuning needs. (tfmot wraps the model's own layers, so training the wrapped model
    would zero the original's weights too: it gets a copy.)"""
    import tensorflow_model_optimization as tfmot

    from edgec.tf_runtime import keras

    copy = keras().models.clone_model(keras_model)
    copy.set_weights(keras_model.get_weights())
    try:
        wrapped = tfmot.sparsity.keras.prune_low_magnitude(copy, sparsity_m_by_n=(m, n))
    except (ValueError, RuntimeError, TypeError) as exc:
        first = str(exc).strip().splitlines()
        raise ModelError(f"tfmot cannot apply {m}:{n} sparsity to this model: "
                         f"{first[0][:300] if first else type(exc).__name__}",
                         hint="tfmot's sparsity wraps Conv2D and Dense layers; drop --sparsity")
    return wrapped, [tfmot.sparsity.keras.UpdatePruningStep()]


def strip(wrapped):
    """The trained model without tfmot's wrappers (the zeros stay)."""
    import tensorflow_model_optimization as tfmot

    return tfmot.sparsity.keras.strip_pruning(wrapped)
