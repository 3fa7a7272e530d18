"""What a person reads: whole messages in the terminal, plain text there, mappings and lists
shown as values, not as Python prints them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mlgate.report.markdown import render_markdown
from mlgate.report.terminal import MESSAGE_LINES, render_terminal
from mlgate.report.text import escape_md, fmt_value, plain_text, unescape_md
from mlgate.results import CheckResult, Counts, Location, Report


def _report(message: str, observed: object = None) -> Report:
    check = CheckResult(
        "api/svc/requests/health",
        "api",
        "error",
        "error",
        message,
        Location("mlgate.yml", 4, 3),
        observed=observed,
    )
    return Report("failure", Counts.of([check]), [check])


def test_the_terminal_summary_shows_what_follows_its_output_ends_with() -> None:
    message = "service 'svc' exited with 1; its output ends with:\nTraceback …\nKeyError: 'MODEL'"
    text = render_terminal(_report(message))
    assert "its output ends with:\n" in text
    assert text.index("KeyError: 'MODEL'") > text.index("its output ends with:")


def test_a_very_long_message_keeps_its_last_lines() -> None:
    tail = [f"line {i}" for i in range(40)]
    text = render_terminal(_report("first\n" + "\n".join(tail)))
    assert "line 39" in text
    assert f"line {39 - MESSAGE_LINES}" not in text
    assert f"… ({40 - MESSAGE_LINES} more lines)" in text


def test_the_terminal_never_gets_escape_sequences() -> None:
    text = render_terminal(_report("bad \x1b[31mred\x1b[0m"))
    assert "\x1b" not in text


def test_plain_markdown_is_not_escaped_and_the_comment_is() -> None:
    report = _report("score > 0.5 for <b> & @team")
    plain = render_markdown(report, plain=True)
    assert "score > 0.5 for <b> & @team" in plain
    escaped = render_markdown(report)
    assert "&gt;" in escaped
    assert "<b>" not in escaped
    assert plain_text("a\x00b\n") == "a\ufffdb\n"


def test_observed_mappings_and_lists_read_as_values() -> None:
    assert fmt_value({"p95_ms": 12.3456, "errors": 3}) == "p95_ms: 12.35, errors: 3"
    assert fmt_value(["a", "b"]) == "[a, b]"
    assert fmt_value(list(range(20))).endswith(", … (8 more)]")
    md = render_markdown(_report("slow", observed={"p95_ms": 12.3456, "n": 1000}))
    assert "| p95\\_ms: 12.35, n: 1,000 |" in md
    assert "{'" not in md


PIECES = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff\u2060")
) | st.sampled_from(["\n", "<br>", "&amp;", "&lt;", "\\", "`", "@a", "#1", "gh-1", "|", "_"])
PRINTABLE = st.lists(PIECES, max_size=8).map("".join)


@settings(deadline=None, max_examples=300)
@given(PRINTABLE)
def test_unescape_md_gives_back_what_escape_md_escaped(text: str) -> None:
    assert unescape_md(escape_md(text)) == text
