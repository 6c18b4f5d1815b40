"""Validate the quantized flatbuffer against the float model, on the same inputs."""

from __future__ import annotations

from edgec import accuracy as scoring
from edgec.artifact import Artifact
from edgec.litert import LiteRTRunner
from edgec.metrics import accuracy, compare
from edgec.pipeline import BuildContext
from edgec.tflm import MicroRunner


def validate(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Run the float model (TensorFlow, or onnxruntime for ONNX) and the flatbuffer (TFLite
    Micro) on the validation data (the calibration data when there is none) and compare
    their outputs. A .tflite input has no float model: it is checked against labels only.
    The quantized model's score is the quantize pass's check for the accuracy guard."""
    return _validate(artifact, ctx, "tflite-micro", MicroRunner(artifact.tflite, artifact.graph))


def validate_litert(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """The same with LiteRT's interpreter (with XNNPACK, its default on a CPU) running the
    flatbuffer: phones, Linux boards and the Edge TPU's host."""
    runner = LiteRTRunner(artifact.tflite, artifact.graph, xnnpack=True)
    return _validate(artifact, ctx, "litert", runner)


def _validate(artifact: Artifact, ctx: BuildContext, runtime: str, runner) -> Artifact:
    data = ctx.validation or ctx.calibration
    quant_out = runner.run([data.x])
    result = {"data": data.source, "samples": len(data), "runtime": runtime}
    float_out = None
    if ctx.reference is not None:
        float_out = scoring.reference_outputs(ctx)
        per_output = [compare(f, q) for f, q in zip(float_out, quant_out)]
        result |= {"reference": ctx.reference.runtime, **per_output[0]}
        if len(per_output) > 1:
            result["outputs"] = per_output
    if data.y is not None:
        if float_out is not None:
            result["accuracy_float"] = accuracy(float_out[0], data.y)
        result["accuracy_quantized"] = accuracy(quant_out[0], data.y)
        ctx.measured["accuracy"] = result["accuracy_quantized"]
    scoring.measure(ctx, "quantize", quant_out)
    if ctx.validation is None:
        ctx.report.warn("no --validation data: validated on the calibration data, which the "
                        "quantizer has seen; give held-out data for an honest figure")
    ctx.report.validation = result
    return artifact.evolve("validate")
