"""Quantization-aware training as a build pass (the quantize pass then converts the result)."""

from __future__ import annotations

import dataclasses

from edgec import accuracy
from edgec.artifact import Artifact
from edgec.finetune import fine_tune, settings_for
from edgec.models.capabilities import require_keras
from edgec.models import from_tf_keras
from edgec.pipeline import BuildContext
from edgec.quantization.qat import QAT_WEIGHT_BITS, qat_model


def qat(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Wrap the model for QAT with the weight bits of --quant (8 or 4), fine-tune on --train."""
    opts = ctx.options
    bits = QAT_WEIGHT_BITS[opts.quant]
    source = require_keras(artifact, "QAT")
    wrapped = qat_model(source, bits)
    tuned = fine_tune(wrapped, ctx.train, settings_for(opts, "qat"), f"fine-tune (QAT {bits}-bit)",
                      teacher=ctx.reference)
    # The QAT model's own count includes its quantizers' ranges; the weights are the source's.
    model = dataclasses.replace(from_tf_keras(wrapped, "keras2", artifact.float_model.path),
                                params=artifact.float_model.params)
    accuracy.measure_float(ctx, "qat", model)
    ctx.report.optimization["qat"] = {"weight_bits": bits, "activation_bits": 8,
                                      "fine_tune": tuned.to_dict()}
    return artifact.evolve("qat", float_model=model)
