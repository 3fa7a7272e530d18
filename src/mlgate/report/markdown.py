"""`report.md`: Jinja2 renders the `Report` (built-in template, or the user's `report.template`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from mlgate.errors import ConfigError
from mlgate.families import load_families
from mlgate.registry import Registry
from mlgate.report.charts import charts_of
from mlgate.report.text import (
    code_md,
    escape_md,
    fmt_value,
    html_text,
    message_md,
    one_line,
    plain_code,
    plain_text,
    unescape_md,
)
from mlgate.results import CheckResult, Report

TEMPLATES = Path(__file__).parent / "templates"

#: Extra Markdown sections a family adds (e.g. the model metrics table); each gets the report and
#: returns Markdown or None. They only read results: rendering never computes a check.
REPORT_SECTIONS: Registry[Callable[[Report], str | None]] = Registry("report section")


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def headline(report: Report) -> tuple[str, str]:
    """The verdict as (icon, text), shared by the Markdown report and the terminal summary."""
    c = report.counts
    bad = []
    if c.failed:
        bad.append(plural(c.failed, "check") + " failed")
    if c.errors:
        bad.append(
            plural(c.errors, "check") + " could not run"
            if not c.failed
            else plural(c.errors, "error")
        )
    if c.warnings:
        bad.append(plural(c.warnings, "warning"))
    tail = f"{c.passed:,} passed" + (f", {c.skipped:,} skipped" if c.skipped else "")
    if report.conclusion == "failure":
        return "❌", f"{report.title} — {', '.join(bad)} · {tail}"
    if bad:
        return "⚠️", f"{report.title} — passed with {', '.join(bad)} · {tail}"
    if c.total == 0:
        return "⚠️", f"{report.title} — no checks ran"
    return "✅", f"{report.title} — all {plural(c.passed + c.skipped, 'check')} passed" + (
        f" ({c.skipped:,} skipped)" if c.skipped else ""
    )


def pretty_id(check_id: str) -> str:
    return " / ".join(check_id.split("/"))


def example_columns(examples: list[dict[str, Any]]) -> list[str]:
    cols: list[str] = []
    for row in examples:
        for key in row:
            if key not in cols:
                cols.append(key)
    return cols


#: The longest reason a table of checks shows (the whole message is in the check's details).
REASON_CHARS = 140
#: The longest observed/expected value a table of checks shows.
VALUE_CHARS = 40


def needs_details(check: CheckResult) -> bool:
    """Whether a check has more to show than its table row: examples, or a longer message."""
    message = str(check.message)
    if check.examples or "\n" in message.strip() or len(message) > REASON_CHARS:
        return True
    return any(len(fmt_value(v)) > VALUE_CHARS for v in (check.observed, check.expected))


def not_shown(check: CheckResult, limit: int) -> int:
    """How many offending rows/values a check counted beyond the examples shown."""
    count = (check.details or {}).get("count")
    if not isinstance(count, int) or isinstance(count, bool):
        return 0
    return max(0, count - min(len(check.examples), limit))


def location_link(check: CheckResult, link_base: str | None) -> str:
    loc = check.location
    if loc is None:
        return ""
    text = code_md(f"{loc.file}:{loc.line}")
    if link_base:
        return f"[{text}]({link_base.rstrip('/')}/{quote(loc.file)}#L{loc.line})"
    return text


def render_markdown(
    report: Report,
    template: Path | None = None,
    *,
    link_base: str | None = None,
    plain: bool = False,
) -> str:
    """Render the report; `link_base` (a blob URL at the head commit) turns lines into links.

    A user's template (`report.template`) is rendered in a child process within a time and
    memory budget and an output cap (`mlgate.report.sandbox`). `plain`: for a terminal, the
    values as they are, not escaped for Markdown/HTML."""
    load_families()  # families register their report sections on import
    sections = [s for _, fn in REPORT_SECTIONS.items() if (s := fn(report))]
    if plain:  # the families' sections are Markdown, escaped: read as plain text
        sections = [unescape_md(s) for s in sections]
    if template is None:
        return render_template(report, None, sections, link_base=link_base, plain=plain)
    from mlgate.report.sandbox import render_in_child

    return render_in_child(report, template, sections, link_base=link_base, plain=plain)


#: The longest report a template may render (report.md; the PR comment is cut much shorter).
MAX_OUTPUT_CHARS = 4_000_000


def render_template(
    report: Report,
    template: Path | None,
    sections: list[str],
    *,
    link_base: str | None = None,
    plain: bool = False,
) -> str:
    """Jinja2 in its sandbox on the built-in template or `template`; output capped."""
    import jinja2

    loader: jinja2.BaseLoader
    if template is not None:
        loader = jinja2.FileSystemLoader([str(template.parent), str(TEMPLATES)])
        name = template.name
    else:
        loader = jinja2.FileSystemLoader(str(TEMPLATES))
        name = "report.md.j2"
    from jinja2.sandbox import SandboxedEnvironment

    # sandboxed: a template from the repository must not reach Python (or the token)
    env = SandboxedEnvironment(
        loader=loader,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(num=fmt_value, pretty_id=pretty_id)
    if plain:
        env.filters.update(
            md=plain_text,
            code=plain_code,
            html=plain_text,
            cell=lambda v, n=REASON_CHARS: plain_text(one_line(v, n)),
            value_cell=lambda v: (
                "—" if v is None else plain_text(one_line(fmt_value(v), VALUE_CHARS))
            ),
        )
    else:
        env.filters.update(
            md=message_md,
            code=code_md,
            html=html_text,
            cell=lambda v, n=REASON_CHARS: message_md(one_line(v, n)),
            value_cell=lambda v: (
                "—" if v is None else escape_md(one_line(fmt_value(v), VALUE_CHARS))
            ),
        )
    icon, text = headline(report)
    try:
        tpl = env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        raise _template_error(template, exc) from None
    except jinja2.TemplateNotFound:
        raise ConfigError([f"report.template: no such file: {template}"]) from None
    out: list[str] = []
    size = 0
    try:
        for piece in tpl.generate(
            report=report,
            icon=icon,
            headline=text,
            families=report.by_family(),
            failed=report.with_status("failed"),
            errors=report.with_status("error"),
            warnings=report.with_status("warning"),
            skipped=report.with_status("skipped"),
            passed=report.with_status("passed"),
            sections=sections,
            example_columns=example_columns,
            where=lambda c: location_link(c, link_base),
            charts=[] if plain else charts_of(report),
            needs_details=needs_details,
            not_shown=lambda c: not_shown(c, report.max_failures_shown),
        ):
            size += len(piece)
            if size > MAX_OUTPUT_CHARS:
                raise ConfigError(
                    [
                        f"{template or 'report.md.j2'}: report.template renders more than "
                        f"{MAX_OUTPUT_CHARS:,} characters (a loop that never ends?)"
                    ]
                )
            out.append(piece)
    except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError) as exc:
        raise _template_error(template, exc) from None
    return "".join(out).rstrip() + "\n"


def _template_error(template: Path | None, exc: Exception) -> ConfigError:
    line = getattr(exc, "lineno", None)
    where = f"{template}:{line}" if line else str(template or "report.md.j2")
    return ConfigError([f"{where}: report.template cannot be rendered: {exc}"])
