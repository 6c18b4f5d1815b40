"""The TFLite converter: full-integer INT8 and INT16x8, and float32, from a float model."""

from __future__ import annotations

import logging

from edgec.errors import ConversionError
from edgec.native_stderr import capture_native_stderr
from edgec.tf_runtime import tensorflow

log = logging.getLogger("edgec")


def _full_integer(float_model, samples, ops: str, io_type: str) -> bytes:
    """Full-integer conversion with `ops` kernels and `io_type` input and output, batch fixed to 1."""
    tf = tensorflow()
    function = float_model.concrete_function()
    converter = tf.lite.TFLiteConverter.from_concrete_functions([function], float_model.trackable)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([s[None]] for s in samples)
    converter.target_spec.supported_ops = [getattr(tf.lite.OpsSet, ops)]
    converter.inference_input_type = getattr(tf, io_type)
    converter.inference_output_type = getattr(tf, io_type)
    return run_converter(converter)


def convert_int8(float_model, samples) -> bytes:
    """Full-integer INT8: per-channel weights, int8 input and output, batch fixed to 1."""
    return _full_integer(float_model, samples, "TFLITE_BUILTINS_INT8", "int8")


def convert_float32(float_model) -> bytes:
    """The float model as a float32 flatbuffer (batch 1), traced the way convert_int8 traces it."""
    tf = tensorflow()
    function = float_model.concrete_function()
    return run_converter(tf.lite.TFLiteConverter.from_concrete_functions([function],
                                                                         float_model.trackable))


def convert_int16x8(float_model, samples) -> bytes:
    """INT16 activations with INT8 weights (per channel), int16 input and output."""
    return _full_integer(float_model, samples,
                         "EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8", "int16")


def run_converter(converter) -> bytes:
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
