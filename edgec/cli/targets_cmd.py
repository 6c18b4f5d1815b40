"""`edgec targets list|show`: the target profiles edgec ships, and what each one runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from edgec.cli.tables import table
from edgec.targets import Profile, list_profiles, load_target
from edgec.targets.constraints import rule_text
from edgec.units import format_bytes

app = typer.Typer(help="List target profiles and show what a target runs.\n\n"
                       "Example: edgec targets show stm32", no_args_is_help=True)


@app.command("list", help="List the shipped target profiles.\n\nExample: edgec targets list --json")
def list_targets(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    profiles = list_profiles()
    if as_json:
        typer.echo(json.dumps([p.to_dict() | {"aliases": list(p.aliases)} for p in profiles], indent=2))
        return
    typer.echo(table(
        ["id", "aliases", "core", "MHz", "RAM", "flash", "runtime", "name"],
        [[p.id, ",".join(p.aliases), p.device.core, f"{p.device.clock_mhz:g}",
          format_bytes(p.device.ram_bytes), format_bytes(p.device.flash_bytes), p.runtime.name,
          p.name] for p in profiles],
        right={3, 4, 5}))


def describe(profile: Profile) -> str:
    """The text `targets show` prints; docs/targets.md is generated from it too."""
    d = profile.device
    lines = [
        f"{profile.id}: {profile.name}",
        f"  aliases:       {', '.join(profile.aliases) or '-'}",
        f"  core:          {d.core} ({d.isa}{', DSP' if d.dsp else ''}{', FPU' if d.fpu else ''}"
        f"{', MVE' if d.mve else ''}) at {d.clock_mhz:g} MHz",
        f"  RAM:           {format_bytes(d.ram_bytes)} ({d.ram_bytes:,} bytes)",
        f"  flash:         {format_bytes(d.flash_bytes)} ({d.flash_bytes:,} bytes)",
        f"  board:         {d.board or '-'}",
        f"  runtime:       {profile.runtime.name}: {profile.runtime.description}",
        f"  runtime flash: {format_bytes(profile.runtime_code_bytes)}; RAM outside the arena: "
        f"{format_bytes(profile.runtime_ram_bytes)}",
        f"  quantization:  {', '.join(profile.schemes)} (default {profile.default_scheme})",
        f"  profile file:  {profile.source}",
        "",
        "Every op must satisfy:",
    ]
    lines += [f"  - {rule_text(name)}" for name in profile.constraints]
    rt = profile.runtime
    lines += ["", f"Ops {rt.name} runs ({len(rt.ops)}):"]
    ops = sorted(rt.ops)
    width = max(len(op) for op in ops) + 2
    for start in range(0, len(ops), 4):
        lines.append("  " + "".join(op.ljust(width) for op in ops[start:start + 4]).rstrip())
    lines += ["", "Input types their kernels take:"]
    for op in sorted(rt.op_types):
        lines.append(f"  {op:<28}{', '.join(sorted(rt.op_types[op]))}")
    lines.append(f"  {'other ops':<28}one of {', '.join(sorted(rt.default_types))} "
                 "(the op's own kernel may take fewer)")
    return "\n".join(lines)


@app.command("show", help="Show a target: device, budgets, runtime, the op rules and the ops "
                          "it runs.\n\nExample: edgec targets show stm32")
def show(
    target: Optional[str] = typer.Argument(None, metavar="ID", help="Target id or alias."),
    target_file: Optional[Path] = typer.Option(None, "--target-file", help="A profile file."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    profile = load_target(target, target_file)
    if as_json:
        data = profile.to_dict() | {
            "aliases": list(profile.aliases),
            "constraints": [{"name": n, "rule": rule_text(n)} for n in profile.constraints],
            "ops": {op: sorted(profile.runtime.types_for(op)) for op in sorted(profile.runtime.ops)},
        }
        typer.echo(json.dumps(data, indent=2))
        return
    typer.echo(describe(profile))
