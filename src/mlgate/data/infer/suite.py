"""The `data:` suite of a dataset, inferred from a reference sample of the same source."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from mlgate.data.infer.columns import infer_column


def infer_suite(name: str, reference: pd.DataFrame) -> tuple[dict[str, Any], list[str]]:
    """The suite checking the dataset `name` against what `reference` shows, and notes for the
    reader (one line each).

    `rows: {min: 1}` (a later window may be of any size), `strict: true` (a column renamed or
    added fails), a `duplicates` check always, a `unique` key for the first column that is all
    distinct and named like an ID (`unique: true` on the others), and each column's checks.
    """
    from mlgate.data.pandas_backend import kind_of, nested_as_text

    n = len(reference)
    df, nested = nested_as_text(reference)  # lists and objects: no type, compared as JSON text
    columns: dict[str, Any] = {}
    notes: list[str] = []
    keys: list[str] = []
    for col in df.columns:
        s = df[col]
        values = s.dropna()
        kind = "nested" if col in nested else kind_of(values) if len(values) else "empty"
        facts = infer_column(str(col), s, kind)
        if facts.identifier and str(col).lower().endswith("id"):
            if keys:
                facts.checks["unique"] = True
            keys.append(str(col))
        columns[str(col)] = facts.checks
        notes.extend(facts.notes)
    suite: dict[str, Any] = {"dataset": name, "rows": {"min": 1}, "strict": True}
    if keys:
        suite["unique"] = [keys[0]]
    suite["duplicates"] = {"max": _duplicate_bound(df, n)}
    suite["columns"] = columns
    return suite, notes


def _duplicate_bound(df: pd.DataFrame, n: int) -> float:
    """The share of duplicated rows seen plus three standard errors plus 3/n (the rule of three:
    none in n rows still allows a share of up to about 3/n), rounded up to a tenth of a percent.
    A few natural duplicates pass (small tables of coarse values have some); a batch appended
    twice does not."""
    if n == 0:
        return 0.0
    try:
        p = float(df.duplicated().sum()) / n
    except TypeError:  # unhashable cells
        p = 0.0
    bound = p + 3 * math.sqrt(p * (1 - p) / n) + 3 / n
    return min(1.0, math.ceil(round(bound * 1000, 9)) / 1000)
