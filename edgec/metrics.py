"""Comparing a float model's outputs with a quantized model's, in the spirit of `stedgeai validate`."""

from __future__ import annotations

import numpy as np


def predictions(outputs: np.ndarray) -> np.ndarray:
    """Class predictions: argmax over the last axis, or > 0.5 for a single sigmoid unit."""
    flat = outputs.reshape(len(outputs), -1)
    if flat.shape[1] == 1:
        return (flat[:, 0] > 0.5).astype(np.int64)
    return flat.argmax(axis=1)


def compare(reference: np.ndarray, candidate: np.ndarray) -> dict:
    """Top-1 agreement (%), cosine similarity, RMSE and max |error| of two output batches."""
    ref = reference.astype(np.float64).reshape(len(reference), -1)
    cand = candidate.astype(np.float64).reshape(len(candidate), -1)
    diff = cand - ref
    norm = np.linalg.norm(ref) * np.linalg.norm(cand)
    cosine = float(np.sum(ref * cand) / norm) if norm > 0 else float(np.array_equal(ref, cand))
    return {
        "top1_agreement": 100.0 * float(np.mean(predictions(ref) == predictions(cand))),
        "cosine": cosine,
        "rmse": float(np.sqrt(np.mean(diff ** 2))),
        "max_abs_error": float(np.max(np.abs(diff))) if diff.size else 0.0,
    }


def accuracy(outputs: np.ndarray, labels: np.ndarray) -> float:
    """Top-1 accuracy in percent."""
    return 100.0 * float(np.mean(predictions(outputs) == labels))
