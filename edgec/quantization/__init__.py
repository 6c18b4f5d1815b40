"""Quantization: the TFLite converter's INT8 and INT16x8 (converter), INT4 weights with
ai-edge-quantizer (int4), and quantization-aware training with tfmot (qat)."""
