"""Importing TensorFlow the way edgec needs it: Keras 2 (tf_keras) and quiet.

tfmot and edgec's passes need Keras 2, so TF_USE_LEGACY_KERAS=1 must be set before
TensorFlow is first imported. Importing costs seconds and ~750 MB: only the commands
that convert or run a Keras model call this, never `edgec --help`.
"""

from __future__ import annotations

import logging
import os
import warnings
from functools import lru_cache

from edgec.native_stderr import capture_native_stderr


@lru_cache(maxsize=1)
def tensorflow():
    """The tensorflow module, imported once with legacy Keras and its logging quietened."""
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # bit-stable float results run to run
    warnings.filterwarnings("ignore", module="tensorflow")
    warnings.filterwarnings("ignore", module="tf_keras")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    with capture_native_stderr():
        import tensorflow as tf
    tf.get_logger().setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    return tf


@lru_cache(maxsize=1)
def keras():
    """tf_keras (Keras 2), the Keras edgec builds and loads models with."""
    tensorflow()
    import tf_keras

    return tf_keras
