"""Making untrusted text safe to show: Markdown comments, XML, terminals."""

from __future__ import annotations

import re
from typing import Any

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_API_BAD = re.compile("[\x00\ud800-\udfff]")
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
_ISSUE_REF = re.compile(r"(?<!&)#(?=\d)")
_GH_REF = re.compile(r"\b(GH)-(?=\d)", re.IGNORECASE)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
WORD_JOINER = "\u2060"


def clean_xml_text(text: str) -> str:
    """Control characters, lone surrogates and non-characters replaced by U+FFFD."""
    return _XML_BAD.sub("\ufffd", text)


def clean_api_text(text: str) -> str:
    """What GitHub's API rejects in a string (NUL, lone surrogates) replaced by U+FFFD."""
    return _API_BAD.sub("\ufffd", text)


def escape_md(value: Any) -> str:
    """Untrusted text as inert Markdown: no HTML, no @mentions, no #refs, no tables broken."""
    text = clean_xml_text(str(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MENTION.sub("@" + WORD_JOINER, text)
    text = _ISSUE_REF.sub("#" + WORD_JOINER, text)
    text = _GH_REF.sub(lambda m: m.group(1) + WORD_JOINER + "-", text)
    return text.replace("\r", "").replace("\n", "<br>")


def html_text(value: Any) -> str:
    """Untrusted text inside an HTML element (a `<summary>`): entities, no pings, no refs."""
    import html

    text = html.escape(clean_xml_text(str(value)), quote=True).replace("\n", " ")
    text = _MENTION.sub("@" + WORD_JOINER, text)
    text = _ISSUE_REF.sub("#" + WORD_JOINER, text)
    return _GH_REF.sub(lambda m: m.group(1) + WORD_JOINER + "-", text)


def one_line(value: Any, limit: int) -> str:
    """The first non-empty line of a text, cut to `limit` characters (with …)."""
    text = str(value).replace("\r", "")
    first = next((ln.strip() for ln in text.split("\n") if ln.strip()), "")
    more = first != text.strip()
    if len(first) > limit:
        return first[: limit - 1].rstrip() + "…"
    return first + (" …" if more else "")


_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)([^\n]+?)(?<!`)\1(?!`)")


def message_md(value: Any) -> str:
    """Like `escape_md`, but `code spans` in the text stay code spans (their content inert)."""
    text = str(value)
    out: list[str] = []
    last = 0
    for match in _CODE_SPAN.finditer(text):
        out.append(escape_md(text[last : match.start()]))
        inner = match.group(2)
        if len(match.group(1)) > 1 and inner.startswith(" ") and inner.endswith(" "):
            inner = inner[1:-1]  # the padding a multi-backtick span needs
        out.append(code_md(inner))
        last = match.end()
    out.append(escape_md(text[last:]))
    return "".join(out)


def code_md(value: Any, limit: int = 200) -> str:
    """A value as an inline code span (a code span cannot ping or render HTML)."""
    text = clean_xml_text(str(value)).replace("\r", "").replace("\n", "⏎")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = text.replace("|", "\\|")
    ticks = "`" * (max((len(m) for m in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


_TERMINAL_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def plain_text(value: Any) -> str:
    """Untrusted text for a terminal: as written, without control characters (no escape
    sequences); nothing is escaped for Markdown or HTML."""
    return _TERMINAL_BAD.sub("\ufffd", str(value).replace("\r\n", "\n"))


_MD_ESCAPED = re.compile(r"\\([\\`*_\[\]|~])")


def unescape_md(text: str) -> str:
    """Markdown made by `escape_md` back as plain text (for a terminal): the inverse of it."""
    import html

    text = _MD_ESCAPED.sub(r"\1", text.replace(WORD_JOINER, "").replace("<br>", "\n"))
    return plain_text(html.unescape(text))


def plain_code(value: Any, limit: int = 200) -> str:
    """A value in backticks for a terminal, on one line."""
    text = plain_text(value).replace("\n", "⏎")
    return f"`{text if len(text) <= limit else text[: limit - 1] + '…'}`"


#: How many entries of a mapping or list a value shows.
MAX_SHOWN_ITEMS = 12


def value_text(value: Any) -> str:
    """A value at full precision, a mapping or list as `fmt_value` shows it (not Python's repr)."""
    return fmt_value(value) if isinstance(value, (dict, list, tuple)) else str(value)


def fmt_value(value: Any) -> str:
    """Numbers shown compactly (thousands separators, 4 significant digits); a mapping as
    `key: value, …` and a list as `a, b, …`, not as Python would print them."""
    if isinstance(value, dict):
        items = [f"{k}: {fmt_value(v)}" for k, v in list(value.items())[:MAX_SHOWN_ITEMS]]
        more = len(value) - MAX_SHOWN_ITEMS
        return ", ".join(items) + (f", … ({more} more)" if more > 0 else "")
    if isinstance(value, (list, tuple)):
        shown = [fmt_value(v) for v in value[:MAX_SHOWN_ITEMS]]
        more = len(value) - MAX_SHOWN_ITEMS
        return "[" + ", ".join(shown) + (f", … ({more} more)" if more > 0 else "") + "]"
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if abs(value) >= 1e6 or (0 < abs(value) < 1e-3):
            return f"{value:.3g}"
        return f"{value:,.4g}" if abs(value) >= 1000 else f"{value:.4g}"
    return str(value)
