"""Target profiles (data) and the op constraints that apply to them (code)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from edgec.errors import TargetError
from edgec.targets.profile import PROFILES_DIR, Device, Profile, RuntimeSpec, load_profile_file

__all__ = ["Device", "Profile", "RuntimeSpec", "list_profiles", "load_target", "load_profile_file"]


@lru_cache(maxsize=1)
def list_profiles() -> tuple[Profile, ...]:
    """Every shipped (non-abstract) profile, sorted by id."""
    paths = sorted(p for p in PROFILES_DIR.glob("*.toml") if not p.name.startswith("_"))
    return tuple(load_profile_file(p) for p in paths)


def _by_name() -> dict[str, Profile]:
    names: dict[str, Profile] = {}
    for profile in list_profiles():
        for name in (profile.id, *profile.aliases):
            if name in names:
                raise TargetError(f"target name '{name}' is used by {names[name].id} and {profile.id}")
            names[name] = profile
    return names


def load_target(target: str | None = None, target_file: str | Path | None = None) -> Profile:
    """A shipped profile by id or alias, or a user's profile file."""
    if target_file is not None:
        return load_profile_file(Path(target_file))
    if not target:
        raise TargetError("no target given", hint="pass --target ID (see `edgec targets list`) "
                                                  "or --target-file PATH")
    profile = _by_name().get(target)
    if profile is None:
        known = ", ".join(sorted(_by_name()))
        raise TargetError(f"unknown target '{target}'", hint=f"known targets: {known}")
    return profile
