"""Post-training quantization with the TFLite converter (INT8, INT16x8), ai-edge-quantizer
(INT4 weights), or the conversion of a quantization-aware trained model."""

from __future__ import annotations

from edgec.artifact import Artifact
from edgec.calibration import representative_samples
from edgec.pipeline import BuildContext
from edgec.quantization.converter import convert_float32, convert_int8, convert_int16x8
from edgec.quantization.int4 import convert_int4

__all__ = ["CONVERTERS", "convert_float32", "convert_int8", "quantize"]  # converters re-exported

def _float32(float_model, samples) -> bytes:
    """No quantization, for targets that compute in float (a phone's GPU, XNNPACK on Cortex-A):
    the calibration samples are not needed."""
    return convert_float32(float_model)


#: Converters by scheme; the profile says which schemes a target runs.
CONVERTERS = {"int8": convert_int8, "int16x8": convert_int16x8, "int4": convert_int4,
              "float32": _float32}


def quantize(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Quantize the float model with the scheme the build asked for, on seeded calibration samples.

    A model trained with QAT (the `qat` pass) already carries its quantization: the TFLite
    converter turns its fake-quantized weights (8 or 4 bits) into integer tensors.
    """
    scheme = ctx.options.quant
    samples = representative_samples(ctx.calibration, ctx.options.calibration_samples,
                                     ctx.options.seed)
    convert = convert_int8 if "qat" in artifact.history else CONVERTERS[scheme]
    tflite = convert(artifact.float_model, samples)
    ctx.report.quantization = scheme
    ctx.report.model_bytes = len(tflite)
    return artifact.evolve("quantize", tflite=tflite, scheme=scheme)
