"""Passes for an ONNX input: read it, (after `data`) convert it with onnx2tf, check the conversion."""

from __future__ import annotations

from edgec.artifact import Artifact
from edgec.onnx.check import compare_outputs, raise_on_divergence, run_float_tflite
from edgec.onnx.convert import convert_onnx, layout_of, onnx2tf_version
from edgec.onnx.reference import OnnxReference
from edgec.onnx.source import read_onnx
from edgec.passes.loading import record_model
from edgec.passes.quantize import convert_float32
from edgec.pipeline import BuildContext


def load_onnx(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Read the ONNX model and fix its input shape; the model in onnxruntime becomes the
    float reference (and describes the model for the `data` pass). Nothing is converted
    yet, so bad data is reported before the slow conversion."""
    source = read_onnx(ctx.options.model, ctx.options.input_shape)
    reference = OnnxReference(source, layout_of(source))
    ctx.reference = reference
    record_model(ctx, reference)
    ctx.report.model["opset"] = source.opset
    return artifact.evolve("load")


def convert_model(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Convert with onnx2tf into a FloatModel (its checks fed with calibration inputs), and
    learn from the same inputs how each converted output is laid out."""
    reference = ctx.reference
    probe = ctx.calibration.x[:8]
    model = convert_onnx(reference.source, probe)
    reference.align(model.predict(probe), probe)
    return artifact.evolve("convert", float_model=model)


def check_conversion(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """The float TFLite model against onnxruntime on the validation inputs (the calibration
    inputs when there are none); over the tolerance is a ConversionError."""
    data = ctx.validation or ctx.calibration
    reference = ctx.reference
    converted = run_float_tflite(convert_float32(artifact.float_model), data.x)
    checks = compare_outputs(reference.output_names, converted, reference.predict(data.x),
                             ctx.options.conversion_tolerance)
    tool = "onnx2tf"
    ctx.report.conversion = {
        "tool": tool, "version": onnx2tf_version(),
        "max_abs_error": max(c.max_abs_error for c in checks),
        "tolerance": ctx.options.conversion_tolerance,
        "reference": reference.runtime, "runtime": "tflite float32 (ai-edge-litert)",
        "data": data.source, "samples": len(data),
        "outputs": [{"name": c.name, "max_abs_error": c.max_abs_error, "tolerance": c.tolerance}
                    for c in checks],
    }
    raise_on_divergence(checks, f"{tool} {onnx2tf_version()}", reference.runtime)
    return artifact.evolve("conversion")
