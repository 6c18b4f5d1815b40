"""Structured pruning: remove whole filters/channels and rebuild a smaller dense model.

tfmot's pruning only zeroes weights, which leaves a .tflite as large and as slow on
TensorFlow Lite Micro as before; removing channels shrinks the weights, the
activations (the arena) and the work. Three steps, one module each:

- graph: which channels must go together (residual joins) and which must stay (inputs,
  outputs, layers pruning does not go through);
- ranking: L1/L2 filter norms, per-layer or global ratio;
- rebuild: the smaller model with the kept weight slices.

Fine-tuning the result is edgec.finetune's job.
"""

from __future__ import annotations

from dataclasses import dataclass

from edgec.errors import ModelError
from edgec.pruning.graph import ChannelGraph, analyze
from edgec.pruning.ranking import NORMS, SCOPES, group_scores, select
from edgec.pruning.rebuild import rebuild

__all__ = ["NORMS", "SCOPES", "PruneResult", "analyze", "prune_model"]


@dataclass(frozen=True)
class PruneResult:
    model: object  # the smaller tf_keras model (not fine-tuned)
    params_before: int
    params_after: int
    layers: list[dict]  # {"layer", "filters_before", "filters_after"} for every pruned producer

    def to_dict(self) -> dict:
        return {"params_before": self.params_before, "params_after": self.params_after,
                "layers": self.layers}


def prune_model(model, ratio: float, norm: str = "l1", scope: str = "layer") -> PruneResult:
    """Remove `ratio` of the prunable filters of a tf_keras model (see ranking.select)."""
    if not 0 < ratio < 1:
        raise ValueError(f"ratio must be between 0 and 1, not {ratio}")
    graph = analyze(model)
    if not graph.prunable():
        raise ModelError(f"model '{model.name}' has no channels pruning can remove",
                         hint="pruning removes filters of Conv/Dense layers that do not feed the "
                              "model's output directly; build without --prune")
    kept = select(group_scores(graph, model, norm), ratio, scope)
    smaller = rebuild(model, graph, kept)
    return PruneResult(smaller, int(model.count_params()), int(smaller.count_params()),
                       _layer_table(graph, kept))


def _layer_table(graph: ChannelGraph, kept: dict) -> list[dict]:
    rows = []
    for root, indices in kept.items():
        for name in graph.producers(root):
            rows.append({"layer": name, "filters_before": graph.sizes[root],
                         "filters_after": int(len(indices))})
    order = {node.name: i for i, node in enumerate(graph.nodes)}
    return sorted(rows, key=lambda r: order[r["layer"]])
