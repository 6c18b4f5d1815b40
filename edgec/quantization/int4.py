"""INT4 weights with INT8 activations (w4a8), by ai-edge-quantizer, in a form TFLite Micro runs.

The TFLite converter cannot make INT4 weights after training; ai-edge-quantizer rewrites
a float .tflite instead. TFLite Micro's INT4 kernels take per-channel weights for
CONV_2D and DEPTHWISE_CONV_2D but only per-tensor weights for FULLY_CONNECTED, so the
recipe asks for exactly that (the target's `int4-fully-connected-per-tensor` constraint
checks the result). Weight scales come from OCTAV (optimal clipping: it trades a few
clipped outliers for finer steps, which matters at 16 levels; plain min/max lost 11.9
points on ResNet-8 where OCTAV loses 1.4, see docs/benchmarks.md). Activations are static
INT8 from the calibration samples, and the model's input and output are int8 like an
INT8 build's.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np

from edgec.errors import ConversionError
from edgec.quantization.converter import convert_float32
from edgec.native_stderr import capture_native_stderr

log = logging.getLogger("edgec")

ACTIVATION_BITS = 8
WEIGHT_BITS = 4


def _int8_interface(tflite: bytes) -> bytes:
    """Make a float input/output int8 (drops the QUANTIZE/DEQUANTIZE at the ends), as the
    converter does for `inference_input_type=tf.int8`."""
    from edgec.tflite import read_model

    graph = read_model(tflite).main
    ends = [graph.tensors[i].type for i in (*graph.inputs, *graph.outputs)]
    if "float32" not in ends:
        return tflite
    from tensorflow.lite.python import util

    from edgec.tf_runtime import tensorflow

    tf = tensorflow()
    return bytes(util.modify_model_io_type(tflite, tf.int8, tf.int8))


def convert_int4(float_model, samples: np.ndarray) -> bytes:
    """w4a8: INT4 weights (per channel; per tensor for FULLY_CONNECTED), INT8 activations."""
    from ai_edge_quantizer import qtyping, quantizer
    from ai_edge_quantizer.algorithm_manager import AlgorithmName
    from ai_edge_quantizer.utils import tfl_interpreter_utils

    flat = convert_float32(float_model)
    ops, granularity = qtyping.TFLOperationName, qtyping.QuantGranularity
    with capture_native_stderr() as native, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its interpreter warns about preserving all tensors
        try:
            qt = quantizer.Quantizer(bytearray(flat))
            for op, per in ((ops.ALL_SUPPORTED, granularity.CHANNELWISE),
                            (ops.FULLY_CONNECTED, granularity.TENSORWISE)):
                qt.add_static_config(".*", op, ACTIVATION_BITS, WEIGHT_BITS, per,
                                     algorithm_key=AlgorithmName.OCTAV)
            interpreter = tfl_interpreter_utils.create_tfl_interpreter(bytearray(flat))
            signatures = interpreter.get_signature_list()
            key = next(iter(signatures))
            name = signatures[key]["inputs"][0]
            calibration = qt.calibrate({key: [{name: s[None]} for s in samples]})
            result = qt.quantize(calibration, enable_progress_report=False)
            tflite = bytes(result.quantized_model)
        except Exception as exc:  # the quantizer raises ValueError, RuntimeError, ...
            error = exc
        else:
            error = None
    if error is not None:
        log.debug("ai-edge-quantizer log:\n%s\n%s", error, native.text)
        first = str(error).strip().splitlines()
        raise ConversionError(
            f"ai-edge-quantizer failed to make INT4 weights: "
            f"{first[0][:300] if first else type(error).__name__}",
            hint="rerun with --debug for its log; --quant int8 works for every model INT4 would")
    return _int8_interface(tflite)
