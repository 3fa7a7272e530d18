"""Mermaid charts GitHub draws (comments, job summaries, Markdown files), from check details.

Rendering never computes a check: the drift charts read the `histogram` a drift check put in
its details, the metrics chart the `value`/`base` of the model's baseline checks. Every chart is
bounded (`MAX_BARS` bars, `MAX_DRIFT_CHARTS` drift charts), its text reduced to a safe alphabet
(no quotes, brackets or HTML reach Mermaid), and it is one fenced ```` ```mermaid ```` block
that `publish.limits.drop_charts` removes first when a comment runs out of room.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeGuard

from mlgate.results import CheckResult, Report

MAX_BARS = 12
MAX_DRIFT_CHARTS = 3
MAX_LABEL = 24
_UNSAFE = re.compile(r"[^A-Za-z0-9 _.,:%+\-−–→/()\[\]<>=≤≥·…]")


def label(text: Any, limit: int = MAX_LABEL) -> str:
    """Text for a Mermaid string: a safe alphabet only (no quotes, backticks, HTML, `@`)."""
    clean = _UNSAFE.sub("?", str(text)).replace("<", "‹").replace(">", "›").strip()
    return (clean[: limit - 1] + "…" if len(clean) > limit else clean) or "?"


def _num(x: float) -> str:
    return f"{x:.4g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.3e}"


def _finite(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def xychart(
    title: str, x: list[str], y_title: str, bars: list[float], line: list[float] | None = None
) -> str:
    """An `xychart-beta` block: one bar series and an optional line series over `x`."""
    values = [*bars, *(line or [])]
    top = max([0.0, *values])
    low = min([0.0, *values])
    lines = [
        "```mermaid",
        "xychart-beta",
        f'    title "{label(title, 80)}"',
        "    x-axis [" + ", ".join(f'"{label(v)}"' for v in x) + "]",
        f'    y-axis "{label(y_title, 40)}" {_num(low)} --> {_num(top * 1.1 if top > 0 else 1)}',
        "    bar [" + ", ".join(_num(v) for v in bars) + "]",
    ]
    if line is not None:
        lines.append("    line [" + ", ".join(_num(v) for v in line) + "]")
    lines.append("```")
    return "\n".join(lines)


def _histogram(details: Mapping[str, Any]) -> tuple[list[str], list[float], list[float]] | None:
    """The (bins, reference, current) of a drift check's details, if well formed."""
    hist = details.get("histogram")
    if not isinstance(hist, Mapping):
        return None
    bins, ref, cur = hist.get("bins"), hist.get("reference"), hist.get("current")
    if not (isinstance(bins, list) and isinstance(ref, list) and isinstance(cur, list)):
        return None
    if not bins or not len(bins) == len(ref) == len(cur) or len(bins) > MAX_BARS:
        return None
    if not all(_finite(v) for v in [*ref, *cur]):
        return None
    return [str(b) for b in bins], [float(v) for v in ref], [float(v) for v in cur]


def _drifted_columns(check: CheckResult) -> Iterable[tuple[str, Mapping[str, Any]]]:
    """(column, its drift details) for a warned/failed drift check, whole-suite or one column."""
    d = check.details if isinstance(check.details, Mapping) else {}
    columns = d.get("columns")
    if isinstance(columns, Mapping):
        moved = check.observed if isinstance(check.observed, list) else list(columns)
        for name in moved:
            sub = columns.get(name)
            if isinstance(sub, Mapping):
                yield str(name), sub
    elif "histogram" in d:
        yield check.id.rsplit("/", 1)[-1], d


def drift_charts(report: Report) -> list[str]:
    """Reference vs current distribution of the columns that moved most (at most 3)."""
    found: list[tuple[float, str]] = []
    for check in report.checks:
        if check.family != "data" or check.status not in ("failed", "warning"):
            continue
        if "/drift" not in check.id:
            continue
        for column, details in _drifted_columns(check):
            hist = _histogram(details)
            if hist is None:
                continue
            bins, ref, cur = hist
            moved = max(abs(c - r) for r, c in zip(ref, cur, strict=True))
            dataset = check.id.split("/")[1] if check.id.count("/") >= 1 else ""
            chart = xychart(
                f"{dataset} · {column}: reference (bars) vs current (line), % of rows",
                bins,
                "% of rows",
                [round(100 * v, 2) for v in ref],
                [round(100 * v, 2) for v in cur],
            )
            found.append((moved, chart))
    found.sort(key=lambda t: -t[0])
    return [chart for _, chart in found[:MAX_DRIFT_CHARTS]]


def metrics_of(report: Report) -> dict[str, tuple[float, float | None]]:
    """Model metric -> (this PR, the base commit's value or None), from the checks' details
    (`metric`, `value`, `base`); named `model · metric` when there are several models."""
    out: dict[tuple[str, str], tuple[float, float | None]] = {}
    for check in report.checks:
        d = check.details if isinstance(check.details, Mapping) else {}
        if check.family != "model" or "metric" not in d:
            continue
        value, base = d.get("value"), d.get("base")
        if not _finite(value):
            continue
        key = (str(d.get("model", "")), str(d["metric"]))
        if key not in out or (out[key][1] is None and _finite(base)):
            out[key] = (float(value), float(base) if _finite(base) else None)
    many = len({m for m, _ in out}) > 1
    return {(f"{m} · {k}" if many else k): v for (m, k), v in out.items()}


def metrics_chart(report: Report) -> str | None:
    """This PR (bars) vs the base commit (line), one bar per metric."""
    pairs = {k: (v, b) for k, (v, b) in metrics_of(report).items() if b is not None}
    pairs = dict(list(pairs.items())[:MAX_BARS])
    if not pairs:
        return None
    return xychart(
        "metrics: this PR (bars) vs base commit (line)",
        list(pairs),
        "value",
        [v for v, _ in pairs.values()],
        [b for _, b in pairs.values() if b is not None],
    )


def charts_of(report: Report) -> list[str]:
    """Every chart of the report (none when `report.charts` is off)."""
    if not report.charts:
        return []
    out = drift_charts(report)
    metrics = metrics_chart(report)
    return [*out, metrics] if metrics else out
