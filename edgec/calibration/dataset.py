"""A dataset as edgec passes it around: inputs shaped like the model's, optional labels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Dataset:
    x: np.ndarray  # float32, (N, *model input shape without batch)
    y: np.ndarray | None  # int64 class indices, (N,), when labels exist
    source: str  # where it came from, for the report
    synthetic: bool = False
    classes: tuple[str, ...] | None = None  # class names of an image folder, in label order

    def __len__(self) -> int:
        return int(self.x.shape[0])

    @property
    def labelled(self) -> bool:
        return self.y is not None

    def describe(self) -> dict:
        return {"source": self.source, "samples": len(self), "labelled": self.labelled,
                "synthetic": self.synthetic}
