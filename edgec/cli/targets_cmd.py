"""`edgec targets list|show`: the target profiles edgec ships, and what each one runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from edgec.cli.tables import table
from edgec.placement import describe as describe_placer
from edgec.targets import Profile, list_profiles, load_target
from edgec.targets.accelerators import AcceleratorSpec, android_release
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
        ["id", "aliases", "core", "MHz", "RAM", "flash", "runtime", "accelerator", "name"],
        [[p.id, ",".join(p.aliases), p.device.core, f"{p.device.clock_mhz:g}",
          format_bytes(p.device.ram_bytes), format_bytes(p.device.flash_bytes), p.runtime.name,
          p.accelerator.name if p.accelerator else "-", p.name] for p in profiles],
        right={3, 4, 5}))


def describe(profile: Profile) -> str:
    """The text `targets show` prints; docs/targets.md is generated from it too."""
    d = profile.device
    features = ", ".join([d.isa, *d.features()])
    lines = [
        f"{profile.id}: {profile.name}",
        f"  aliases:       {', '.join(profile.aliases) or '-'}",
        f"  core:          {d.core} ({features}) at {d.clock_mhz:g} MHz",
        f"  RAM:           {format_bytes(d.ram_bytes)} ({d.ram_bytes:,} bytes)",
        f"  flash:         {format_bytes(d.flash_bytes)} ({d.flash_bytes:,} bytes)",
        f"  board:         {d.board or '-'}",
    ]
    if (profile.budget_ram_bytes, profile.budget_flash_bytes) != (d.ram_bytes, d.flash_bytes):
        lines.append(f"  budgets:       RAM {format_bytes(profile.budget_ram_bytes)}, flash "
                     f"{format_bytes(profile.budget_flash_bytes)} (the profile's share of the "
                     "device)")
    lines += [
        f"  runtime:       {profile.runtime.name}: {profile.runtime.description}",
        f"  runtime flash: {format_bytes(profile.runtime_code_bytes)}; RAM outside the arena: "
        f"{format_bytes(profile.runtime_ram_bytes)}",
        f"  accelerator:   {_accelerator_line(profile.accelerator)}",
        f"  quantization:  {', '.join(profile.schemes)} (default {profile.default_scheme})",
        f"  emulator:      {_emulator_line(profile)}",
        f"  profile file:  {profile.source}",
        "",
        "Every op must satisfy:",
    ]
    lines += [f"  - {rule_text(name)}" for name in profile.constraints]
    if profile.accelerator is not None:
        lines += _accelerator_section(profile.accelerator)
    rt = profile.runtime
    lines += ["", f"Ops {rt.name} runs ({len(rt.ops)}):"]
    lines += _op_columns(rt.ops)
    lines += ["", "Input types their kernels take:"]
    for op in sorted(rt.op_types):
        lines.append(f"  {op:<28}{', '.join(sorted(rt.op_types[op]))}")
    lines.append(f"  {'other ops':<28}one of {', '.join(sorted(rt.default_types))} "
                 "(the op's own kernel may take fewer)")
    return "\n".join(lines)


def _accelerator_line(accel: AcceleratorSpec | None) -> str:
    if accel is None:
        return "- (every op runs on the CPU)"
    settings = [f"{k} {v}" for k, v in accel.settings.items()]
    if accel.api_level is not None:
        settings.insert(0, android_release(accel.api_level))
    if accel.max_partitions:
        settings.append(f"at most {accel.max_partitions} partition(s)")
    extra = f" [{'; '.join(settings)}]" if settings else ""
    return f"{accel.name} ({accel.unit}): {accel.description}{extra}"


def _emulator_line(profile: Profile) -> str:
    """How edgec's harnesses (edgec/device) emulate the profile's core, or why they cannot."""
    from edgec.device.boards import cortex_a_cores, cortex_m_boards

    emu, core = profile.emulator, profile.device.core
    if emu is not None and not emu.available:
        return f"none ({emu.note})" if emu.note else "none"
    board = next((b for b in cortex_m_boards() if b.core == core), None)
    cpu = next((c for c in cortex_a_cores() if c.name == core), None)
    if board is not None:
        line = f"qemu-system-arm -M {board.name} -cpu {board.qemu_cpu} (edgec.device.cortex_m)"
    elif cpu is not None:
        line = (f"qemu-aarch64 -cpu {cpu.qemu_cpu} with a matching /proc/cpuinfo "
                "(edgec.device.cortex_a)")
    else:
        line = f"none (edgec/device/boards.toml has no machine for {core})"
    return f"{line}; {emu.note}" if emu is not None and emu.note else line


def _accelerator_section(accel: AcceleratorSpec) -> list[str]:
    lines = ["", f"Placement on {accel.name}: {describe_placer(accel.placer)}"]
    if accel.rules:
        lines += ["", f"{accel.name} takes an op only when (else it runs on the CPU):"]
        lines += [f"  - {rule_text(name)}" for name in accel.rules]
    if accel.ops:
        levels = " (from API level)" if accel.levels else ""
        lines += ["", f"Ops {accel.name} takes ({len(accel.ops)}), with the input types{levels}:"]
        width = max(len(op) for op in accel.ops) + 2
        for op in sorted(accel.ops):
            types = sorted(accel.types_for(op))
            if accel.levels:
                types = [f"{t} {accel.levels[op][t]}" for t in types]
            text = ", ".join(types).replace("any", "any type")
            lines.append(f"  {op:<{width}}{text}")
    for notice in accel.notices:
        lines += ["", f"Note: {notice}"]
    return lines


def _op_columns(ops) -> list[str]:
    ops = sorted(ops)
    width = max(len(op) for op in ops) + 2
    return ["  " + "".join(op.ljust(width) for op in ops[start:start + 4]).rstrip()
            for start in range(0, len(ops), 4)]


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
        accel = profile.accelerator
        if accel is not None:
            data["accelerator"] |= {
                "rules": [{"name": n, "rule": rule_text(n)} for n in accel.rules],
                "ops": {op: sorted(accel.types_for(op)) for op in sorted(accel.ops)},
            }
        typer.echo(json.dumps(data, indent=2))
        return
    typer.echo(describe(profile))
