"""Running models in TensorFlow Lite Micro's interpreter (the tflite-micro package)."""

from edgec.tflm.interpreter import MicroRunner, measure_arena

__all__ = ["MicroRunner", "measure_arena"]
