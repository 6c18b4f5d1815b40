"""Inline SVG charts for the HTML report, drawn by edgec itself.

Why not a plotting library: the page must be self-contained (no network, no CDN) and
reproducible byte for byte (matplotlib's SVG carries random ids and dates), and a
dependency of tens of MB for three chart types is a poor trade. Every chart is a
<svg> element with a class naming it, so tests can find it and measure it.
"""

from __future__ import annotations

from html import escape

from edgec.units import format_bytes

PALETTE = {"fill": "#4c78a8", "fill2": "#9ecae9", "over": "#e45756", "line": "#333333",
           "grid": "#dddddd", "mark": "#f58518"}


def _svg(cls: str, width: int, height: int, body: list[str], title: str) -> str:
    return (f'<svg class="chart {cls}" xmlns="http://www.w3.org/2000/svg" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>' + "".join(body) + "</svg>")


def budget_bar(name: str, parts: dict[str, int], limit: int, width: int = 520) -> str:
    """A horizontal bar: the parts of what is used, stacked, against the limit."""
    height, bar_h, top = 46, 18, 6
    total = sum(parts.values())
    scale = (width - 2) / max(limit, total, 1)
    body, x = [f'<rect class="track" x="1" y="{top}" width="{limit * scale:.1f}" height="{bar_h}" '
               f'fill="#f0f0f0"/>'], 1.0
    colours = [PALETTE["fill"], PALETTE["fill2"], PALETTE["mark"]]
    for i, (part, value) in enumerate(parts.items()):
        w = value * scale
        body.append(f'<rect class="part" x="{x:.1f}" y="{top}" width="{max(w, 0.5):.1f}" '
                    f'height="{bar_h}" fill="{colours[i % 3]}"><title>{escape(part)}: '
                    f'{escape(format_bytes(value))}</title></rect>')
        x += w
    lx = 1 + limit * scale
    colour = PALETTE["over"] if total > limit else PALETTE["line"]
    body.append(f'<line class="limit" x1="{lx:.1f}" y1="2" x2="{lx:.1f}" y2="{top + bar_h + 4}" '
                f'stroke="{colour}" stroke-width="2"/>')
    body.append(f'<text x="1" y="{height - 4}" font-size="12">{escape(name)}: '
                f'{escape(format_bytes(total))} of {escape(format_bytes(limit))} '
                f'({100 * total / max(limit, 1):.1f} %)</text>')
    return _svg(f"budget budget-{name.lower()}", width, height, body, f"{name} budget")


def memory_timeline(values: list[int], labels: list[str], budget: int | None,
                    measured: int | None, planned: int | None = None, width: int = 760,
                    height: int = 260) -> str:
    """Live activation bytes at each step (a step chart), the budget line, the peak, the
    measured arena and, for ahead-of-time builds, the static plan's size."""
    left, right, top, bottom = 70, 10, 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max([*values, measured or 0, planned or 0, 1])
    off_scale = budget is not None and budget > 1.5 * top_value  # would flatten the data
    if budget is not None and not off_scale:
        top_value = max(top_value, budget)
    n = max(len(values), 1)
    step_w = plot_w / n

    def y(v: float) -> float:
        return top + plot_h - v / top_value * plot_h

    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
            f'stroke="{PALETTE["line"]}"/>']
    for frac in (0.25, 0.5, 0.75, 1.0):
        gy = y(top_value * frac)
        body.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{width - right}" y2="{gy:.1f}" '
                    f'stroke="{PALETTE["grid"]}"/><text x="{left - 4}" y="{gy + 4:.1f}" '
                    f'font-size="10" text-anchor="end">{escape(format_bytes(top_value * frac))}</text>')
    for i, (v, label) in enumerate(zip(values, labels)):
        body.append(f'<rect class="step" x="{left + i * step_w:.1f}" y="{y(v):.1f}" '
                    f'width="{max(step_w - 1, 0.5):.1f}" height="{top + plot_h - y(v):.1f}" '
                    f'fill="{PALETTE["fill"]}"><title>step {i} {escape(label)}: '
                    f'{escape(format_bytes(v))}</title></rect>')
    if values:
        peak = max(range(len(values)), key=lambda i: values[i])
        px = left + (peak + 0.5) * step_w
        body.append(f'<circle class="peak" cx="{px:.1f}" cy="{y(values[peak]):.1f}" r="4" '
                    f'fill="{PALETTE["mark"]}"/><text x="{px + 6:.1f}" y="{y(values[peak]) - 4:.1f}" '
                    f'font-size="11">peak {escape(format_bytes(values[peak]))} at step {peak}</text>')
    if off_scale:
        body.append(f'<text class="budget-note" x="{left + 4}" y="{top + 10}" '
                    f'font-size="10">RAM budget for activations '
                    f'{escape(format_bytes(budget))} (above this chart)</text>')
    for value, cls, label, colour in ((None if off_scale else budget, "budget-line",
                                       "RAM budget for activations", PALETTE["over"]),
                                      (measured, "arena-line", "measured arena", PALETTE["line"]),
                                      (planned, "plan-line", "AOT static plan", PALETTE["mark"])):
        if value:
            body.append(f'<line class="{cls}" x1="{left}" y1="{y(value):.1f}" x2="{width - right}" '
                        f'y2="{y(value):.1f}" stroke="{colour}" stroke-dasharray="6 3"/>'
                        f'<text x="{width - right - 4}" y="{y(value) - 3:.1f}" font-size="10" '
                        f'text-anchor="end">{escape(label)} {escape(format_bytes(value))}</text>')
    body.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" font-size="11" '
                f'text-anchor="middle">step of the schedule (op index)</text>')
    return _svg("memory-timeline", width, height, body, "live activation bytes per step")


def horizontal_bars(rows: list[tuple[str, float]], unit: str, cls: str, title: str,
                    width: int = 760) -> str:
    """One bar per row (label, value), longest = full width."""
    row_h, left = 16, 190
    height = row_h * max(len(rows), 1) + 8
    top_value = max([v for _, v in rows] + [1])
    body = []
    for i, (label, value) in enumerate(rows):
        w = (width - left - 90) * value / top_value
        y = 4 + i * row_h
        body.append(f'<text x="{left - 6}" y="{y + 11}" font-size="11" text-anchor="end">'
                    f'{escape(label)}</text><rect class="bar" x="{left}" y="{y}" '
                    f'width="{max(w, 0.5):.1f}" height="{row_h - 4}" fill="{PALETTE["fill"]}"/>'
                    f'<text x="{left + w + 4:.1f}" y="{y + 11}" font-size="10">'
                    f'{value:,.0f} {escape(unit)}</text>')
    return _svg(cls, width, height, body, title)
