"""Fitting Markdown into GitHub's size limits without cutting a code block or a `<details>`."""

from __future__ import annotations

import re
from collections.abc import Callable

COMMENT_MAX_CHARS = 65_536
CHECK_MAX_BYTES = 65_535
SUMMARY_MAX_BYTES = 1024 * 1024

Measure = Callable[[str], int]
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_OPEN = re.compile(r"<details\b", re.IGNORECASE)
_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)


def chars(text: str) -> int:
    return len(text)


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8", "replace"))


def safe_cuts(text: str, paragraphs: bool = False) -> list[int]:
    """Offsets (line starts) where the text may be cut: outside every fence and `<details>`.

    With `paragraphs`, only after a blank line (so a table or a paragraph is never split).
    """
    cuts = [0]
    fence: str | None = None
    depth = 0
    pos = 0
    for line in text.splitlines(keepends=True):
        pos += len(line)
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
        elif (
            fence is not None and m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence)
        ):
            fence = None
        elif fence is None:
            depth += len(_OPEN.findall(line)) - len(_CLOSE.findall(line))
            depth = max(depth, 0)
        if fence is None and depth == 0 and (not paragraphs or not line.strip()):
            cuts.append(pos)
    return cuts


def _fold_details(text: str) -> str:
    """Replace each top-level `<details>` element by one line saying it was left out."""
    out: list[str] = []
    cuts = safe_cuts(text)
    lines = text.splitlines(keepends=True)
    pos, start, inside = 0, 0, False
    cut_set = set(cuts)
    for line in lines:
        if not inside and _OPEN.search(line):
            inside, start = True, pos
            summary = re.search(r"<summary>(.*?)</summary>", line, re.IGNORECASE)
            label = summary.group(1) if summary else "details"
        pos += len(line)
        if inside:
            if pos in cut_set:
                inside = False
                out.append(f"*{label}: left out here for size, see the full report.*\n")
            continue
        out.append(line)
    if inside:
        out.append(text[start:])
    return "".join(out)


_CHART = re.compile(r"^```mermaid\n.*?^```[ \t]*\n(?:[ \t]*\n)?", re.MULTILINE | re.DOTALL)


def drop_charts(text: str) -> str:
    """The text without its Mermaid charts (each a ```` ```mermaid ```` block at column 0)."""
    return _CHART.sub("", text)


def fit(text: str, limit: int, note: str, measure: Measure = chars) -> str:
    """`text` if it fits in `limit`; else without charts, then with `<details>` folded, then cut
    at a safe point + `note`.

    The verdict and the failures come first in the report, so what is dropped first is the
    pictures, then the detail: the folded lists, then the tail. The result always fits, note
    included.
    """
    if measure(text) <= limit:
        return text
    text = drop_charts(text)
    if measure(text) <= limit:
        return text
    note = "\n\n" + note.strip() + "\n"
    folded = _fold_details(text)
    if measure(folded) + measure(note) <= limit:
        return folded.rstrip("\n") + note
    budget = limit - measure(note)
    best = _best_cut(folded, safe_cuts(folded, paragraphs=True), budget, measure)
    if best == 0:
        best = _best_cut(folded, safe_cuts(folded), budget, measure)
    head = folded[:best].rstrip("\n")
    if not head:  # not one safe block fits: the note alone (cut to the limit as a last resort)
        return _truncate(note.strip(), limit, measure)
    return head + note


def _best_cut(text: str, cuts: list[int], budget: int, measure: Measure) -> int:
    """The largest cut whose prefix fits `budget` (prefix sizes grow with the cut)."""
    lo, hi = 0, len(cuts) - 1  # binary search: the size of a prefix grows with the cut
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure(text[: cuts[mid]]) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return cuts[lo]


def _truncate(text: str, limit: int, measure: Measure) -> str:
    while measure(text) > limit:
        text = text[: max(0, len(text) - max(1, (measure(text) - limit)))]
    return text
