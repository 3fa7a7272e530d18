"""The "Service latency" table of the Markdown report (reads only results' details)."""

from __future__ import annotations

from typing import Any

from mlgate.report.markdown import REPORT_SECTIONS
from mlgate.report.text import escape_md
from mlgate.results import Report

HEADING = "### Service latency"


def _ms(value: Any) -> str:
    return f"{value:.1f}" if isinstance(value, (int, float)) else "—"


def _with_ci(stats: dict[str, Any], key: str) -> str:
    """'3.1 (3.0–3.4)': the percentile and its interval; '…' for a side it has no bound."""
    ci = stats.get(f"{key}_ci")
    if not isinstance(ci, list) or len(ci) != 2:
        return _ms(stats.get(key))
    lo, hi = (_ms(x) if isinstance(x, (int, float)) else "…" for x in ci)
    return f"{_ms(stats.get(key))} ({lo}–{hi})"


def latency_section(report: Report) -> str | None:
    """check | requests | p50 | p95 | p99 | max | req/s | errors, one row per latency check."""
    rows = []
    for check in report.checks:
        stats = (check.details or {}).get("latency")
        if check.family != "api" or not isinstance(stats, dict):
            continue
        name = check.id.removeprefix("api/").removesuffix("/latency")
        rps = stats.get("throughput_rps")
        rows.append(
            f"| {escape_md(name)} | {escape_md(stats.get('mode', ''))} | "
            f"{stats.get('requests', 0):,} | {_with_ci(stats, 'p50_ms')} | "
            f"{_with_ci(stats, 'p95_ms')} | {_with_ci(stats, 'p99_ms')} | "
            f"{_ms(stats.get('max_ms'))} | {_ms(rps)} | {stats.get('errors', 0):,} |"
        )
    if not rows:
        return None
    head = [
        HEADING,
        "",
        "| service | mode | requests | p50 ms (CI) | p95 ms (CI) | p99 ms (CI) | max ms | req/s "
        "| errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    return "\n".join(head + rows)


REPORT_SECTIONS.add("api.latency", latency_section)
