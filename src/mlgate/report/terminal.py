"""The short summary printed at the end of `mlgate run`: the verdict, then every check that did
not pass on one line with its `file:line`, then the longer messages."""

from __future__ import annotations

from mlgate.report.markdown import headline
from mlgate.report.text import plain_text
from mlgate.results import CheckResult, Report

_MARK = {"failed": "FAIL", "error": "ERROR", "warning": "WARN"}
_INDENT = " " * 10
#: A multi-line message (a service's output, a test's assertion) shows at most its last lines.
MESSAGE_LINES = 12


def _where(check: CheckResult) -> str:
    return f"{check.location.file}:{check.location.line}: " if check.location else ""


def render_terminal(report: Report, report_dir: str | None = None, limit: int = 30) -> str:
    """`limit`: how many multi-line messages are shown in full after the one-line list."""
    icon, text = headline(report)
    lines = ["", f"{icon} {text}"]
    for family, n in report.by_family().items():
        lines.append(
            f"  {family:<7} {n.passed:>5} passed {n.failed:>4} failed {n.warnings:>4} warnings "
            f"{n.errors:>4} errors {n.skipped:>4} skipped"
        )
    bad = report.with_status("failed", "error") + report.with_status("warning")
    longer: list[tuple[CheckResult, list[str]]] = []
    for check in bad:  # every one, one line each, before any detail
        message = plain_text(check.message).strip("\n").splitlines() or [""]
        lines.append(f"  {_MARK[check.status]:<5} {_where(check)}{check.id}: {message[0]}")
        if len(message) > 1:
            longer.append((check, message[1:]))
    for check, rest in longer[:limit]:
        lines.append(f"  {_where(check)}{check.id}:")
        if len(rest) > MESSAGE_LINES:  # the end of a long message is where the reason is
            lines.append(f"{_INDENT}… ({len(rest) - MESSAGE_LINES} more lines)")
            rest = rest[-MESSAGE_LINES:]
        lines.extend(f"{_INDENT}{line}" for line in rest)
    if len(longer) > limit:
        lines.append(f"  ... and {len(longer) - limit} more long messages (see the report)")
    if report_dir:
        lines.append(f"  report: {report_dir}/report.md, report.json, junit.xml")
    return "\n".join(lines) + "\n"
