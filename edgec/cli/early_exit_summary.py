"""What `edgec early-exit` and `edgec run` print about the staged model."""

from __future__ import annotations

from edgec.cli.tables import table
from edgec.units import format_bytes


def _threshold(value) -> str:
    return "always" if value is None else f"{value:.4f}"


def early_exit_summary(ee: dict) -> str:
    """The stages (exit, threshold, share of inputs leaving, MACs) and the outcome."""
    rows = [[s["file"], s["exit_layer"] or "(model output)", _threshold(s["threshold"]),
             f"{100 * rate:.1f} %", f"{s['macs']:,}", f"{s['cumulative_macs']:,}",
             format_bytes(s["bytes"]), format_bytes(s["arena_bytes"])]
            for s, rate in zip(ee["stages"], ee["exit_rates"])]
    lines = [table(["stage", "exit after", "threshold", "leave here", "MACs", "MACs so far",
                    "size", "arena"], rows, right={2, 3, 4, 5, 6, 7})]
    share = ee["expected_macs"] / ee["full_macs"]
    lines.append(f"early exits ({ee['confidence']} confidence): {ee['expected_macs']:,.0f} MACs per "
                 f"inference expected vs {ee['full_macs']:,} for the whole model "
                 f"({100 * share:.1f} %); top-1 {ee['accuracy_staged']:.2f} % vs "
                 f"{ee['accuracy_original']:.2f} % for the original INT8 model "
                 f"({ee['accuracy_staged'] - ee['accuracy_original']:+.2f} points, "
                 f"allowed -{ee['max_accuracy_drop']:g}) on {ee['validation']['samples']} "
                 "validation samples")
    unused = [c["layer"] for c in ee["candidates"] if c["threshold"] is None]
    if unused:
        lines.append(f"exits left out (not worth their MACs): {', '.join(unused)}")
    return "\n".join(lines)


def run_summary(outcome) -> dict:
    """`edgec run`'s result as JSON-ready numbers."""
    r = outcome.result
    stages = len(outcome.stage_files)
    summary = {"inputs": outcome.source, "samples": int(len(r.predictions)),
               "exit_rates": r.exit_rates(stages), "mean_macs": float(r.macs.mean()),
               "full_macs": outcome.full_macs}
    if outcome.accuracy is not None:
        summary["accuracy"] = outcome.accuracy
    return summary


def run_text(summary: dict) -> str:
    rates = ", ".join(f"stage {k} {100 * rate:.1f} %" for k, rate in enumerate(summary["exit_rates"]))
    text = (f"{summary['samples']} inputs from {summary['inputs']}: left at {rates}\n"
            f"MACs per inference {summary['mean_macs']:,.0f} vs {summary['full_macs']:,} for the "
            f"whole model ({100 * summary['mean_macs'] / summary['full_macs']:.1f} %)")
    if "accuracy" in summary:
        text += f"\ntop-1 accuracy {summary['accuracy']:.2f} %"
    return text
