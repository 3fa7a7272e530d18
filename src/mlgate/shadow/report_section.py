"""The "Shadow comparison" table of the Markdown report (reads only results' details)."""

from __future__ import annotations

from typing import Any

from mlgate.report.markdown import REPORT_SECTIONS
from mlgate.report.text import escape_md
from mlgate.results import Report

HEADING = "### Shadow comparison"


def _num(value: Any, digits: int = 3) -> str:
    return f"{value:.{digits}f}" if isinstance(value, (int, float)) else "—"


def _with_ci(d: dict[str, Any], key: str, digits: int) -> str:
    """'1.02 (0.97–1.08)'; a side the data cannot bound shows as '…'."""
    value = d.get(key)
    ci = d.get(f"{key}_ci")
    if not isinstance(value, (int, float)) or not isinstance(ci, list) or len(ci) != 2:
        return _num(value, digits)
    lo, hi = (_num(x, digits) if isinstance(x, (int, float)) else "…" for x in ci)
    return f"{_num(value, digits)} ({lo}–{hi})"


def shadow_section(report: Report) -> str | None:
    """One row per shadow entry: agreement with its interval, score differences, errors, latency."""
    seen: dict[str, dict[str, Any]] = {}
    for check in report.checks:
        summary = (check.details or {}).get("shadow")
        if check.family == "shadow" and isinstance(summary, dict):
            seen.setdefault(check.id.split("/")[1], summary)
    if not seen:
        return None
    lines = [
        HEADING,
        "",
        "| comparison | agreement (95% CI) | score diff p50 / p95 / max | errors P / C "
        "| p50 ms P / C (CI) | latency ratio C / P (CI) |",
        "|---|---|---|---|---|---:|",
    ]
    for name, s in seen.items():
        a = s.get("agreement") or {}
        lo, hi = (a.get("ci95") or [None, None])[:2]
        agreement = f"{a.get('k')} of {a.get('n')} ({_num(lo, 3)}–{_num(hi, 3)})" if a else "—"
        d = s.get("score_diff") or {}
        p, c = s.get("primary") or {}, s.get("candidate") or {}
        lines.append(
            f"| {escape_md(name)} | {agreement} | {_num(d.get('p50'), 4)} / "
            f"{_num(d.get('p95'), 4)} / {_num(d.get('max'), 4)} | {p.get('errors', '—')} / "
            f"{c.get('errors', '—')} | {_with_ci(p, 'p50_ms', 2)} / {_with_ci(c, 'p50_ms', 2)} "
            f"| {_with_ci(s, 'latency_ratio', 2)} |"
        )
    return "\n".join(lines)


REPORT_SECTIONS.add("shadow.comparison", shadow_section)
