"""Quantization-aware training (tfmot): fake-quantize weights and activations, then fine-tune,
so the network learns around the rounding before the converter makes it integer.

8-bit weights use tfmot's default scheme (per-channel convolution weights); 4-bit weights
its n-bit scheme, which the TFLite converter turns into packed INT4 tensors TFLite Micro
runs. Activations are 8-bit either way. A freshly wrapped model scores near chance until
it is fine-tuned (tfmot starts its activation ranges empty), so fine-tuning is part of QAT.
"""

from __future__ import annotations

from edgec.errors import ModelError

#: Weight bits of QAT by the quantization scheme it prepares for.
QAT_WEIGHT_BITS = {"int8": 8, "int4": 4}


def qat_model(keras_model, weight_bits: int):
    """The model wrapped for QAT (a new model; `keras_model` is not changed)."""
    import tensorflow_model_optimization as tfmot

    api = tfmot.quantization.keras
    try:
        if weight_bits == 8:
            return api.quantize_model(keras_model)
        scheme = api.experimental.default_n_bit.DefaultNBitQuantizeScheme(
            num_bits_weight=weight_bits, num_bits_activation=8)
        return api.quantize_apply(api.quantize_annotate_model(keras_model), scheme)
    except (ValueError, RuntimeError, TypeError) as exc:
        first = str(exc).strip().splitlines()
        raise ModelError(f"tfmot cannot prepare this model for QAT: "
                         f"{first[0][:300] if first else type(exc).__name__}",
                         hint="tfmot wraps Conv/Dense/BatchNorm/pooling/activation layers; drop "
                              "--qat and use post-training quantization (--quant)")
