"""What the exits do on validation data, measured with the INT8 stages in TFLite Micro:
each exit's confidence and whether it is right, on every input; and the check that the
runtime, stopping early, does what this measurement says."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edgec.early_exit.runtime import RunResult, Trace
from edgec.early_exit.thresholds import confidence, exit_taken
from edgec.errors import InternalError
from edgec.metrics import predictions


@dataclass(frozen=True)
class Evidence:
    trace: Trace  # every exit's logits and the model's output, per input
    labels: np.ndarray  # the labels, or the original model's predictions without them
    conf: np.ndarray  # (N, exits)
    predicted: np.ndarray  # (N, exits + 1): each exit's prediction, then the model output's
    original_right: np.ndarray  # (N,) the original INT8 model is right

    @classmethod
    def gather(cls, trace: Trace, labels: np.ndarray | None, original: np.ndarray,
               kind: str) -> "Evidence":
        labels = predictions(original) if labels is None else labels
        conf = np.stack([confidence(l, kind, s) for l, s in zip(trace.exit_logits, trace.exit_scales)],
                        axis=1) \
            if trace.exit_logits else np.zeros((len(labels), 0))
        predicted = np.stack([predictions(l) for l in trace.exit_logits]
                             + [predictions(trace.final)], axis=1)
        return cls(trace=trace, labels=labels, conf=conf, predicted=predicted,
                   original_right=predictions(original) == labels)

    @property
    def correct(self) -> np.ndarray:
        return self.predicted == self.labels[:, None]

    def check_runtime(self, result: RunResult, thresholds, enabled: list[int]) -> None:
        """The runtime must stop each input at the stage, with the prediction, that the
        thresholds give on this evidence (InternalError otherwise)."""
        taken = exit_taken(self.conf, thresholds)  # an exit index, or len(thresholds): the end
        stage_of = {k: s for s, k in enumerate(enabled)}
        stage = np.array([stage_of.get(int(t), len(enabled)) for t in taken])
        predicted = self.predicted[np.arange(len(taken)), taken]
        bad = np.flatnonzero((stage != result.exits) | (predicted != result.predictions))
        if bad.size:
            raise InternalError(f"the staged runtime disagrees with the calibration on {bad.size} "
                                f"of {len(taken)} validation inputs (first: input {bad[0]})",
                                hint="please report this with the model and data")
