"""Where each op of a model runs on a target: on its accelerator (NPU, Edge TPU, GPU,
XNNPACK) or on the CPU, and why an op falls back.

One module per kind of accelerator, named by the accelerator file's ``placer`` key in the
explicit PLACERS dict below:

- rules.py: delegates that take every op passing their rules, in LiteRT partitions (NNAPI, GPU);
- xnnpack.py: XNNPACK, whose own delegate in LiteRT is asked;
- edgetpu.py: the Edge TPU compiler's one-partition rule (and the compiler itself when present);
- ethos_u.py: Vela, which compiles for the Ethos-U and leaves what it cannot map on the CPU.
"""

from __future__ import annotations

from types import ModuleType

from edgec.placement import edgetpu, ethos_u, rules, xnnpack
from edgec.placement.result import OpPlacement, Placement
from edgec.targets.profile import Profile
from edgec.tflite.model import Model

#: Placer modules by the `placer` key of an accelerator file (edgec/targets/runtimes/*.toml).
#: Each has ``place(tflite, model, profile) -> Placement``; its docstring says how it decides.
PLACERS: dict[str, ModuleType] = {
    "delegate": rules,
    "xnnpack": xnnpack,
    "edgetpu": edgetpu,
    "vela": ethos_u,
}


def place(tflite: bytes, model: Model, profile: Profile) -> Placement:
    """Place every op of `model` on `profile` (all on the CPU when it has no accelerator)."""
    if profile.accelerator is None:
        ops = {op.index: OpPlacement("cpu") for op in model.main.operators}
        return Placement(ops=ops, summary={})
    return PLACERS[profile.accelerator.placer].place(tflite, model, profile)


def describe(placer: str) -> str:
    """How a placer decides, for `edgec targets show` (the first paragraph of its module doc)."""
    return " ".join((PLACERS[placer].__doc__ or "").strip().split("\n\n")[0].split())


__all__ = ["OpPlacement", "Placement", "PLACERS", "place", "describe"]
