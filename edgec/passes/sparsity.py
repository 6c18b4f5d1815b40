"""tfmot's M:N sparsity (e.g. 2:4) as a build pass, with fine-tuning."""

from __future__ import annotations

import numpy as np

from edgec import accuracy
from edgec.artifact import Artifact
from edgec.finetune import fine_tune, settings_for
from edgec.models.capabilities import require_keras
from edgec.models import from_tf_keras
from edgec.pipeline import BuildContext
from edgec.pruning.sparsity import NOTE, parse_m_by_n, sparse_model, strip


def _zero_share(model) -> float:
    kernels = [w for layer in model.layers if type(layer).__name__ in ("Conv2D", "Dense")
               for w in layer.get_weights()[:1]]
    total = sum(k.size for k in kernels)
    return float(sum(int(np.sum(k == 0)) for k in kernels) / total) if total else 0.0


def sparsify(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Zero M of every N weights of Conv2D/Dense kernels (tfmot), fine-tuning as they go.
    The report says the model is no smaller on TensorFlow Lite Micro."""
    opts = ctx.options
    m, n = parse_m_by_n(opts.sparsity)
    wrapped, callbacks = sparse_model(require_keras(artifact, "sparsity"), m, n)
    tuned = fine_tune(wrapped, ctx.train, settings_for(opts, "sparsity"), f"fine-tune ({m}:{n})",
                      teacher=ctx.reference, callbacks=tuple(callbacks))
    stripped = strip(wrapped)
    model = from_tf_keras(stripped, "keras2", artifact.float_model.path)
    accuracy.measure_float(ctx, "sparsity", model)
    ctx.report.optimization["sparsity"] = {
        "m": m, "n": n, "zero_weights": round(_zero_share(stripped), 4),
        "fine_tune": tuned.to_dict(), "note": NOTE}
    if ctx.profile is None or ctx.profile.runtime.name == "tflite-micro":
        ctx.report.warn(NOTE)
    return artifact.evolve("sparsity", float_model=model)
