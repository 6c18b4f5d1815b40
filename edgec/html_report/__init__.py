"""The HTML report (report.html): summary, budgets, memory timeline, per-layer costs."""

from edgec.html_report.page import render

__all__ = ["render"]
