"""The parts of a summary about optimisation: pruning, QAT, sparsity, the accuracy guard,
and the plans --auto tried."""

from __future__ import annotations

from edgec.cli.tables import table
from edgec.report import Report
from edgec.units import format_bytes


def _tuned(details: dict) -> str:
    tune = details.get("fine_tune") or {}
    if not tune:
        return ""
    early = ", stopped early" if tune.get("stopped_early") else ""
    return f"; fine-tuned {tune['epochs']} epochs ({tune['loss']}{early})"


def optimization_parts(report: Report) -> list[str]:
    parts = []
    done = report.optimization
    if "prune" in done:
        p = done["prune"]
        layers = ", ".join(f"{r['layer']} {r['filters_before']}->{r['filters_after']}"
                           for r in p["layers"])
        parts.append(f"pruning ({round(100 * p['ratio'])} %, {p['norm']}, per {p['scope']}): "
                     f"{p['params_before']:,} -> {p['params_after']:,} parameters{_tuned(p)}\n"
                     f"  filters: {layers}")
    if "sparsity" in done:
        s = done["sparsity"]
        parts.append(f"sparsity {s['m']}:{s['n']}: {100 * s['zero_weights']:.1f} % of Conv2D/Dense "
                     f"weights are zero{_tuned(s)}")
    if "qat" in done:
        q = done["qat"]
        parts.append(f"QAT: {q['weight_bits']}-bit weights, {q['activation_bits']}-bit "
                     f"activations{_tuned(q)}")
    guard = report.accuracy_guard
    if guard:
        checks = ", ".join(f"{c['pass']} {c['value']:.2f} % ({c['value'] - guard['baseline']:+.2f})"
                           for c in guard["checks"])
        status = "ok" if guard["ok"] else "FAILED"
        metric = "accuracy" if guard["metric"] == "top1" else "top-1 agreement"
        parts.append(f"accuracy guard ({metric} {guard['baseline']:.2f} % at start, max drop "
                     f"{guard['max_drop']:g} points): {checks}: {status}")
    if report.plans:
        parts.append("plans tried by --auto:\n" + table(
            ["plan", "params", "model", "arena", "accuracy", "drop", "fits", "chosen", "why not"],
            [[p["plan"], _num(p.get("params")), format_bytes(p.get("model_bytes")),
              format_bytes(p.get("arena_bytes")), _pct(p.get("accuracy")),
              "" if p.get("accuracy_drop") is None else f"{p['accuracy_drop']:.2f}",
              "yes" if p["fits"] else "no", "<-" if p["chosen"] else "", p.get("reason") or ""]
             for p in report.plans], right={1, 2, 3, 4, 5}))
    return parts


def _num(value) -> str:
    return "" if value is None else f"{value:,}"


def _pct(value) -> str:
    return "" if value is None else f"{value:.2f} %"
