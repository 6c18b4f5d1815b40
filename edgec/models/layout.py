"""Data layouts: a model whose own input is channels-first (NCHW, from PyTorch via ONNX)
while the flatbuffer built from it takes channels-last (NHWC, as TensorFlow Lite does).

The user's calibration and validation data stay in the layout of the model they gave;
edgec transposes them once, as they are loaded, and says in the report which layout the
flatbuffer expects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Names of channels-first layouts by rank (batch included) and their channels-last forms.
CHANNELS_FIRST = {3: "NCW", 4: "NCHW", 5: "NCDHW"}
CHANNELS_LAST = {3: "NWC", 4: "NHWC", 5: "NDHWC"}


def channels_last_perm(rank: int) -> tuple[int, ...]:
    """The axes that move the channel axis (1) of a batch-first array to the end."""
    return (0, *range(2, rank), 1)


@dataclass(frozen=True)
class InputLayout:
    """How the source model's input relates to the flatbuffer's (both batch-first)."""

    source: str  # e.g. "NCHW"
    flatbuffer: str  # e.g. "NHWC"
    perm: tuple[int, ...]  # flatbuffer axis i is source axis perm[i]
    source_shape: tuple[int, ...]  # the source model's input, without the batch

    @classmethod
    def channels_first(cls, source_shape: tuple[int, ...]) -> "InputLayout":
        rank = len(source_shape) + 1
        return cls(CHANNELS_FIRST[rank], CHANNELS_LAST[rank], channels_last_perm(rank),
                   tuple(source_shape))

    @property
    def flatbuffer_shape(self) -> tuple[int, ...]:
        full = (1, *self.source_shape)
        return tuple(full[a] for a in self.perm)[1:]

    def to_flatbuffer(self, x: np.ndarray) -> np.ndarray:
        """A batch in the source layout -> the same batch in the flatbuffer's layout."""
        return np.ascontiguousarray(x.transpose(self.perm))

    def to_source(self, x: np.ndarray) -> np.ndarray:
        """A batch in the flatbuffer's layout -> the source layout."""
        return np.ascontiguousarray(x.transpose(np.argsort(self.perm)))

    def describe(self) -> dict:
        return {"source": self.source, "flatbuffer": self.flatbuffer, "transpose": list(self.perm)}
