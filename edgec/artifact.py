"""The model artifact that flows through a build, one pass to the next."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property

from edgec.models.float_model import FloatModel
from edgec.tflite.model import Model, read_model


@dataclass(frozen=True)
class Artifact:
    """What a pass takes and returns: the float model and/or the flatbuffer built from it.

    Artifacts are immutable: a pass returns a new one (``artifact.evolve(...)``), and
    `history` records which passes produced it.
    """

    float_model: FloatModel | None = None
    tflite: bytes | None = None
    scheme: str | None = None  # quantization scheme of `tflite` ("int8", ...)
    compiled: bytes | None = None  # an accelerator compiler's output (Vela's): what the device runs
    history: tuple[str, ...] = ()

    def evolve(self, by: str, **changes) -> "Artifact":
        return dataclasses.replace(self, history=self.history + (by,), **changes)

    @cached_property
    def graph(self) -> Model:
        """The parsed flatbuffer (bounds-checked); only for artifacts that have one."""
        if self.tflite is None:
            raise ValueError("this artifact has no flatbuffer yet")
        return read_model(self.tflite)

    @property
    def params(self) -> int | None:
        return None if self.float_model is None else self.float_model.params

    @property
    def model_bytes(self) -> int | None:
        return None if self.tflite is None else len(self.tflite)

    @property
    def deployed(self) -> bytes | None:
        """The flatbuffer the device runs: the compiler's output when there is one."""
        return self.compiled if self.compiled is not None else self.tflite
