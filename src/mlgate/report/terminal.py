"""The short summary printed at the end of `mlgate run`."""

from __future__ import annotations

from mlgate.report.markdown import headline
from mlgate.results import Report

_MARK = {"failed": "FAIL", "error": "ERROR", "warning": "WARN"}


def render_terminal(report: Report, report_dir: str | None = None, limit: int = 30) -> str:
    icon, text = headline(report)
    lines = ["", f"{icon} {text}"]
    for family, n in report.by_family().items():
        lines.append(
            f"  {family:<7} {n.passed:>5} passed {n.failed:>4} failed {n.warnings:>4} warnings "
            f"{n.errors:>4} errors {n.skipped:>4} skipped"
        )
    bad = report.with_status("failed", "error", "warning")
    for check in bad[:limit]:
        where = f"{check.location.file}:{check.location.line}: " if check.location else ""
        first = check.message.splitlines()[0] if check.message else ""
        lines.append(f"  {_MARK[check.status]:<5} {where}{check.id}: {first}")
    if len(bad) > limit:
        lines.append(f"  ... and {len(bad) - limit} more (see the report)")
    if report_dir:
        lines.append(f"  report: {report_dir}/report.md, report.json, junit.xml")
    return "\n".join(lines) + "\n"
