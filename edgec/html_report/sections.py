"""Sections of report.html that appear when a build has them: optimisation (--prune, --qat,
--auto, the accuracy guard), the target's accelerator (placement, Edge TPU, Vela), the
ahead-of-time memory plan and an emulator bench. Numbers are tagged like the page's."""

from __future__ import annotations

from html import escape

from edgec.html_report import svg
from edgec.html_report.numbers import num
from edgec.units import format_bytes


def _table(head: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    th = "".join(f'<th class="{"n" if i in numeric else ""}">{escape(h)}</th>'
                 for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(f'<td class="{"n" if i in numeric else ""}">{c}</td>'
                                     for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _value(key: str, value) -> str:
    """A cell: tagged when it is a number, escaped text otherwise."""
    if isinstance(value, bool) or value is None:
        return escape("-" if value is None else ("yes" if value else "no"))
    if isinstance(value, (int, float)):
        return num(key, value, f"{value:,}" if isinstance(value, int) else f"{value:,.2f}")
    return escape(str(value))


def _key_values(prefix: str, data: dict, keys: list[str]) -> str:
    rows = [[escape(k.replace("_", " ")), _value(f"{prefix}.{k}", data[k])] for k in keys if k in data]
    return _table(["", ""], rows, {1}) if rows else ""


def optimization(r: dict) -> str:
    parts = []
    prune = (r.get("optimization") or {}).get("prune")
    if prune:
        parts.append(f"<p>Pruning removed {prune.get('ratio', 0) * 100:.0f} % of the filters: "
                     f"{_value('optimization.prune.params_before', prune.get('params_before'))} &rarr; "
                     f"{_value('optimization.prune.params_after', prune.get('params_after'))} "
                     "parameters.</p>")
        layers = prune.get("layers") or []
        if layers:
            parts.append(_table(["layer", "filters before", "filters after"], [
                [escape(str(l["layer"])), _value(f"optimization.prune.layers.{i}.filters_before",
                                                  l["filters_before"]),
                 _value(f"optimization.prune.layers.{i}.filters_after", l["filters_after"])]
                for i, l in enumerate(layers)], {1, 2}))
    guard = r.get("accuracy_guard")
    if guard:
        verdict = '<span class="ok">kept</span>' if guard.get("ok") else '<span class="bad">broken</span>'
        parts.append(f"<p>Accuracy guard: at most {_value('accuracy_guard.max_drop', guard.get('max_drop'))} "
                     f"points below {_value('accuracy_guard.baseline', guard.get('baseline'))} "
                     f"({escape(str(guard.get('metric', '')))}): {verdict}.</p>")
        parts.append(_table(["after pass", "value", "drop", "ok"], [
            [escape(str(c.get("pass"))), _value(f"accuracy_guard.checks.{i}.value", c.get("value")),
             _value(f"accuracy_guard.checks.{i}.drop", c.get("drop")), _value("", c.get("ok"))]
            for i, c in enumerate(guard.get("checks") or [])], {1, 2}))
    plans = r.get("plans") or []
    if plans:
        cols = ["plan", "model_bytes", "arena_bytes", "flash_bytes", "ram_bytes", "accuracy",
                "accuracy_drop", "fits", "chosen", "reason"]
        parts.append("<h3>Plans tried by --auto</h3>" + _table(
            [c.replace("_", " ") for c in cols],
            [[_value(f"plans.{i}.{c}", p.get(c)) for c in cols] for i, p in enumerate(plans)],
            {1, 2, 3, 4, 5, 6}))
    return "<h2>Optimisation</h2>" + "".join(parts) if parts else ""


def accelerator(r: dict) -> str:
    parts = []
    placement = r.get("placement")
    if placement:
        parts.append(_key_values("placement", placement, [
            "accelerator", "unit", "ops_on_accelerator", "ops_on_cpu", "partitions",
            "accelerator_partitions", "accelerator_macs_percent"]))
    tpu = r.get("edgetpu")
    if tpu:
        parts.append("<h3>Edge TPU</h3>" + _table(["operator", "count", "status"], [
            [escape(t["operator"]), _value(f"edgetpu.table.{i}.count", t["count"]), escape(t["status"])]
            for i, t in enumerate(tpu.get("table") or [])], {1}))
        note = (tpu.get("compiler") or {}).get("note")
        if note:
            parts.append(f'<div class="warn">{escape(note)}</div>')
    vela = r.get("vela")
    if vela:
        parts.append("<h3>Vela (Ethos-U)</h3>" + _key_values("vela", vela, [
            "accelerator_config", "system_config", "memory_mode", "sram_bytes", "dram_bytes",
            "flash_bytes", "cycles_npu", "cycles_total", "inference_ms", "inferences_per_second",
            "macs", "vela_npu_ops", "vela_cpu_ops"]))
    return "<h2>Accelerator</h2>" + "".join(parts) if parts else ""


def aot(r: dict) -> str:
    a = r.get("aot")
    if not a:
        return ""
    rows = [("TFLite Micro arena (measured)", r.get("arena_bytes")),
            ("AOT static plan", a.get("activation_bytes")),
            ("live at once without fusion", a.get("lower_bound_bytes"))]
    chart = svg.horizontal_bars([(label, v) for label, v in rows if v is not None], "B",
                                "aot-memory", "activation memory: TFLite Micro vs the AOT plan")
    return ("<h2>Ahead-of-time C</h2>"
            f"<p>One static buffer of {_value('aot.activation_bytes', a['activation_bytes'])} bytes "
            f"({escape(format_bytes(a['activation_bytes']))}) for activations; weights "
            f"{_value('aot.weight_bytes', a['weight_bytes'])} bytes in flash; "
            f"{_value('aot.kernels', a.get('kernels', 0))} kernel calls.</p>{_compiled(a)}{chart}")


def _compiled(a: dict) -> str:
    """The AOT C as compiled for the core (edgec.aot.footprint): what the budgets check."""
    if "flash_bytes" not in a:
        return ""
    return (f"<p>{escape(str(a.get('kernel_set', '')))} kernels compiled for "
            f"{escape(str(a.get('core', '')))}: flash {_value('aot.flash_bytes', a['flash_bytes'])} "
            f"bytes (code {_value('aot.code_bytes', a['code_bytes'])}), RAM "
            f"{_value('aot.ram_bytes', a['ram_bytes'])} bytes (scratch "
            f"{_value('aot.scratch_bytes', a['scratch_bytes'])}, stack "
            f"{_value('aot.stack_bytes', a['stack_bytes'])}). {escape(a.get('method', ''))}.</p>")


def bench(b: dict | None) -> str:
    """What ran on the (emulated) device: bench.json's figures."""
    if not b:
        return ""
    est = b.get("estimate") or {}
    exact = b["bit_exact"]
    cards = [
        ("instructions / inference", num("bench.instructions_per_inference",
                                         b["instructions_per_inference"])),
        (f"estimated ms at {est.get('clock_mhz', '?')} MHz, CPI {est.get('assumed_cpi', '?')}",
         num("bench.estimated_ms", b["estimated_ms"], f"{b['estimated_ms']:.2f}")),
        ("flash", num("bench.flash_bytes", b["flash_bytes"], format_bytes(b["flash_bytes"]))),
        ("RAM (static + stack)", num("bench.ram_bytes", b["ram_bytes"], format_bytes(b["ram_bytes"]))),
        ("stack", num("bench.stack_bytes", b["stack_bytes"], format_bytes(b["stack_bytes"]))),
        ("TFLite Micro arena", num("bench.tflm_arena_bytes", b["tflm_arena_bytes"],
                                   format_bytes(b["tflm_arena_bytes"]))),
        ("outputs vs TFLite Micro",
         f'<span class="{"ok" if exact else "bad"}">{"bit-exact" if exact else "DIFFER"}</span> '
         f'on {num("bench.samples_compared", b["samples_compared"])} samples'),
    ]
    where = f"{b.get('board', '')} ({b.get('core', '')}) under {b.get('device', '')}"
    return (f"<h2>On the device: {escape(where)}</h2>"
            '<div class="cards">' + "".join(f'<div class="card">{escape(k)}<b>{v}</b></div>'
                                            for k, v in cards) + "</div>"
            f"<p>{escape(est.get('method', ''))}. Instructions per inference: the most any of "
            "the samples took; the per-layer table has each op's share.</p>")
