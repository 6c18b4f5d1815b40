"""Structured pruning as a build pass: remove filters, rebuild the smaller model, fine-tune."""

from __future__ import annotations

from edgec import accuracy
from edgec.artifact import Artifact
from edgec.finetune import fine_tune, settings_for
from edgec.models.capabilities import require_keras
from edgec.models import from_tf_keras
from edgec.pipeline import BuildContext
from edgec.pruning import prune_model


def prune(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Remove --prune of the filters (ranked by --prune-norm, per layer or globally), keep
    residual joins consistent and the outputs untouched, then fine-tune on --train.

    The fine-tuned model is kept in ctx.memo: --auto's plans that prune the same model by
    the same ratio (then quantize it differently) reuse it.
    """
    opts = ctx.options
    settings = settings_for(opts, "prune")
    key = ("prune", id(artifact.float_model), opts.prune, opts.prune_norm, opts.prune_scope,
           settings)
    if key not in ctx.memo:
        result = prune_model(require_keras(artifact, "pruning"), opts.prune,
                             opts.prune_norm, opts.prune_scope)
        tuned = fine_tune(result.model, ctx.train, settings, "fine-tune (prune)",
                          teacher=ctx.reference)
        model = from_tf_keras(result.model, "keras2", artifact.float_model.path)
        ctx.memo[key] = (model, {"ratio": opts.prune, "norm": opts.prune_norm,
                                 "scope": opts.prune_scope, **result.to_dict(),
                                 "fine_tune": tuned.to_dict()})
    model, details = ctx.memo[key]
    accuracy.measure_float(ctx, "prune", model)
    ctx.report.optimization["prune"] = details
    return artifact.evolve("prune", float_model=model)
