"""Where a model can be cut into stages: clean cut points of a Keras layer graph.

A cut after layer L is *clean* when L's output is the only tensor crossing that point:
every layer upstream of L (L's ancestors) feeds only layers that are themselves upstream
of L, so everything after the cut needs nothing from before it but L's output. In a
ResNet that is after each residual block's Add (and its activation); inside a block the
skip connection crosses too. In a plain chain of layers every layer is a clean cut.

A *block boundary* is a clean cut whose next layer is not one the TFLite converter fuses
into the layer before it (batch normalisation, an activation): cutting between a
convolution and its batch normalisation would keep the converter from folding them.
`--exits auto` picks among block boundaries; named layers may be any clean cut.
"""

from __future__ import annotations

from dataclasses import dataclass

from edgec.errors import ModelError

#: Layers the converter folds into the op before them: a cut just before one splits a group.
FUSED_FOLLOWERS = {"BatchNormalization", "ReLU", "Activation", "LeakyReLU", "PReLU", "ELU",
                   "Softmax", "ThresholdedReLU"}


@dataclass(frozen=True)
class CutPoint:
    layer: str  # name of the Keras layer whose output is the cut tensor
    position: int  # index in the model's topological layer order
    shape: tuple[int, ...]  # the cut tensor's shape without the batch dimension
    block_boundary: bool  # not followed by a layer the converter fuses into it


@dataclass(frozen=True)
class LayerGraph:
    """The layers of a functional model as a graph of names, in topological order."""

    order: tuple[str, ...]
    classes: dict[str, str]
    inputs_of: dict[str, tuple[str, ...]]  # layer -> the layers it reads
    consumers: dict[str, tuple[str, ...]]  # layer -> the layers that read it
    model_inputs: tuple[str, ...]
    model_outputs: tuple[str, ...]
    shared: frozenset[str]  # layers called more than once (no single output tensor)

    def ancestors(self, name: str) -> set[str]:
        seen, stack = set(), [name]
        while stack:
            layer = stack.pop()
            if layer not in seen:
                seen.add(layer)
                stack.extend(self.inputs_of[layer])
        return seen

    def crossing(self, name: str) -> list[str]:
        """Layers other than `name` whose outputs cross a cut after `name`."""
        upstream = self.ancestors(name)
        crossing = [layer for layer in upstream if layer != name and (
            layer in self.model_outputs or any(c not in upstream for c in self.consumers[layer]))]
        crossing += [i for i in self.model_inputs if i not in upstream]
        return sorted(crossing, key=self.order.index)


def layer_graph(keras_model) -> LayerGraph:
    """The graph of a tf_keras functional or Sequential model, read from its config."""
    keras_graph = _functional(keras_model)
    config = keras_graph.get_config()
    order, classes, inputs_of, shared = [], {}, {}, set()
    for layer in config["layers"]:
        name = layer["name"]
        order.append(name)
        classes[name] = layer["class_name"]
        nodes = layer.get("inbound_nodes") or []
        if len(nodes) > 1:
            shared.add(name)
        inputs_of[name] = tuple(dict.fromkeys(_inbound_names(nodes)))
    consumers = {name: tuple(n for n in order if name in inputs_of[n]) for name in order}
    return LayerGraph(
        order=tuple(order), classes=classes, inputs_of=inputs_of, consumers=consumers,
        model_inputs=tuple(i[0] for i in config["input_layers"]),
        model_outputs=tuple(o[0] for o in config["output_layers"]), shared=frozenset(shared))


def _functional(keras_model):
    """The model as a functional graph (a Sequential model built on an Input is one)."""
    if not getattr(keras_model, "_is_graph_network", False):
        raise ModelError("early exits need a model with a static layer graph (functional or "
                         "Sequential with an input shape); this one is subclassed",
                         hint="rebuild it with the functional API and save it again")
    if type(keras_model).__name__ == "Sequential":
        from edgec.tf_runtime import keras

        return keras().Model(keras_model.inputs, keras_model.outputs)
    return keras_model


def _inbound_names(nodes) -> list[str]:
    names = []
    for node in nodes:
        for entry in node:  # [layer name, node index, tensor index, kwargs]
            if isinstance(entry, (list, tuple)) and entry and isinstance(entry[0], str):
                names.append(entry[0])
    return names


def cut_points(keras_model) -> list[CutPoint]:
    """Every clean cut of the model, in topological order (the final output excluded)."""
    graph = layer_graph(keras_model)
    model = _functional(keras_model)
    cuts = []
    for position, name in enumerate(graph.order):
        if (name in graph.model_inputs or name in graph.model_outputs or name in graph.shared
                or graph.crossing(name)):
            continue
        output = model.get_layer(name).output
        if isinstance(output, (list, tuple)):
            continue
        followers = {graph.classes[c] for c in graph.consumers[name]}
        cuts.append(CutPoint(layer=name, position=position, shape=tuple(output.shape[1:]),
                             block_boundary=not (followers & FUSED_FOLLOWERS)))
    return cuts


def named_cuts(keras_model, names: list[str]) -> list[CutPoint]:
    """The cut points after the layers the user named, in model order; a name that is not a
    layer, or a layer that is not a clean cut, is a ModelError naming it."""
    graph = layer_graph(keras_model)
    clean = {c.layer: c for c in cut_points(keras_model)}
    unknown = [n for n in names if n not in graph.classes]
    if unknown:
        raise ModelError(f"--exits names layer(s) the model does not have: {', '.join(unknown)}",
                         hint=f"clean cut points of this model: {_listing(clean)}")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ModelError(f"--exits names layer(s) more than once: {', '.join(repeated)}",
                         hint="give each exit layer once")
    for name in names:
        if name in clean:
            continue
        if name in graph.model_outputs:
            reason = "it is the model's output"
        elif name in graph.model_inputs:
            reason = "it is the model's input"
        elif name in graph.shared:
            reason = "the layer is used more than once, so it has no single output"
        else:
            reason = f"other tensors cross that point (from {', '.join(graph.crossing(name)[:3])})"
        raise ModelError(f"layer '{name}' is not a clean cut point for an early exit: {reason}",
                         hint=f"exits go where one tensor carries everything forward, e.g. after "
                              f"a residual block's Add; clean cut points: {_listing(clean)}")
    return sorted((clean[n] for n in names), key=lambda c: c.position)


def _listing(clean: dict[str, CutPoint]) -> str:
    names = [name for name, c in clean.items() if c.block_boundary] or list(clean)
    if not names:
        return "none"
    more = f" (and {len(names) - 12} more)" if len(names) > 12 else ""
    return ", ".join(names[:12]) + more


def parse_exits(spec: str) -> tuple[str, int] | list[str]:
    """`auto`, `auto:N` (N exits) or a comma-separated list of layer names."""
    spec = spec.strip()
    if spec == "auto" or spec.startswith("auto:"):
        count = spec.partition(":")[2] or "3"
        if not count.isdigit() or not 1 <= int(count) <= 8:
            raise ValueError(f"'{spec}': auto:N takes N from 1 to 8")
        return ("auto", int(count))
    names = [n.strip() for n in spec.split(",")]
    if not spec or any(not n for n in names):
        raise ValueError(f"'{spec}' is not auto, auto:N or a comma-separated list of layer names")
    return names


def pick_even(cuts: list[CutPoint], fractions: dict[str, float], count: int,
              low: float = 0.05, high: float = 0.9) -> list[CutPoint]:
    """Up to `count` block boundaries nearest to even shares of the MACs (1/(n+1), 2/(n+1),
    ...); `fractions` gives each cut's share of the model's MACs before it. Boundaries
    that leave almost nothing before (< low) or after (> high) them are not used."""
    usable = [c for c in cuts if c.block_boundary and low <= fractions[c.layer] <= high]
    chosen: list[CutPoint] = []
    for i in range(1, count + 1):
        goal = i / (count + 1)
        if usable:
            best = min(usable, key=lambda c: (abs(fractions[c.layer] - goal), c.position))
            if best not in chosen:
                chosen.append(best)
    return sorted(chosen, key=lambda c: c.position)
