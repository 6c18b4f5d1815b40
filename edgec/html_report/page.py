"""report.html: one self-contained page (inline CSS and SVG, no script, no network).

Every number the page shares with report.json / bench.json is written as
``<span data-key="path.to.key" data-value="raw">shown</span>`` so a test can check
that the page and the JSON agree on each of them.
"""

from __future__ import annotations

from html import escape

from edgec.html_report import sections, svg
from edgec.html_report.numbers import num
from edgec.units import format_bytes

CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1000px; color: #222; }
h1 { font-size: 20px; margin-bottom: 2px; } h2 { font-size: 16px; margin-top: 28px; }
.sub { color: #666; margin-top: 0; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; min-width: 140px; }
.card b { display: block; font-size: 18px; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { border-bottom: 1px solid #eee; padding: 3px 6px; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.bad { color: #c0392b; font-weight: 600; } .ok { color: #2e7d32; }
.warn { background: #fff4e5; border-left: 4px solid #f58518; padding: 4px 8px; margin: 4px 0; }
"""


def _pct(key: str, value: float | None) -> str:
    return "-" if value is None else num(key, value, f"{value:.2f} %")


def _summary(r: dict) -> str:
    cards = [("model", num("model_bytes", r["model_bytes"], format_bytes(r["model_bytes"])))]
    if r.get("arena_bytes") is not None:
        cards.append(("tensor arena", num("arena_bytes", r["arena_bytes"],
                                          format_bytes(r["arena_bytes"]))))
    for key in ("flash_bytes", "ram_bytes"):
        if r.get(key) is not None:
            cards.append((key.split("_")[0], num(key, r[key], format_bytes(r[key]))))
    v = r.get("validation") or {}
    if "accuracy_float" in v:
        cards.append(("accuracy float", _pct("validation.accuracy_float", v["accuracy_float"])))
        cards.append(("accuracy quantized", _pct("validation.accuracy_quantized",
                                                 v["accuracy_quantized"])))
    elif "accuracy_quantized" in v:  # a .tflite input: no float model to compare with
        cards.append(("accuracy", _pct("validation.accuracy_quantized", v["accuracy_quantized"])))
    if "top1_agreement" in v:
        cards.append(("top-1 agreement", _pct("validation.top1_agreement", v["top1_agreement"])))
        cards.append(("cosine", num("validation.cosine", v["cosine"], f"{v['cosine']:.4f}")))
    if not r.get("accuracy_known", True):
        cards.append(("accuracy", "unknown (synthetic calibration)"))
    html = ['<div class="cards">'] + [f'<div class="card">{escape(k)}<b>{val}</b></div>'
                                      for k, val in cards] + ["</div>"]
    for i, b in enumerate(r.get("budgets", [])):
        status = ('<span class="ok">fits</span>' if b["ok"] else
                  f'<span class="bad">over by {b["actual"] - b["limit"]:,} bytes</span>')
        html.append(f'<p>{escape(b["name"].upper())}: {num(f"budgets.{i}.actual", b["actual"])} of '
                    f'{num(f"budgets.{i}.limit", b["limit"])} bytes, {status}</p>')
        html.append(svg.budget_bar(b["name"].upper(), b.get("parts") or {"used": b["actual"]},
                                   b["limit"]))
    return "\n".join(html)


def _layers(r: dict, bench: dict | None) -> str:
    layers = r.get("layers") or []
    if not layers:
        return ""
    ops = {o["index"]: o for o in r.get("ops", [])}
    per_op = (bench or {}).get("per_op") or []
    measured = {p.get("index", i): i for i, p in enumerate(per_op)}  # op index -> position
    total_macs = sum(l["macs"] for l in layers) or 1
    head = ["#", "op", "output shape", "params", "MACs", "% MACs", "weight bytes",
            "activation bytes", "placement"] + (["instructions"] if per_op else [])
    rows = []
    for i, l in enumerate(layers):
        op = ops.get(l["index"], {})
        placement = op.get("placement") or ("supported" if op.get("supported", True) else "unsupported")
        if op.get("reason"):
            placement += f" ({op['reason']})"
        cells = [str(l["index"]), escape(l["op"]), escape("x".join(map(str, l["output_shape"]))),
                 num(f"layers.{i}.params", l["params"]), num(f"layers.{i}.macs", l["macs"]),
                 f"{100 * l['macs'] / total_macs:.1f}", num(f"layers.{i}.weight_bytes", l["weight_bytes"]),
                 num(f"layers.{i}.activation_bytes", l["activation_bytes"]), escape(placement)]
        if per_op:  # by op index: a fused ADD or an aliased RESHAPE has no count of its own
            at = measured.get(l["index"])
            cells.append("" if at is None else
                         num(f"bench.per_op.{at}.instructions", per_op[at]["instructions"]))
        rows.append(cells)
    numeric = {3, 4, 5, 6, 7, 9}
    th = "".join(f'<th class="{"n" if j in numeric else ""}">{escape(h)}</th>' for j, h in enumerate(head))
    body = "".join("<tr>" + "".join(f'<td class="{"n" if j in numeric else ""}">{c}</td>'
                                     for j, c in enumerate(cells)) + "</tr>" for cells in rows)
    chart = svg.horizontal_bars([(f'{l["index"]} {l["op"]}', l["macs"]) for l in layers], "MACs",
                                "layer-costs", "MACs per layer")
    if per_op:
        chart += svg.horizontal_bars([(f'{p.get("index", i)} {p["op"]}', p["instructions"])
                                      for i, p in enumerate(per_op)], "instr.",
                                     "layer-instructions", "instructions per layer")
    return (f"<h2>Cost per layer</h2>{chart}<h2>Layers</h2><table><thead><tr>{th}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _timeline(r: dict) -> str:
    steps = r.get("memory_timeline") or []
    if not steps:
        return ""
    ram = next((b for b in r.get("budgets", []) if b["name"] == "ram"), None)
    budget = None
    if ram is not None:  # what is left for activations once the runtime has its share
        budget = ram["limit"] - sum(v for k, v in (ram.get("parts") or {}).items() if k != "arena")
    chart = svg.memory_timeline([s["live_bytes"] for s in steps], [s["op"] for s in steps],
                                budget, r.get("arena_bytes"), (r.get("aot") or {}).get("activation_bytes"))
    peak = max(s["live_bytes"] for s in steps)
    return (f"<h2>Memory timeline</h2><p>Live activation bytes while each op runs; peak "
            f"{escape(format_bytes(peak))}. The measured arena adds scratch buffers, alignment and "
            f"the runtime's bookkeeping.</p>{chart}")


def _exits(r: dict) -> str:
    ee = r.get("early_exit") or {}
    rates = ee.get("exit_rates")
    if not rates:
        return ""
    stages = ee.get("stages") or []
    names = [s.get("exit_layer") or "model output" for s in stages] or \
        [f"exit {i}" for i in range(len(rates))]
    rows = [(f"{i} {name}", 100.0 * rate) for i, (name, rate) in enumerate(zip(names, rates))]
    html = "<h2>Early exits</h2>"
    if "expected_macs" in ee:
        expected = num("early_exit.expected_macs", ee["expected_macs"], f"{ee['expected_macs']:,.0f}")
        html += (f'<p>MACs per inference: {expected} expected of '
                 f'{num("early_exit.full_macs", ee["full_macs"])} for the whole model; top-1 '
                 f'{_pct("early_exit.accuracy_staged", ee["accuracy_staged"])} staged vs '
                 f'{_pct("early_exit.accuracy_original", ee["accuracy_original"])} for the '
                 f'original INT8 model ({escape(ee.get("confidence", ""))} confidence).</p>')
    html += svg.horizontal_bars(rows, "%", "exit-distribution", "share of inputs leaving at each exit")
    body = []
    for i, s in enumerate(stages):
        key = f"early_exit.stages.{i}"
        threshold = "always" if s["threshold"] is None else \
            num(f"{key}.threshold", s["threshold"], f"{s['threshold']:.4f}")
        cells = [escape(s["file"]), escape(names[i]), threshold,
                 *(num(f"{key}.{k}", s[k]) for k in ("macs", "bytes", "arena_bytes"))]
        body.append("<tr>" + "".join(f'<td class="{"n" if j > 1 else ""}">{c}</td>'
                                     for j, c in enumerate(cells)) + "</tr>")
    if body:
        html += ('<table><thead><tr><th>stage</th><th>exit after</th><th class="n">threshold</th>'
                 '<th class="n">MACs</th><th class="n">bytes</th><th class="n">arena bytes</th>'
                 f'</tr></thead><tbody>{"".join(body)}</tbody></table>')
    return html


def _passes(r: dict) -> str:
    rows = []
    for i, p in enumerate(r.get("passes", [])):
        size = num(f"passes.{i}.model_bytes", p["model_bytes"]) if p.get("model_bytes") else ""
        acc = _pct(f"passes.{i}.accuracy", p["accuracy"]) if p.get("accuracy") is not None else ""
        seconds = num(f"passes.{i}.seconds", p["seconds"], f"{p['seconds']:.2f}")
        rows.append(f'<tr><td>{escape(p["name"])}</td><td class="n">{seconds}</td>'
                    f'<td class="n">{size}</td><td class="n">{acc}</td></tr>')
    return ('<h2>Passes</h2><table><thead><tr><th>pass</th><th class="n">seconds</th>'
            f'<th class="n">model bytes</th><th class="n">accuracy</th></tr></thead><tbody>'
            f'{"".join(rows)}</tbody></table>')


def render(report: dict, bench: dict | None = None) -> str:
    """The page for a build's report (and a bench result, when there is one)."""
    r = report
    model = (r.get("model") or {}).get("path", "")
    warnings = "".join(f'<div class="warn">{escape(w)}</div>' for w in r.get("warnings", []))
    title = f"edgec report: {model} for {r.get('target', '')}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{CSS}</style></head><body>
<h1>{escape(model)} &rarr; {escape(r.get("target", ""))}</h1>
<p class="sub">{escape(r.get("target_name", ""))} &middot; {escape(str(r.get("quantization") or ""))}
&middot; edgec {escape(r.get("edgec_version", ""))}</p>
{warnings}
<h2>Summary</h2>
{_summary(r)}
{sections.bench(bench)}
{sections.accelerator(r)}
{_timeline(r)}
{sections.aot(r)}
{_layers(r, bench)}
{_exits(r)}
{sections.optimization(r)}
{_passes(r)}
</body></html>
"""
