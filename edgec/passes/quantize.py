"""Post-training quantization with the TFLite converter."""

from __future__ import annotations

import logging

from edgec.artifact import Artifact
from edgec.calibration import representative_samples
from edgec.errors import ConversionError
from edgec.native_stderr import capture_native_stderr
from edgec.pipeline import BuildContext
from edgec.tf_runtime import tensorflow

log = logging.getLogger("edgec")


def convert_int8(float_model, samples) -> bytes:
    """Full-integer INT8: per-channel weights, int8 input and output, batch fixed to 1."""
    tf = tensorflow()
    function = float_model.concrete_function()
    converter = tf.lite.TFLiteConverter.from_concrete_functions([function], float_model.trackable)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([s[None]] for s in samples)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return _run(converter)


def convert_float32(float_model) -> bytes:
    """The float model as a float32 flatbuffer (batch 1), traced the way convert_int8 traces it."""
    tf = tensorflow()
    function = float_model.concrete_function()
    return _run(tf.lite.TFLiteConverter.from_concrete_functions([function], float_model.trackable))


def _float32(float_model, samples) -> bytes:
    """No quantization, for targets that compute in float (a phone's GPU, XNNPACK on Cortex-A):
    the calibration samples are not needed."""
    return convert_float32(float_model)


def _run(converter) -> bytes:
    with capture_native_stderr() as native:
        try:
            result = converter.convert()
        except Exception as exc:  # the converter raises ConverterError, ValueError, ...
            error = exc
        else:
            error = None
    if error is not None:
        log.debug("converter log:\n%s\n%s", error, native.text)
        raise ConversionError(f"the TFLite converter failed: {_converter_reason(error, native.text)}",
                              hint="an op without an INT8 kernel or a layer the converter cannot "
                                   "lower; rerun with --debug for the converter's full log")
    return bytes(result)


def _converter_reason(exc: Exception, log: str) -> str:
    for text in (str(exc), log):
        for line in text.splitlines():
            line = line.strip()
            if "error:" in line:
                return line.split("error:", 1)[1].strip()[:300]
    first = str(exc).strip().splitlines()
    return first[0][:300] if first else type(exc).__name__


#: Converters by scheme; the profile says which schemes a target runs.
CONVERTERS = {"int8": convert_int8, "float32": _float32}


def quantize(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Quantize the float model with the scheme the build asked for, on seeded calibration samples."""
    scheme = ctx.options.quant
    samples = representative_samples(ctx.calibration, ctx.options.calibration_samples,
                                     ctx.options.seed)
    tflite = CONVERTERS[scheme](artifact.float_model, samples)
    ctx.report.quantization = scheme
    ctx.report.model_bytes = len(tflite)
    return artifact.evolve("quantize", tflite=tflite, scheme=scheme)
