"""The "Service latency" table of the Markdown report (reads only results' details)."""

from __future__ import annotations

from typing import Any

from mlgate.report.markdown import REPORT_SECTIONS
from mlgate.report.text import escape_md
from mlgate.results import Report

HEADING = "### Service latency"


def _ms(value: Any) -> str:
    return f"{value:.1f}" if isinstance(value, (int, float)) else "—"


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
            f"{stats.get('requests', 0):,} | {_ms(stats.get('p50_ms'))} | "
            f"{_ms(stats.get('p95_ms'))} | {_ms(stats.get('p99_ms'))} | "
            f"{_ms(stats.get('max_ms'))} | {_ms(rps)} | {stats.get('errors', 0):,} |"
        )
    if not rows:
        return None
    head = [
        HEADING,
        "",
        "| service | mode | requests | p50 ms | p95 ms | p99 ms | max ms | req/s | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    return "\n".join(head + rows)


REPORT_SECTIONS.add("api.latency", latency_section)
