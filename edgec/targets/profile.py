"""Target profiles: TOML data files, checked against a schema, with inheritance.

A profile says what the device has (core, clock, RAM, flash), which runtime runs
the model there (its op list and the op constraints that apply), which
accelerator (if any) takes ops off the CPU, which quantization schemes it can
run, its budgets when they are not the whole device (phones) and whether an
emulator can run it. Shipped profiles live in ``profiles/``; files whose name
starts with ``_`` are abstract bases. A user's own file (``--target-file``) may
inherit from a shipped profile.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from edgec.errors import TargetError
from edgec.targets.accelerators import RUNTIMES_DIR, AcceleratorSpec, load_accelerator
from edgec.units import parse_bytes

HERE = Path(__file__).parent
PROFILES_DIR = HERE / "profiles"
QUANT_SCHEMES = ("int8", "int16x8", "int4", "float32")

# The schema: key -> type, or a nested table. "size" is bytes given as int or "640 KiB".
_SCHEMA: dict = {
    "abstract": bool,
    "inherits": str,
    "name": str,
    "description": str,
    "aliases": [str],
    "device": {"core": str, "clock_mhz": "number", "ram": "size", "flash": "size", "board": str},
    "runtime": {"name": str, "code_bytes": "size", "ram_overhead_bytes": "size",
                "constraints": [str]},
    "quantization": {"schemes": [str], "default": str},
    # Limits when they are not the whole device (a phone app's share): default device.ram/flash.
    "budgets": {"ram": "size", "flash": "size"},
    # What takes ops off the CPU: runtimes/<name>.toml with a `unit`, and its settings.
    "accelerator": {"name": str, "api_level": "integer", "max_partitions": "integer",
                    "parameter_cache": "size", "config": str, "system_config": str,
                    "memory_mode": str},
    # Whether edgec's emulator harnesses (edgec/device, by device.core) can run the target.
    "emulator": {"available": bool, "note": str},
}
_REQUIRED = (
    ("name",), ("device", "core"), ("device", "clock_mhz"), ("device", "ram"), ("device", "flash"),
    ("runtime", "name"), ("runtime", "code_bytes"), ("runtime", "ram_overhead_bytes"),
    ("quantization", "schemes"),
)


@dataclass(frozen=True)
class Device:
    core: str
    clock_mhz: float
    ram_bytes: int
    flash_bytes: int
    board: str | None
    isa: str
    dsp: bool
    fpu: bool
    mve: bool
    neon: bool = False
    dotprod: bool = False
    cflags: tuple[str, ...] = ()  # arm-none-eabi-gcc flags for the core (cores.toml); () if none

    def features(self) -> list[str]:
        flags = {"DSP": self.dsp, "FPU": self.fpu, "MVE": self.mve, "NEON": self.neon,
                 "dot product": self.dotprod}
        return [name for name, on in flags.items() if on]


@dataclass(frozen=True)
class Emulator:
    """What a profile says about emulating it; without it, edgec/device's boards decide."""

    available: bool
    note: str = ""


@dataclass(frozen=True)
class RuntimeSpec:
    """What a runtime can execute: its ops and the activation types of their kernels.

    `kind` decides which passes measure and validate a build (edgec/passes/__init__.py);
    `outputs` which files the build writes besides model.tflite (edgec/passes/emit.py).
    """

    name: str
    description: str
    ops: frozenset[str]
    default_types: frozenset[str]
    op_types: dict[str, frozenset[str]]
    kind: str = "tflm"
    outputs: tuple[str, ...] = ()

    def types_for(self, op: str) -> frozenset[str]:
        return self.op_types.get(op, self.default_types)


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    description: str
    aliases: tuple[str, ...]
    device: Device
    runtime: RuntimeSpec
    runtime_code_bytes: int
    runtime_ram_bytes: int
    constraints: tuple[str, ...]
    schemes: tuple[str, ...]
    default_scheme: str
    source: str
    budget_ram_bytes: int = 0  # the RAM budget: budgets.ram, else device.ram
    budget_flash_bytes: int = 0  # the flash budget: budgets.flash, else device.flash
    accelerator: AcceleratorSpec | None = None
    emulator: Emulator | None = None

    def to_dict(self) -> dict:
        d = {
            "id": self.id, "name": self.name, "core": self.device.core,
            "clock_mhz": self.device.clock_mhz, "ram_bytes": self.device.ram_bytes,
            "flash_bytes": self.device.flash_bytes, "runtime": self.runtime.name,
            "runtime_code_bytes": self.runtime_code_bytes,
            "runtime_ram_bytes": self.runtime_ram_bytes, "schemes": list(self.schemes),
            "source": self.source,
            "budget_ram_bytes": self.budget_ram_bytes,
            "budget_flash_bytes": self.budget_flash_bytes,
            "accelerator": None if self.accelerator is None else self.accelerator.to_dict(),
        }
        if self.emulator is not None:
            d["emulator"] = {"available": self.emulator.available, "note": self.emulator.note}
        return d


def _bad(path: Path, message: str) -> TargetError:
    return TargetError(f"target profile {path.name}: {message}",
                       hint="see `edgec targets show stm32` and docs/targets.md for the format")


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise TargetError(f"target profile {path} does not exist",
                          hint="give the path of a .toml profile, or a shipped id (edgec targets list)")
    except IsADirectoryError:
        raise TargetError(f"target profile {path} is a folder, not a file",
                          hint="give the path of a .toml profile file")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _bad(path, f"not valid TOML ({exc})")


def _check_schema(path: Path, data: dict, schema: dict, where: str = "") -> None:
    for key, value in data.items():
        name = f"{where}{key}"
        if key not in schema:
            known = ", ".join(sorted(schema))
            raise _bad(path, f"unknown key '{name}' (known here: {known})")
        expected = schema[key]
        if isinstance(expected, dict):
            if not isinstance(value, dict):
                raise _bad(path, f"'{name}' must be a table ([{name}])")
            _check_schema(path, value, expected, name + ".")
        elif isinstance(expected, list):
            if not isinstance(value, list) or not all(isinstance(v, expected[0]) for v in value):
                raise _bad(path, f"'{name}' must be a list of {expected[0].__name__}")
        elif expected == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _bad(path, f"'{name}' must be a number, not {value!r}")
        elif expected == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                raise _bad(path, f"'{name}' must be an integer, not {value!r}")
        elif expected == "size":
            try:
                parse_bytes(value)
            except ValueError as exc:
                raise _bad(path, f"'{name}': {exc}")
        elif not isinstance(value, expected):
            raise _bad(path, f"'{name}' must be a {expected.__name__}, not {value!r}")


def _merge(base: dict, child: dict) -> dict:
    out = dict(base)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _resolve(path: Path, seen: tuple[str, ...] = ()) -> dict:
    data = _read_toml(path)
    _check_schema(path, data, _SCHEMA)
    parent = data.get("inherits")
    if parent is None:
        return data
    if parent in seen:
        raise _bad(path, f"inheritance loops: {' -> '.join(seen + (parent,))}")
    parent_path = path.parent / f"{parent}.toml"
    if not parent_path.exists():
        parent_path = PROFILES_DIR / f"{parent}.toml"
    if not parent_path.exists():
        raise _bad(path, f"inherits '{parent}', which is not a known profile")
    merged = _merge(_resolve(parent_path, seen + (path.stem,)), data)
    merged["abstract"] = data.get("abstract", False)  # a base's abstractness is not inherited
    return merged


@lru_cache(maxsize=None)
def _cores() -> dict:
    with open(HERE / "cores.toml", "rb") as f:
        return tomllib.load(f)


def core_cflags(core: str) -> tuple[str, ...]:
    """arm-none-eabi-gcc's flags for a core of cores.toml; () for cores it does not build for."""
    return tuple(_cores().get(core, {}).get("cflags", ()))


def _runtime_data(name: str) -> dict:
    path = RUNTIMES_DIR / f"{name}.toml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in RUNTIMES_DIR.glob("*.toml")))
        raise TargetError(f"unknown runtime '{name}'", hint=f"known runtimes: {known}")
    with open(path, "rb") as f:
        data = tomllib.load(f)
    parent = data.get("inherits")
    return data if parent is None else _merge(_runtime_data(parent), data)


@lru_cache(maxsize=None)
def load_runtime(name: str) -> RuntimeSpec:
    data = _runtime_data(name)
    if "unit" in data:
        raise TargetError(f"'{name}' is an accelerator, not a runtime",
                          hint="name it in [accelerator], and a runtime (tflite-micro, litert) "
                               "in [runtime]")
    return RuntimeSpec(
        name=data["name"], description=data.get("description", ""),
        ops=frozenset(data["ops"]), default_types=frozenset(data["default_types"]),
        op_types={k: frozenset(v) for k, v in data.get("op_types", {}).items()},
        kind=data.get("kind", "tflm"), outputs=tuple(data.get("outputs", [])),
    )


def load_profile_file(path: Path) -> Profile:
    """Load one profile file (shipped or the user's), resolve inheritance and validate it."""
    from edgec.targets.constraints import CONSTRAINTS

    path = Path(path)
    data = _resolve(path)
    if data.get("abstract"):
        raise _bad(path, "is an abstract base, not a target; inherit from it instead")
    for keys in _REQUIRED:
        node = data
        for k in keys:
            node = node.get(k) if isinstance(node, dict) else None
        if node is None:
            raise _bad(path, f"missing required key '{'.'.join(keys)}'")

    dev, rt, quant = data["device"], data["runtime"], data["quantization"]
    core = _cores().get(dev["core"])
    if core is None:
        raise _bad(path, f"unknown core '{dev['core']}' (known: {', '.join(sorted(_cores()))})")
    sizes = {k: parse_bytes(dev[k]) for k in ("ram", "flash")}
    sizes.update({k: parse_bytes(rt[k]) for k in ("code_bytes", "ram_overhead_bytes")})
    for key in ("ram", "flash"):
        if sizes[key] <= 0:
            raise _bad(path, f"device.{key} must be positive, not {dev[key]!r}")
    for key in ("code_bytes", "ram_overhead_bytes"):
        if sizes[key] < 0:
            raise _bad(path, f"runtime.{key} must not be negative, not {rt[key]!r}")
    budgets = {k: parse_bytes(v) for k, v in data.get("budgets", {}).items()}
    for key, value in budgets.items():
        if value <= 0:
            raise _bad(path, f"budgets.{key} must be positive, not {data['budgets'][key]!r}")
    limits = {key: budgets.get(key, sizes[key]) for key in ("ram", "flash")}
    if sizes["code_bytes"] >= limits["flash"]:
        raise _bad(path, "runtime.code_bytes leaves no flash for the model")
    if sizes["ram_overhead_bytes"] >= limits["ram"]:
        raise _bad(path, "runtime.ram_overhead_bytes leaves no RAM for the model")
    if dev["clock_mhz"] <= 0:
        raise _bad(path, f"device.clock_mhz must be positive, not {dev['clock_mhz']!r}")
    for name in rt.get("constraints", []):
        if name not in CONSTRAINTS:
            raise _bad(path, f"unknown op constraint '{name}' (known: {', '.join(CONSTRAINTS)})")
    schemes = tuple(quant["schemes"])
    for scheme in schemes:
        if scheme not in QUANT_SCHEMES:
            raise _bad(path, f"unknown quantization scheme '{scheme}' (known: {', '.join(QUANT_SCHEMES)})")
    if not schemes:
        raise _bad(path, "quantization.schemes is empty")
    default = quant.get("default", schemes[0])
    if default not in schemes:
        raise _bad(path, f"quantization.default '{default}' is not in quantization.schemes")
    accelerator = _accelerator(path, data.get("accelerator"))
    emulator = _emulator(path, data.get("emulator"))

    return Profile(
        id=path.stem, name=data["name"], description=data.get("description", ""),
        aliases=tuple(data.get("aliases", [])),
        device=Device(core=dev["core"], clock_mhz=float(dev["clock_mhz"]), ram_bytes=sizes["ram"],
                      flash_bytes=sizes["flash"], board=dev.get("board"), isa=core["isa"],
                      dsp=core.get("dsp", False), fpu=core.get("fpu", False),
                      mve=core.get("mve", False), neon=core.get("neon", False),
                      dotprod=core.get("dotprod", False), cflags=core_cflags(dev["core"])),
        runtime=load_runtime(rt["name"]),
        runtime_code_bytes=sizes["code_bytes"], runtime_ram_bytes=sizes["ram_overhead_bytes"],
        constraints=tuple(rt.get("constraints", [])), schemes=schemes, default_scheme=default,
        source=str(path),
        budget_ram_bytes=limits["ram"], budget_flash_bytes=limits["flash"],
        accelerator=accelerator, emulator=emulator,
    )


def _accelerator(path: Path, table: dict | None) -> AcceleratorSpec | None:
    if not table:
        return None
    from edgec.targets.constraints import CONSTRAINTS

    if "name" not in table:
        raise _bad(path, "missing required key 'accelerator.name'")
    settings = {k: v for k, v in table.items() if k != "name"}
    try:
        spec = load_accelerator(table["name"], settings)
    except ValueError as exc:
        raise _bad(path, str(exc))
    for name in spec.rules:
        if name not in CONSTRAINTS:
            raise _bad(path, f"accelerator '{spec.name}' uses unknown rule '{name}'")
    return spec


def _emulator(path: Path, table: dict | None) -> Emulator | None:
    if not table:
        return None
    if "available" not in table:
        raise _bad(path, "missing required key 'emulator.available'")
    return Emulator(available=table["available"], note=table.get("note", ""))
