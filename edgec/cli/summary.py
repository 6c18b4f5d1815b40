"""The human summary `edgec build` prints: passes, budgets, validation, outputs."""

from __future__ import annotations

from pathlib import Path

from edgec.cli.optimize_summary import optimization_parts
from edgec.cli.early_exit_summary import early_exit_summary
from edgec.cli.tables import table
from edgec.report import Report
from edgec.units import format_bytes


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} %"


def build_summary(report: Report, out: Path) -> str:
    target = f" -> {report.target} ({report.target_name})" if report.target else ""
    scheme = f", {report.quantization}" if report.quantization else ""
    parts = [f"edgec {report.edgec_version}: {report.model.get('path', '?')}{target}{scheme}"]
    parts.append(table(
        ["pass", "seconds", "params", "model bytes", "arena bytes", "accuracy"],
        [[p.name, f"{p.seconds:.2f}", _num(p.params), _num(p.model_bytes), _num(p.arena_bytes),
          _pct(p.accuracy) if p.accuracy is not None else ""] for p in report.passes],
        right={1, 2, 3, 4, 5}))
    if report.budgets:
        parts.append(table(
            ["budget", "used", "limit", "share", "status", "made of"],
            [[b.name, format_bytes(b.actual), format_bytes(b.limit),
              f"{100 * b.actual / b.limit:.1f} %", "ok" if b.ok else f"OVER by {b.over_by:,} B",
              " + ".join(f"{k} {format_bytes(v)}" for k, v in b.parts.items())]
             for b in report.budgets],
            right={1, 2, 3}))
    c = report.conversion
    if c:
        parts.append(f"conversion ({c['tool']} {c.get('version', '')}) checked against "
                     f"{c['reference']} on {c['samples']} samples: max |error| "
                     f"{c['max_abs_error']:.3g} (tolerance {c['tolerance']:g})")
    parts += _placement(report)
    v = report.validation
    if v:
        line = f"validation on {v['samples']} samples ({v.get('runtime')})"
        if "top1_agreement" in v:
            line += (f": top-1 agreement {_pct(v['top1_agreement'])}, cosine {v['cosine']:.4f}, "
                     f"rmse {v['rmse']:.4g}, max |error| {v['max_abs_error']:.4g}")
        if "accuracy_float" in v:
            change = v["accuracy_quantized"] - v["accuracy_float"]
            line += (f"\naccuracy: float {_pct(v['accuracy_float'])}, quantized "
                     f"{_pct(v['accuracy_quantized'])} ({change:+.2f} points)")
        elif "accuracy_quantized" in v:
            line += f"\naccuracy: {_pct(v['accuracy_quantized'])} (no float model to compare with)"
        if not report.accuracy_known:
            line += "\naccuracy: unknown (synthetic calibration)"
        parts.append(line)
    if report.aot:
        a = report.aot
        parts.append(f"aot: activations {format_bytes(a['activation_bytes'])} in one static buffer "
                     f"(without fusion and overlap at least {format_bytes(a['lower_bound_bytes'])}), "
                     f"weights {format_bytes(a['weight_bytes'])}, {a['kernels']} kernel calls "
                     f"({a['kernel_set']} kernels for {a['core']})"
                     + (f"\n     flash {format_bytes(a['flash_bytes'])} (code "
                        f"{format_bytes(a['code_bytes'])}), RAM {format_bytes(a['ram_bytes'])} "
                        f"(scratch {format_bytes(a['scratch_bytes'])}, stack "
                        f"{format_bytes(a['stack_bytes'])})" if "flash_bytes" in a else ""))
        if a.get("early_exit"):
            e = a["early_exit"]
            parts.append(f"aot early exits: {e['stages']} stages sharing "
                         f"{format_bytes(e['activation_bytes'])} of activations (each alone: "
                         f"{', '.join(format_bytes(b) for b in e['stage_activation_bytes'])}), "
                         f"I/O buffer {format_bytes(e['io_bytes'])}; flash "
                         f"{format_bytes(e['flash_bytes'])}, RAM {format_bytes(e['ram_bytes'])} "
                         f"(stack {format_bytes(e['stack_bytes'])}); edgec_model_early_exit.c")
    parts += optimization_parts(report)
    if report.early_exit:
        parts.append(early_exit_summary(report.early_exit))
    for w in report.warnings:
        parts.append(f"warning: {w}")
    if report.outputs:
        parts.append(f"wrote {out}/: {', '.join(report.outputs)}" if out.is_dir() else f"wrote {out}")
    return "\n\n".join(parts)


def _placement(report: Report) -> list[str]:
    """Where the ops run, as a table like edgetpu_compiler's log, and the accelerator's figures."""
    p = report.placement
    if not p:
        return []
    if report.edgetpu:
        rows = [[r["operator"], r["count"], r["status"]] for r in report.edgetpu["table"]]
    else:
        groups: dict[tuple, int] = {}
        for op in report.ops:
            status = f"{op.placement} ({op.delegate})" if op.delegate else f"cpu: {op.reason}"
            groups[(op.op, status)] = groups.get((op.op, status), 0) + 1
        rows = [[op, n, status] for (op, status), n in groups.items()]
    lines = [table(["Operator", "Count", "Status"], rows, right={1}),
             f"{p['ops_on_accelerator']} of {p['ops_on_accelerator'] + p['ops_on_cpu']} ops on "
             f"{p['accelerator']} ({p['unit']}), {p['partitions']} partition(s), "
             f"{p['accelerator_macs_percent']:.1f} % of MACs"]
    if report.edgetpu:
        compiler = report.edgetpu["compiler"]
        lines.append(f"edgetpu_compiler {compiler['version']} ran" if compiler["ran"]
                     else compiler["note"])
    if report.vela:
        v = report.vela
        lines.append(f"Vela {v['version']} ({v['accelerator_config']}, {v['system_config']}, "
                     f"{v['memory_mode']}): SRAM {format_bytes(v['sram_bytes'])}, flash "
                     f"{format_bytes(v['flash_bytes'])}, {v['cycles_total']:,} cycles "
                     f"({v['inference_ms']:.3f} ms) per inference")
    return ["\n".join(lines)]


def _num(value: int | None) -> str:
    return "" if value is None else f"{value:,}"
