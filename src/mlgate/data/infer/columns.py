"""The checks of one column, inferred from a reference sample so that later data of the same
source passes them and real faults do not."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlgate.data.infer.numbers import numeric_checks
from mlgate.data.infer.text import is_closed_set, shape_pattern

MISSING_SLACK = 0.05
"""`max_missing` adds this to the missing share seen (plus three standard errors)."""

FLAG_MIN_SHARE = 0.05
"""An integer column of two values is a flag (`allowed`) when each holds this share of rows; with
a rarer second value it is read as a count that is mostly 0."""


@dataclass
class ColumnFacts:
    """What was inferred about one column: its checks and what a reader should know."""

    checks: dict[str, Any]
    identifier: bool = False
    notes: list[str] = field(default_factory=list)


def infer_column(name: str, series: pd.Series, kind: str) -> ColumnFacts:
    """The checks of the column `name` whose observed kind is `kind` (see `kind_of`)."""
    n = len(series)
    values = series.dropna()
    facts = ColumnFacts(checks={})
    checks = facts.checks
    if kind in ("integer", "float"):
        whole = kind == "integer" or bool(values.empty or (values == values.round()).all())
        checks["type"] = "integer" if whole and (kind == "integer" or len(values) < n) else "float"
    elif kind in ("string", "category", "boolean", "datetime"):
        checks["type"] = kind
    checks.update(_missing(int(series.isna().sum()), n))
    if values.empty:
        return facts
    distinct = int(values.nunique())
    facts.identifier = distinct == len(values) == n and n >= 20 and kind in ("integer", "string")
    if facts.identifier:  # a key is never missing
        del checks["max_missing"]
        checks["nullable"] = False
    if kind in ("integer", "float"):
        _numeric(name, values, checks["type"] == "integer", distinct, facts)
    elif kind == "datetime":
        checks.update(_dates(values))
    elif kind in ("string", "category"):
        _text(values.astype(str), facts)
    return facts


def _missing(missing: int, n: int) -> dict[str, Any]:
    """The missing share seen plus three standard errors plus `MISSING_SLACK`, rounded up to a
    percent. None missing is no proof that none will be (a share of 1 in 2,000 is 0 in most
    samples of 1,000): only identifiers get `nullable: false` (see `infer_column`)."""
    p = missing / n if n else 0.0
    bound = p + 3 * math.sqrt(p * (1 - p) / max(n, 1)) + MISSING_SLACK
    return {"max_missing": min(1.0, math.ceil(round(bound * 100, 9)) / 100)}


def _numeric(
    name: str, values: pd.Series, integer: bool, distinct: int, facts: ColumnFacts
) -> None:
    x = values.to_numpy(dtype=float)
    finite = x[np.isfinite(x)]
    if integer and distinct <= 2 and _flag(values):
        facts.checks["allowed"] = sorted(_plain(v) for v in values.unique())
        return
    if facts.identifier or not len(finite):
        if len(finite) and finite.min() >= 0:
            facts.checks["min"] = 0
        return
    bounds = numeric_checks(finite, integer)
    if np.isposinf(x).any():
        bounds.pop("max", None)
        facts.notes.append(f"{name}: holds inf values, so no `max` is inferred")
    if np.isneginf(x).any():
        bounds.pop("min", None)
        facts.notes.append(f"{name}: holds -inf values, so no `min` is inferred")
    facts.checks.update(bounds)


def _flag(values: pd.Series) -> bool:
    """One value (a constant code) or two values that each hold `FLAG_MIN_SHARE` of the rows."""
    shares = values.value_counts(normalize=True)
    return len(shares) == 1 or float(shares.min()) >= FLAG_MIN_SHARE


def _dates(values: pd.Series) -> dict[str, Any]:
    """From the first date seen less the span seen, to today (or as far past the last date seen
    as the span, when the data holds future dates)."""
    lo, hi = values.min(), values.max()
    span = max(hi - lo, pd.Timedelta(days=1))
    now = pd.Timestamp.now(tz=hi.tz) if hi.tz is not None else pd.Timestamp.now()
    try:
        first = lo - span
    except (OverflowError, ValueError):  # before the first date pandas can hold
        first = lo
    try:
        last = "today" if hi <= now else str((hi + span).date())
    except (OverflowError, ValueError):
        last = str(hi.date())
    return {"min": str(first.date()), "max": last}


def _text(values: pd.Series, facts: ColumnFacts) -> None:
    """A closed set of categories gets `allowed`; month- or date-like text and text of one shape
    (codes, IDs) get a `pattern`; anything else (free text) neither."""
    distinct = values.unique()
    pattern, date_like = shape_pattern(list(distinct)) if len(distinct) > 1 else (None, False)
    if pattern and date_like:
        facts.checks["pattern"] = pattern
    elif not facts.identifier and is_closed_set(list(values.value_counts())):
        facts.checks["allowed"] = sorted(str(v) for v in distinct)
    elif pattern:
        facts.checks["pattern"] = pattern


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
