"""The conversion check: the float TFLite model against onnxruntime on the same inputs.

A converter that silently changes what a model computes is the costliest failure an
ONNX import can have (the INT8 model is then validated against the wrong float model).
So after onnx2tf, edgec converts the float model to a float32 flatbuffer, runs it in the
TFLite interpreter (ai-edge-litert, builtin kernels without delegates) and compares every
output with onnxruntime's on the validation inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edgec.errors import ConversionError


@dataclass(frozen=True)
class OutputCheck:
    name: str
    max_abs_error: float
    tolerance: float  # the absolute bound this output was held to
    sample: int  # the sample with the largest error

    @property
    def ok(self) -> bool:
        return self.max_abs_error <= self.tolerance


def run_float_tflite(tflite: bytes, x: np.ndarray) -> list[np.ndarray]:
    """Outputs of a batch-1 float flatbuffer for every sample of `x`, in LiteRT's builtin
    kernels, in the source model's output order (Model.output_order)."""
    from edgec.litert import LiteRTRunner

    return LiteRTRunner(tflite).run([x.astype(np.float32)])


def compare_outputs(names, converted: list[np.ndarray], reference: list[np.ndarray],
                    tolerance: float) -> list[OutputCheck]:
    """Per output: max |converted - reference|, against `tolerance` scaled by the output's
    magnitude when that exceeds 1 (float32 rounding grows with the values)."""
    checks = []
    for name, got, want in zip(names, converted, reference):
        if got.shape != want.shape:
            raise ConversionError(f"output '{name}' has shape {list(got.shape[1:])} after conversion "
                                  f"but {list(want.shape[1:])} in the reference",
                                  hint="rerun with --debug for the converter's log")
        error = np.abs(got.astype(np.float64) - want.astype(np.float64)).reshape(len(got), -1)
        per_sample = error.max(axis=1) if error.size else np.zeros(len(got))
        scale = max(1.0, float(np.max(np.abs(want), initial=0.0)))
        checks.append(OutputCheck(name=name, max_abs_error=float(per_sample.max(initial=0.0)),
                                  tolerance=tolerance * scale,
                                  sample=int(per_sample.argmax()) if per_sample.size else 0))
    return checks


def raise_on_divergence(checks: list[OutputCheck], tool: str, reference: str) -> None:
    """A ConversionError naming the first output over its tolerance, if any is."""
    bad = [c for c in checks if not c.ok]
    if not bad:
        return
    first = bad[0]
    more = f" (and {len(bad) - 1} more output(s))" if len(bad) > 1 else ""
    raise ConversionError(
        f"{tool} changed what the model computes: output '{first.name}' differs from {reference} "
        f"by up to {first.max_abs_error:.4g} (tolerance {first.tolerance:.4g}, worst at sample "
        f"{first.sample}){more}",
        hint="an op converted wrongly; check the model in onnxruntime, simplify it or export it "
             "with another opset, or raise --conversion-tolerance if the difference is expected")
