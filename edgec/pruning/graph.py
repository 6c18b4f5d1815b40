"""Channel analysis of a tf_keras model: which channels must be removed together, and which
must stay.

Every layer that makes new channels (Conv1D/2D/3D filters, Dense units) starts a *group*.
Layers that keep channels one to one (BatchNormalization, DepthwiseConv2D with depth
multiplier 1, activations, pooling, padding, dropout, Flatten ...) pass their input's
groups on. Layers that join tensors element by element (Add, Multiply, ...) merge the
groups of their inputs into one: a residual block's shortcut and its last convolution
must keep the same channels. Concatenate along channels lays groups side by side.

A group is *pinned* (never pruned) when it reaches the model's input or output, or a
layer edgec does not prune through (Reshape, grouped convolutions, ...). Pruning
removes the same channel indices from every producer of a group and the matching input
channels (or, after Flatten, input rows) from every consumer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from edgec.errors import ModelError

#: Layers that create a new group of output channels, with the config key that sizes it.
PRODUCERS = {"Conv1D": "filters", "Conv2D": "filters", "Conv3D": "filters", "Dense": "units"}
#: Layers with one weight vector (or kernel slice) per channel, passed through one to one.
PER_CHANNEL = {"BatchNormalization", "DepthwiseConv1D", "DepthwiseConv2D", "PReLU"}
#: Layers without weights that keep channels one to one.
PASS_THROUGH = {
    "ReLU", "Activation", "LeakyReLU", "ELU", "ThresholdedReLU", "Softmax",
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
    "GaussianDropout", "AlphaDropout", "ActivityRegularization",
    "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
    "AveragePooling3D", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
    "GlobalAveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
    "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D",
    "UpSampling1D", "UpSampling2D", "UpSampling3D", "Rescaling",
}
#: Layers that join tensors element by element: their inputs must keep the same channels.
ELEMENTWISE = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"}
#: Layers edgec understands but does not prune through: the channels around them are kept.
OPAQUE = {"Reshape", "Permute", "RepeatVector", "LayerNormalization", "UnitNormalization",
          "Normalization", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
          "SeparableConv1D", "SeparableConv2D"}
SUPPORTED = set(PRODUCERS) | PER_CHANNEL | PASS_THROUGH | ELEMENTWISE | OPAQUE | {
    "InputLayer", "Flatten", "Concatenate"}


def _unsupported(message: str) -> ModelError:
    return ModelError(message, hint="pruning takes Sequential and Functional tf_keras models of "
                                    "the layers listed in README, 'Structured pruning'; build "
                                    "without --prune, or replace the layer")


@dataclass(frozen=True)
class Layout:
    """The channels of one tensor: groups side by side along the last axis.

    After Flatten, the features are `positions` copies of those channels, position-major
    (feature p * C + c is channel c at spatial position p), as Keras flattens NHWC."""

    segments: tuple[int, ...]
    positions: int = 1


@dataclass(frozen=True)
class Node:
    name: str
    kind: str  # the layer's class name
    inputs: tuple[str, ...]  # names of the nodes whose outputs it takes
    layer: object | None  # the tf_keras layer (None for a Sequential model's implicit input)


@dataclass
class ChannelGraph:
    """The model's layers in order, each output's Layout, and the groups (union-find)."""

    nodes: list[Node]
    layouts: dict[str, Layout] = field(default_factory=dict)
    sizes: list[int] = field(default_factory=list)  # group id -> channel count
    _parent: list[int] = field(default_factory=list)
    _producer: dict[int, str] = field(default_factory=dict)  # group id -> layer that made it
    _pins: dict[int, str] = field(default_factory=dict)  # group id -> why it is kept

    # -- union-find -----------------------------------------------------------------
    def find(self, group: int) -> int:
        while self._parent[group] != group:
            self._parent[group] = self._parent[self._parent[group]]
            group = self._parent[group]
        return group

    def new_group(self, size: int, producer: str | None = None, pin: str | None = None) -> int:
        group = len(self.sizes)
        self.sizes.append(int(size))
        self._parent.append(group)
        if producer is not None:
            self._producer[group] = producer
        if pin is not None:
            self._pins[group] = pin
        return group

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self._parent[rb] = ra

    def pin(self, layout: Layout, reason: str) -> None:
        for group in layout.segments:
            self._pins.setdefault(self.find(group), reason)

    # -- queries ----------------------------------------------------------------------
    def channels(self, layout: Layout) -> int:
        return sum(self.sizes[g] for g in layout.segments)

    def producers(self, group: int) -> list[str]:
        root = self.find(group)
        return [name for g, name in sorted(self._producer.items()) if self.find(g) == root]

    def roots(self) -> list[int]:
        return sorted({self.find(g) for g in range(len(self.sizes))})

    def prunable(self) -> list[int]:
        """Groups whose channels may be removed: not pinned, made by a layer, more than one."""
        pinned = {self.find(g) for g in self._pins}
        return [r for r in self.roots()
                if r not in pinned and self.producers(r) and self.sizes[r] > 1]

    def kept_indices(self, layout: Layout, kept: dict[int, np.ndarray]) -> np.ndarray:
        """Indices (along the last axis) of the channels of `layout` that survive, given the
        kept channels of each group root (roots missing from `kept` keep everything)."""
        parts, offset = [], 0
        for group in layout.segments:
            size = self.sizes[group]
            parts.append(offset + kept.get(self.find(group), np.arange(size)))
            offset += size
        channels = np.concatenate(parts) if parts else np.zeros(0, np.int64)
        if layout.positions == 1:
            return channels
        return (np.arange(layout.positions)[:, None] * offset + channels[None, :]).reshape(-1)


def _nodes(model) -> list[Node]:
    """The model's layers as nodes in execution order, each with the nodes it reads."""
    kind = type(model).__name__
    if kind == "Sequential":
        nodes = [Node("<input>", "InputLayer", (), None)]
        for layer in model.layers:
            nodes.append(Node(layer.name, type(layer).__name__, (nodes[-1].name,), layer))
        return nodes
    if kind not in ("Functional", "Model"):
        raise _unsupported(f"pruning needs a Sequential or Functional model, not a subclassed "
                           f"'{kind}'")
    try:
        config = model.get_config()
    except NotImplementedError:
        raise _unsupported(f"pruning cannot read the structure of model '{model.name}' "
                           "(a subclassed model)")
    nodes = []
    for entry in config["layers"]:
        name = entry["name"]
        if entry["class_name"] not in SUPPORTED:
            raise _unsupported(f"pruning does not support layer '{name}' ({entry['class_name']})")
        inbound = entry.get("inbound_nodes") or []
        if len(inbound) > 1:
            raise _unsupported(f"layer '{name}' is shared (called {len(inbound)} times); pruning "
                               "needs each layer called once")
        inputs = []
        for ref in (inbound[0] if inbound else []):
            source, node_index, tensor_index = ref[0], ref[1], ref[2]
            kwargs = ref[3] if len(ref) > 3 else {}
            if node_index != 0 or tensor_index != 0 or kwargs:
                raise _unsupported(f"layer '{name}' ({entry['class_name']}) takes tensors pruning "
                                   "cannot follow (a multi-output or shared layer, or call "
                                   "arguments)")
            inputs.append(source)
        nodes.append(Node(name, entry["class_name"], tuple(inputs), model.get_layer(name)))
    return nodes


def _shape(layer, attribute: str) -> tuple:
    shape = getattr(layer, attribute)
    return tuple(shape[0]) if isinstance(shape, list) else tuple(shape)


def _opaque_reason(node: Node) -> str | None:
    """Why a normally supported layer must keep its channels as they are, if it must."""
    config = node.layer.get_config()
    if config.get("data_format") == "channels_first":
        return f"layer '{node.name}' is channels_first"
    if node.kind in PRODUCERS and config.get("groups", 1) != 1:
        return f"layer '{node.name}' is a grouped convolution"
    if node.kind.startswith("DepthwiseConv") and config.get("depth_multiplier", 1) != 1:
        return f"layer '{node.name}' has depth_multiplier {config['depth_multiplier']}"
    if node.kind == "BatchNormalization":
        axis = config.get("axis", -1)
        axis = axis[0] if isinstance(axis, (list, tuple)) and len(axis) == 1 else axis
        rank = len(_shape(node.layer, "input_shape"))
        if axis not in (-1, rank - 1):
            return f"layer '{node.name}' normalizes axis {axis}, not the channels"
    if node.kind == "Rescaling" and (np.size(config.get("scale", 1)) > 1
                                     or np.size(config.get("offset", 0)) > 1):
        return f"layer '{node.name}' rescales channel by channel"
    return None


def analyze(model) -> ChannelGraph:
    """The channel groups of a Sequential or Functional tf_keras model.

    Raises ModelError naming the first layer pruning does not support.
    """
    graph = ChannelGraph(nodes=_nodes(model))
    for node in graph.nodes:
        if node.kind not in SUPPORTED:
            raise _unsupported(f"pruning does not support layer '{node.name}' ({node.kind})")
        graph.layouts[node.name] = _layout_of(graph, node, model)
    output_names = [n.name for n in graph.nodes[-1:]] if type(model).__name__ == "Sequential" \
        else [ref[0] for ref in model.get_config()["output_layers"]]
    for name in output_names:
        graph.pin(graph.layouts[name], "model output")
    return graph


def _layout_of(graph: ChannelGraph, node: Node, model) -> Layout:
    if node.kind == "InputLayer":
        shape = _shape(node.layer, "output_shape") if node.layer is not None else \
            tuple(model.inputs[0].shape)
        return Layout((graph.new_group(shape[-1], pin="model input"),))
    inputs = [graph.layouts[name] for name in node.inputs]
    out_shape = _shape(node.layer, "output_shape")
    reason = _opaque_reason(node) if node.kind not in OPAQUE else f"layer '{node.name}' ({node.kind})"

    if reason is not None:
        for layout in inputs:
            graph.pin(layout, reason)
        return Layout((graph.new_group(out_shape[-1], pin=reason),))
    if node.kind in PRODUCERS:
        if inputs[0].positions > 1 and len(_shape(node.layer, "input_shape")) != 2:
            graph.pin(inputs[0], f"layer '{node.name}' reads flattened features")
        return Layout((graph.new_group(out_shape[-1], producer=node.name),))
    if node.kind in PER_CHANNEL or node.kind in PASS_THROUGH:
        return inputs[0]
    if node.kind == "Flatten":
        in_shape = _shape(node.layer, "input_shape")
        if len(in_shape) <= 2:
            return inputs[0]
        positions = int(np.prod(in_shape[1:-1])) * inputs[0].positions
        return Layout(inputs[0].segments, positions)
    if node.kind == "Concatenate":
        rank = len(out_shape)
        axis = node.layer.get_config().get("axis", -1)
        if axis in (-1, rank - 1):
            if any(layout.positions > 1 for layout in inputs):
                for layout in inputs:
                    graph.pin(layout, f"layer '{node.name}' joins flattened features")
                return Layout((graph.new_group(out_shape[-1], pin="flattened concatenation"),))
            return Layout(tuple(g for layout in inputs for g in layout.segments))
    # Element-wise joins, and Concatenate along a non-channel axis: inputs share channels.
    return _join(graph, node, inputs, out_shape[-1])


def _join(graph: ChannelGraph, node: Node, inputs: list[Layout], channels: int) -> Layout:
    """Inputs that carry all the output's channels get the same channels kept; an input with
    one channel broadcast over the others (x * attention) is left as it is."""
    full = [layout for layout in inputs if graph.channels(layout) == channels]
    first = full[0]
    for other in full[1:]:
        same = (other.positions == first.positions
                and [graph.sizes[g] for g in other.segments] == [graph.sizes[g] for g in first.segments])
        if not same:
            for layout in full:
                graph.pin(layout, f"layer '{node.name}' joins tensors laid out differently")
            return first
        for a, b in zip(first.segments, other.segments):
            graph.union(a, b)
    return first
