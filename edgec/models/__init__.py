"""Source models: loading trained models into one FloatModel type."""

from edgec.models.float_model import FloatModel
from edgec.models.loader import load_model

__all__ = ["FloatModel", "load_model"]
