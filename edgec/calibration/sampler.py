"""Seeded sampling: the representative dataset the converter calibrates on, and synthetic data."""

from __future__ import annotations

import numpy as np

from edgec.calibration.dataset import Dataset


def representative_samples(data: Dataset, count: int, seed: int) -> np.ndarray:
    """Up to `count` samples drawn without replacement, the same for the same seed."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(data))[:count]
    return data.x[np.sort(order)]


def synthetic_dataset(input_shape: tuple[int, ...], count: int, seed: int,
                      low: float = 0.0, high: float = 1.0) -> Dataset:
    """Uniform random inputs, for when the user explicitly has no data. Accuracy is then unknown."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(low, high, size=(count, *input_shape)).astype(np.float32)
    return Dataset(x=x, y=None, source=f"synthetic uniform [{low:g}, {high:g}], seed {seed}",
                   synthetic=True)
