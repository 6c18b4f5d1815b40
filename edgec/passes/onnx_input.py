"""Passes for an ONNX input: load it through onnx2tf, then check the conversion."""

from __future__ import annotations

from edgec.artifact import Artifact
from edgec.onnx.check import compare_outputs, raise_on_divergence, run_float_tflite
from edgec.onnx.convert import convert_onnx, layout_of, onnx2tf_version, probe_inputs
from edgec.onnx.reference import OnnxReference
from edgec.onnx.source import read_onnx
from edgec.passes.loading import record_model
from edgec.passes.quantize import convert_float32
from edgec.pipeline import BuildContext


def load_onnx(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Read the ONNX model, fix its input shape, convert it with onnx2tf into a FloatModel,
    and keep the ONNX model itself (in onnxruntime) as the float reference."""
    opts = ctx.options
    source = read_onnx(opts.model, opts.input_shape)
    layout = layout_of(source)
    reference = OnnxReference(source, layout)
    probe = probe_inputs(source, opts.seed)
    model = convert_onnx(source, probe)
    probe = layout.to_flatbuffer(probe) if layout else probe
    reference.align(model.predict(probe), probe)
    ctx.reference = reference
    record_model(ctx, model)
    ctx.report.model["opset"] = source.opset
    return artifact.evolve("load", float_model=model)


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
