"""Running models in LiteRT's interpreter (the ai-edge-litert package): validation, the
activation arena, and which ops a delegate takes."""

from edgec.litert.interpreter import LiteRTRunner

__all__ = ["LiteRTRunner"]
