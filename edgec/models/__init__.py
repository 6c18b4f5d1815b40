"""Source models: loading trained models into one FloatModel type."""

from edgec.models.float_model import FloatModel
from edgec.models.loader import from_tf_keras, load_model

__all__ = ["FloatModel", "from_tf_keras", "load_model"]
