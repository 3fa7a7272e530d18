"""The "Metrics against the base commit" table of the Markdown report (reads only details)."""

from __future__ import annotations

from typing import Any

from mlgate.report.markdown import REPORT_SECTIONS
from mlgate.report.text import escape_md, fmt_value
from mlgate.results import Report

HEADING = "### Metrics against the base commit"


def _short(x: float) -> str:
    """3 decimals for metric-sized numbers (0.871), compact digits for large ones (12,340)."""
    if x != x:
        return "NaN"
    if abs(x) < 10 and (x == 0 or abs(x) >= 0.0005):
        return f"{x:.3f}"
    return fmt_value(x)


def _num(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _short(float(value))
    return "—"


def _delta(value: Any, base: Any) -> str:
    if not isinstance(value, (int, float)) or not isinstance(base, (int, float)):
        return "—"
    d = float(value) - float(base)
    if d == 0:
        return "±0"
    return ("+" if d > 0 else "−") + _short(abs(d))


def metrics_section(report: Report) -> str | None:
    """metric | this PR | base | Δ, one row per model metric (from `metrics:` and `max_drop`)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for check in report.checks:
        d = check.details or {}
        if check.family != "model" or "metric" not in d or "value" not in d:
            continue
        key = (str(d.get("model", "")), str(d["metric"]))
        if "/metrics/" in check.id or key not in rows:
            if key in rows and rows[key].get("base") is not None and d.get("base") is None:
                continue
            rows[key] = d
    if not rows:
        return None
    many = len({m for m, _ in rows}) > 1
    lines = [HEADING, "", "| metric | this PR | base | Δ |", "|---|---:|---:|---:|"]
    for (model, metric), d in rows.items():
        name = f"{model} · {metric}" if many else metric
        lines.append(
            f"| {escape_md(name)} | {_num(d.get('value'))} | {_num(d.get('base'))} | "
            f"{_delta(d.get('value'), d.get('base'))} |"
        )
    return "\n".join(lines)


if "model-metrics" not in dict(REPORT_SECTIONS.items()):
    REPORT_SECTIONS.add("model-metrics", metrics_section)
