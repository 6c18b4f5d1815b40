"""The reference runtime of a staged early-exit model, in TensorFlow Lite Micro.

Stage by stage: the input is quantized with stage 0's input parameters; each stage but
the last returns its exit's logits and the int8 tensor the next stage takes as it is.
When the exit's confidence (edgec.early_exit.thresholds) reaches its threshold the run
stops there with the exit's prediction; the last stage always ends it. This is what a
device runs; edgec.aot.staged generates C that takes the same decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edgec.early_exit.manifest import read_manifest
from edgec.early_exit.thresholds import confidence
from edgec.metrics import predictions
from edgec.progress import Progress
from edgec.tflite.quantize_io import from_tensor, to_tensor
from edgec.tflm import MicroRunner


@dataclass(frozen=True)
class RunResult:
    predictions: np.ndarray  # (N,) class index
    exits: np.ndarray  # (N,) stage the run stopped at (the last stage: no early exit)
    scores: np.ndarray  # (N, classes) the stopping stage's output: exit logits, or the model's output
    confidences: np.ndarray  # (N,) confidence at the stopping exit (NaN at the last stage)
    macs: np.ndarray  # (N,) multiply-adds spent

    def exit_rates(self, stages: int) -> list[float]:
        return (np.bincount(self.exits, minlength=stages) / max(len(self.exits), 1)).tolist()


@dataclass(frozen=True)
class Trace:
    """Every exit's logits and the model's output, for each input (no early stopping)."""

    exit_logits: list[np.ndarray]  # per exit: (N, classes)
    final: np.ndarray  # (N, ...) the last stage's output, dequantized
    exit_scales: list[float]  # per exit: its logits' scale (confidence needs it)


class StagedModel:
    """Stage flatbuffers run one after another; `thresholds` has one entry per exit (one
    fewer than stages)."""

    def __init__(self, stages: list[bytes], thresholds: list[float], confidence_kind: str,
                 stage_macs: list[int] | None = None):
        if len(thresholds) != len(stages) - 1:
            raise ValueError("one threshold per stage except the last")
        self.runners = [MicroRunner(s) for s in stages]
        self.thresholds = list(thresholds)
        self.confidence_kind = confidence_kind
        self.stage_macs = list(stage_macs) if stage_macs is not None else None
        self.input = self.runners[0].inputs[0]

    @classmethod
    def load(cls, folder: str | Path) -> "StagedModel":
        """The staged model an `edgec early-exit` run wrote into `folder`."""
        folder = Path(folder)
        manifest = read_manifest(folder)
        stages = manifest["stages"]
        return cls([(folder / s["file"]).read_bytes() for s in stages],
                   [s["threshold"] for s in stages[:-1]], manifest["confidence"],
                   [s["macs"] for s in stages])

    @property
    def exit_scales(self) -> list[float]:
        """Each exit's logits' scale (stages but the last, output 0)."""
        return [float(r.outputs[0].quantization.scale[0]) for r in self.runners[:-1]]

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.input.shape[1:])

    def _quantized(self, x: np.ndarray) -> np.ndarray:
        return to_tensor(x.astype(np.float32), self.input)

    def _stages(self, sample: np.ndarray):
        """Stage by stage for one input: (stage index, its first output dequantized); the
        next stage gets the previous one's second output as it is. Stop iterating to exit."""
        carried = self._quantized(sample)
        for k, runner in enumerate(self.runners):
            out = runner.run_raw([carried])
            yield k, from_tensor(out[0], runner.outputs[0])[0].reshape(-1)
            if k < len(self.runners) - 1:
                carried = out[1]

    def run(self, x: np.ndarray, thresholds: list[float] | None = None,
            label: str = "early-exit run") -> RunResult:
        """Run inputs (N, *input shape) stage by stage, stopping at the first confident exit."""
        limits = self.thresholds if thresholds is None else list(thresholds)
        last = len(self.runners) - 1
        n = len(x)
        exits = np.zeros(n, dtype=np.int64)
        confs = np.full(n, np.nan)
        scores = []
        with Progress(n, label, " samples") as bar:
            for i in range(n):
                bar.advance()
                for k, first in self._stages(x[i:i + 1]):
                    if k == last:
                        break
                    c = float(confidence(first[None], self.confidence_kind,
                                         self.exit_scales[k])[0])
                    if c >= limits[k]:
                        confs[i] = c
                        break
                exits[i] = k
                scores.append(first)
        scores = np.stack(scores)
        spent = np.cumsum(self.stage_macs) if self.stage_macs is not None else None
        return RunResult(predictions=predictions(scores), exits=exits, scores=scores,
                         confidences=confs,
                         macs=spent[exits] if spent is not None else np.zeros(n, dtype=np.int64))

    def trace(self, x: np.ndarray, label: str = "staged trace") -> Trace:
        """Run every stage on every input, collecting each exit's logits (thresholds ignored)."""
        n, last = len(x), len(self.runners) - 1
        exits = [np.zeros((n, r.outputs[0].elements), dtype=np.float32) for r in self.runners[:-1]]
        final = np.zeros((n, *self.runners[-1].outputs[0].shape[1:]), dtype=np.float32)
        with Progress(n, label, " samples") as bar:
            for i in range(n):
                bar.advance()
                for k, first in self._stages(x[i:i + 1]):
                    if k == last:
                        final[i] = first.reshape(final.shape[1:])
                    else:
                        exits[k][i] = first
        return Trace(exit_logits=exits, final=final, exit_scales=self.exit_scales)
