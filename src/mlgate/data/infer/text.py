"""Text columns: a closed set of values (`allowed`) or a shape (`pattern`), never the values seen
of something open-ended such as months or IDs."""

from __future__ import annotations

import re
from collections.abc import Sequence

MAX_ALLOWED = 50
"""A column with more distinct values than this is not a set of categories."""

MIN_SEEN = 10
"""Every value of a closed set is seen at least this often. A value seen once or twice says the set
is still open: by Good–Turing, the share of rows holding a value never seen is about the share of
rows holding a value seen once."""

MIN_SHARE = 0.005
"""... and holds at least this share of the rows: a set with values rarer than 1 in 200 has a long
tail, whose rarer values a sample of a few thousand rows misses."""

SHAPE_SAMPLE = 20_000
"""A shape is learnt on this many distinct values, then checked on all of them."""

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
_TOKEN = re.compile(r"[0-9]+|[A-Z]+|[a-z]+|[^0-9A-Za-z]")
_SPECIAL = set("\\.^$|?*+()[]{}")
_CLASSES = {"d": "[0-9]", "U": "[A-Z]", "l": "[a-z]"}


def is_closed_set(counts: Sequence[int]) -> bool:
    """Whether values seen this many times each look like all the values there are."""
    if not 0 < len(counts) <= MAX_ALLOWED:
        return False
    return min(counts) >= max(MIN_SEEN, MIN_SHARE * sum(counts))


def shape_pattern(values: Sequence[str]) -> tuple[str | None, bool]:
    """A pattern every value has (`^[A-Z][a-z]{2}-[0-9]{4}$` style) and whether it is date-like.

    Each value is cut into runs of digits, of capitals, of small letters and single other
    characters. The values must agree on the sequence of runs; a run that is the same text in
    every value stays literal; a run of month names becomes the list of months; a run of digits
    is `[0-9]{n}` when every value has n of them, else `[0-9]+`; letter runs of varying length
    (words: free text) give no pattern. Date-like: a month name, or a 4-digit year-like run.
    """
    shapes = [_tokens(v) for v in values[:SHAPE_SAMPLE]]
    if not shapes or not shapes[0]:
        return None, False
    first = shapes[0]
    if any(len(s) != len(first) for s in shapes):
        return None, False
    parts: list[str] = []
    date_like = False
    for i, (cls, _) in enumerate(first):
        column = [s[i] for s in shapes]
        if any(c != cls for c, _ in column):
            return None, False
        texts = {t for _, t in column}
        if len(texts) == 1 and cls != "d":  # digits are values: never literal
            parts.append(_escape(next(iter(texts))))
            continue
        if cls == "o":
            return None, False
        month = _month_run(texts)
        if month:
            parts.append(month)
            date_like = True
            continue
        lengths = {len(t) for t in texts}
        if len(lengths) == 1:
            n = next(iter(lengths))
            parts.append(_run(cls, n))
            date_like = date_like or (cls == "d" and _year_like(texts))
        elif cls == "d":
            parts.append("[0-9]+")
        else:
            return None, False
    pattern = "^" + "".join(parts) + "$"
    if len(values) > SHAPE_SAMPLE:  # learnt on the first values: it must hold for all
        compiled = re.compile(pattern)
        if not all(compiled.fullmatch(v) for v in values):
            return None, False
    return pattern, date_like


def _escape(text: str) -> str:
    return "".join("\\" + c if c in _SPECIAL else c for c in text)


def _run(cls: str, n: int) -> str:
    """The class of a run of `n` characters: `[0-9]{4}`, `[A-Z]`, `[A-Z][a-z]{2}` (a word)."""
    if cls == "w":
        return "[A-Z]" + _run("l", n - 1)
    return _CLASSES[cls] + ("" if n == 1 else f"{{{n}}}")


def _tokens(value: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for m in _TOKEN.finditer(value):
        t = m.group()
        c = t[0]
        cls = (
            "d" if "0" <= c <= "9" else "U" if "A" <= c <= "Z" else "l" if "a" <= c <= "z" else "o"
        )
        if cls == "l" and out and out[-1][0] == "U" and len(out[-1][1]) == 1:
            out[-1] = ("w", out[-1][1] + t)  # a capitalised word: Jan, Senior
            continue
        out.append((cls, t))
    return out


def _month_run(texts: set[str]) -> str | None:
    """`(Jan|Feb|...)` when every text is a month name or abbreviation, in one case style."""
    for names in (_MONTHS, _MONTH_NAMES):
        for cased in (names, [n.upper() for n in names], [n.lower() for n in names]):
            if texts <= set(cased):
                return "(" + "|".join(cased) + ")"
    return None


def _year_like(texts: set[str]) -> bool:
    return all(len(t) == 4 and 1800 <= int(t) <= 2200 for t in texts)
