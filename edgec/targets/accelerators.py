"""Accelerators: what takes ops off a target's CPU (an NPU, the Edge TPU, a GPU, XNNPACK).

An accelerator is a TOML file under ``runtimes/`` with a ``unit`` (where the ops it takes
run: npu, tpu, gpu or cpu), a ``placer`` (the module of edgec.placement that decides which
ops it takes), the ``rules`` an op must meet to be taken (op constraints, see
constraints.py; an op that fails one falls back to the CPU with that reason) and the ops
and input types it takes. NNAPI's ops depend on the Android API level: its file has a
``[levels]`` table (op -> {input type -> first API level}) and a profile names its level.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from edgec.units import parse_bytes

RUNTIMES_DIR = Path(__file__).parent / "runtimes"

#: Android API level -> the release that introduced it (for messages).
ANDROID_RELEASES = {27: "8.1", 28: "9", 29: "10", 30: "11", 31: "12", 32: "12L", 33: "13",
                    34: "14", 35: "15", 36: "16"}

#: Settings an accelerator file may ask a profile for (`requires`), with the check each must
#: pass; it may also accept `max_partitions` and `parameter_cache` (`accepts`).
SETTINGS = {
    "api_level": lambda v: None if v in ANDROID_RELEASES else
    f"must be an Android API level from {min(ANDROID_RELEASES)} to {max(ANDROID_RELEASES)}",
    "config": lambda v: None if v else "must name the NPU configuration (e.g. ethos-u55-128)",
    "system_config": lambda v: None if v else "must name a Vela system config",
    "memory_mode": lambda v: None if v else "must name a Vela memory mode",
}


def android_release(level: int) -> str:
    return f"API {level} (Android {ANDROID_RELEASES.get(level, '?')})"


@dataclass(frozen=True)
class AcceleratorSpec:
    """One accelerator as a profile configures it (API level and settings applied)."""

    name: str
    description: str
    unit: str  # placement of the ops it takes
    placer: str  # key of edgec.placement.PLACERS
    rules: tuple[str, ...]  # op constraints an op must meet to be taken
    ops: frozenset[str]
    default_types: frozenset[str]
    op_types: dict[str, frozenset[str]]
    levels: dict[str, dict[str, int]] = field(default_factory=dict)  # NNAPI: op -> type -> level
    api_level: int | None = None
    max_partitions: int = 0  # 0: the delegate takes any number of partitions
    parameter_cache_bytes: int | None = None
    notices: tuple[str, ...] = ()  # warnings every build for this accelerator carries
    settings: dict = field(default_factory=dict)  # Vela's config, system_config, memory_mode

    def types_for(self, op: str) -> frozenset[str]:
        return self.op_types.get(op, self.default_types)

    def first_level(self, op: str, type_name: str | None = None) -> int | None:
        """The first API level that takes `op` (with that input type), or None if none does."""
        table = self.levels.get(op)
        if not table:
            return None
        if type_name is None:
            return min(table.values())
        return table.get(type_name, table.get("any"))

    def to_dict(self) -> dict:
        d = {"name": self.name, "unit": self.unit, "placer": self.placer}
        if self.api_level is not None:
            d["api_level"] = self.api_level
        if self.max_partitions:
            d["max_partitions"] = self.max_partitions
        if self.parameter_cache_bytes:
            d["parameter_cache_bytes"] = self.parameter_cache_bytes
        return d | self.settings


@lru_cache(maxsize=None)
def _accelerator_file(name: str) -> dict:
    path = RUNTIMES_DIR / f"{name}.toml"
    if not path.exists():
        known = ", ".join(sorted(n for n in _file_names() if "unit" in _read(n)))
        raise ValueError(f"unknown accelerator '{name}' (known: {known})")
    data = _read(name)
    if "unit" not in data:
        raise ValueError(f"'{name}' is a runtime, not an accelerator")
    return data


def _file_names() -> list[str]:
    return [p.stem for p in RUNTIMES_DIR.glob("*.toml")]


def _read(name: str) -> dict:
    with open(RUNTIMES_DIR / f"{name}.toml", "rb") as f:
        return tomllib.load(f)


def load_accelerator(name: str, settings: dict) -> AcceleratorSpec:
    """The accelerator `name` configured with a profile's [accelerator] settings.

    Raises ValueError with the reason when the name or a setting is wrong; the profile
    loader turns it into a TargetError naming the profile file.
    """
    data = _accelerator_file(name)
    takes = {*data.get("requires", []), *data.get("accepts", [])}
    extra = sorted(set(settings) - takes)
    if extra:
        raise ValueError(f"accelerator '{name}' takes no accelerator.{extra[0]} (it takes: "
                         f"{', '.join(sorted(takes)) or 'no settings'})")
    for key in data.get("requires", []):
        if key not in settings:
            raise ValueError(f"accelerator '{name}' needs accelerator.{key}")
        problem = SETTINGS[key](settings[key])
        if problem:
            raise ValueError(f"accelerator.{key} {problem}, not {settings[key]!r}")
    api_level = settings.get("api_level")
    levels = {op: dict(types) for op, types in data.get("levels", {}).items()}
    if levels:
        ops = frozenset(op for op, types in levels.items() if min(types.values()) <= api_level)
        op_types = {op: frozenset(t for t, lvl in types.items() if lvl <= api_level)
                    for op, types in levels.items()}
    else:
        ops = frozenset(data.get("ops", []))
        op_types = {k: frozenset(v) for k, v in data.get("op_types", {}).items()}
    max_partitions = settings.get("max_partitions", data.get("max_partitions", 0))
    if max_partitions < 0:
        raise ValueError(f"accelerator.max_partitions must be 0 (no limit) or more, "
                         f"not {max_partitions}")
    cache = settings.get("parameter_cache", data.get("parameter_cache"))
    return AcceleratorSpec(
        name=data["name"], description=data.get("description", ""), unit=data["unit"],
        placer=data["placer"], rules=tuple(data.get("rules", [])), ops=ops,
        default_types=frozenset(data.get("default_types", [])), op_types=op_types,
        levels=levels, api_level=api_level, max_partitions=max_partitions,
        parameter_cache_bytes=None if cache is None else parse_bytes(cache),
        notices=tuple(data.get("notices", [])),
        settings={k: settings[k] for k in ("config", "system_config", "memory_mode")
                  if k in settings},
    )

