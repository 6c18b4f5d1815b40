"""Exit heads: small classifiers attached at cut points, sized for the target.

A head on a feature map (H, W, C) is: average pooling (down to about 8x8 when larger,
coarser when the convolution would not fit otherwise), a 3x3 convolution with ReLU,
global average pooling and a dense layer to the classes' logits. On a sequence (T, F) it
is global average pooling and the dense layer, on a flat tensor the dense layer alone.
The convolution's width is the largest of 64, 32, 16, 8 filters that keeps the head

- within HEAD_MAC_SHARE of the whole model's MACs (an exit must stay cheap beside the
  backbone it lets an input skip),
- within HEAD_FLASH_SHARE of the flash the target leaves beside the model (int8 weights),
- and no larger in activation bytes than the cut tensor it reads (so the stage's arena
  does not grow for it);

with no width that fits at any pooling, the head is pooling and the dense layer only.
"""

from __future__ import annotations

from dataclasses import dataclass

HEAD_MAC_SHARE = 0.10
HEAD_FLASH_SHARE = 0.10
WIDTHS = (64, 32, 16, 8)
POOLED_SIZE = 8


@dataclass(frozen=True)
class HeadPlan:
    pool: int  # average-pooling window (1: none)
    filters: int  # 3x3 convolution width (0: none)
    classes: int
    rank: int = 3  # of the cut tensor without the batch: 3 feature map, 2 sequence, 1 flat

    def macs(self, shape: tuple[int, ...]) -> int:
        """Multiply-adds as edgec.tflite.costs counts them (pooling: one per input read)."""
        if len(shape) != 3:
            elements = 1
            for d in shape:
                elements *= int(d)
            pooled = elements if len(shape) > 1 else 0
            return pooled + int(shape[-1]) * self.classes
        h, w, c = max(1, shape[0] // self.pool), max(1, shape[1] // self.pool), shape[2]
        pooled = shape[0] * shape[1] * c if self.pool > 1 else 0
        conv = h * w * 9 * c * self.filters
        width = self.filters or c
        return pooled + conv + h * w * width + width * self.classes

    def weight_bytes(self, shape: tuple[int, ...]) -> int:
        channels = shape[-1]
        conv = 9 * channels * self.filters + 4 * self.filters
        return conv + (self.filters or channels) * self.classes + 4 * self.classes

    def describe(self) -> str:
        pool = f"avg-pool {self.pool}, " if self.pool > 1 else ""
        conv = f"conv 3x3x{self.filters}, " if self.filters else ""
        gap = "global pool, " if self.rank > 1 else ""
        return f"{pool}{conv}{gap}dense {self.classes}"


def plan_head(shape: tuple[int, ...], classes: int, full_macs: int, flash_left: int) -> HeadPlan:
    """The head for a cut tensor of `shape` (no batch), by the rules in the module doc:
    the finest pooling first, then the widest convolution that fits."""
    if len(shape) != 3:
        return HeadPlan(pool=1, filters=0, classes=classes, rank=len(shape))
    cut_bytes = shape[0] * shape[1] * shape[2]
    pool = max(1, min(shape[0], shape[1]) // POOLED_SIZE)
    while min(shape[0], shape[1]) // pool >= 2:
        pooled = (shape[0] // pool) * (shape[1] // pool)
        for filters in WIDTHS:
            plan = HeadPlan(pool=pool, filters=filters, classes=classes)
            if (plan.macs(shape) <= HEAD_MAC_SHARE * full_macs
                    and plan.weight_bytes(shape) <= HEAD_FLASH_SHARE * flash_left
                    and pooled * filters <= cut_bytes):
                return plan
        pool *= 2
    return HeadPlan(pool=max(1, min(shape[0], shape[1]) // POOLED_SIZE), filters=0, classes=classes)


def head_layers(keras, plan: HeadPlan, name: str) -> list:
    """The Keras layers of one head, in order; the last returns logits."""
    layers = keras.layers
    stack = []
    if plan.rank == 3:
        if plan.pool > 1:
            stack.append(layers.AveragePooling2D(plan.pool, name=f"{name}_pool"))
        if plan.filters:
            stack.append(layers.Conv2D(plan.filters, 3, padding="same", activation="relu",
                                       name=f"{name}_conv"))
        stack.append(layers.GlobalAveragePooling2D(name=f"{name}_gap"))
    elif plan.rank == 2:
        stack.append(layers.GlobalAveragePooling1D(name=f"{name}_gap"))
    stack.append(layers.Dense(plan.classes, name=f"{name}_logits"))
    return stack


def apply(stack: list, tensor):
    for layer in stack:
        tensor = layer(tensor)
    return tensor
