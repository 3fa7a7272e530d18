"""The "Metrics against the base commit" table of the Markdown report (reads only details)."""

from __future__ import annotations

from typing import Any

from mlgate.model.metrics import LOWER_IS_BETTER
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


def _ci(d: dict[str, Any]) -> tuple[float, float] | None:
    ci = d.get("delta_ci")
    if not isinstance(ci, list) or len(ci) != 2:
        return None
    if not all(isinstance(x, (int, float)) and x == x for x in ci):
        return None
    return float(ci[0]), float(ci[1])


def _signed(x: float) -> str:
    return ("+" if x > 0 else "−" if x < 0 else "±") + _short(abs(x))


def _interval(d: dict[str, Any]) -> str:
    ci = _ci(d)
    return "—" if ci is None else f"{_signed(ci[0])} to {_signed(ci[1])}"


def change_word(d: dict[str, Any]) -> str:
    """better / worse / no detectable change: the interval of Δ on one side of 0 (or, with
    `decide: estimate`, the sign of Δ), in the metric's sense."""
    value, base = d.get("value"), d.get("base")
    if not isinstance(value, (int, float)) or not isinstance(base, (int, float)):
        return "—"
    ci = _ci(d)
    if d.get("decide") == "estimate" or ci is None:
        if ci is None and d.get("decide") != "estimate":
            return "—"
        lo = hi = float(value) - float(base)
    else:
        lo, hi = ci
    up_is_worse = d.get("metric") in LOWER_IS_BETTER
    if lo > 0 or hi < 0:
        rose = lo > 0
        return "worse" if rose == up_is_worse else "better"
    return "no detectable change"


def metrics_section(report: Report) -> str | None:
    """metric | this PR | base | Δ | interval of Δ | change, one row per model metric (from
    `metrics:` and `max_drop`; a row with an interval wins)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for check in report.checks:
        d = check.details or {}
        if check.family != "model" or "metric" not in d or "value" not in d:
            continue
        key = (str(d.get("model", "")), str(d["metric"]))
        old = rows.get(key)
        if old is None or _rank(d) > _rank(old):
            rows[key] = d
    if not rows:
        return None
    levels = {float(d.get("confidence") or 0) for d in rows.values() if _ci(d)}
    level = f"{100 * levels.pop():g}% CI of Δ" if len(levels) == 1 else "CI of Δ"
    many = len({m for m, _ in rows}) > 1
    lines = [
        HEADING,
        "",
        f"| metric | this PR | base | Δ | {level} | change |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for (model, metric), d in rows.items():
        name = f"{model} · {metric}" if many else metric
        lines.append(
            f"| {escape_md(name)} | {_num(d.get('value'))} | {_num(d.get('base'))} | "
            f"{_delta(d.get('value'), d.get('base'))} | {_interval(d)} | {change_word(d)} |"
        )
    return "\n".join(lines)


def _rank(d: dict[str, Any]) -> int:
    """Which check's figures a row shows: one with an interval, else one with a base."""
    return 2 * (_ci(d) is not None) + (d.get("base") is not None)


if "model-metrics" not in dict(REPORT_SECTIONS.items()):
    REPORT_SECTIONS.add("model-metrics", metrics_section)
