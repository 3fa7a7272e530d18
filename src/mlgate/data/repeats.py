"""Finding repeated keys and duplicated rows in one pass, whole or streamed.

A `Repeats` collects, chunk by chunk, what identifies each row of a set of columns: the
columns themselves when the data is one frame in memory (pandas' hash table is fastest), else
8-byte row hashes. After the pass, `resolve` gives the count of rows repeating an earlier row
and the positions of every row in a repeated group; the offending rows' values are fetched
again (from the source) only when there are some.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from mlgate.data.backend import Source, Violation

#: Rows read back to show examples of repeats: at most this many.
EXAMPLE_SCAN = 200_000


@dataclass
class Repeats:
    """Repeats over `columns` (None: every column); `skip_missing`: rows with a missing part
    are not counted (keys), else they are compared like any value (duplicated rows)."""

    columns: list[str] | None
    skip_missing: bool
    streamed: bool
    n: int = 0
    hashes: list[np.ndarray] = field(default_factory=list)
    rows: list[np.ndarray | tuple[int, int]] = field(default_factory=list)
    frame: pd.DataFrame | None = None
    count: int = 0
    members: np.ndarray | None = None  # sorted positions of every row in a repeated group

    def add(self, df: pd.DataFrame, offset: int) -> None:
        sub = df if self.columns is None else df[self.columns]
        rows: np.ndarray | tuple[int, int] = (offset, len(sub))
        if self.skip_missing:
            ok = sub.notna().all(axis=1).to_numpy()
            if not ok.all():
                sub, rows = sub[ok], np.flatnonzero(ok) + offset
        self.n += len(sub)
        self.rows.append(rows)
        if self.streamed or (self.columns is None or len(self.columns) > 3):
            self.hashes.append(pd.util.hash_pandas_object(_canonical(sub), index=False).to_numpy())
        else:
            self.frame = sub

    def resolve(self) -> None:
        """Count the rows repeating an earlier one; find the members of repeated groups."""
        positions = _row_numbers(self.rows)
        if self.frame is not None:
            dup = self.frame.duplicated(keep="first").to_numpy()
            self.count = int(dup.sum())
            if self.count:
                self.members = positions[self.frame.duplicated(keep=False).to_numpy()]
            self.frame = None
            return
        h = np.concatenate(self.hashes) if self.hashes else np.zeros(0, dtype=np.uint64)
        self.hashes = []
        s = np.sort(h)
        repeated = s[1:][s[1:] == s[:-1]]
        self.count = len(repeated)
        if self.count:
            self.members = positions[np.isin(h, np.unique(repeated))]

    def judge_into(self, v: Violation, source: Source, limit: int, label_columns: bool) -> None:
        """Fill `v` (count, denominator, examples, most repeated values) from the result."""
        v.count, v.denominator = self.count, self.n
        if not self.count or self.members is None:
            return
        frame = source.rows_at(self.members[:EXAMPLE_SCAN].tolist())
        cols = self.columns or [str(c) for c in frame.columns]
        examples_of(v, frame, cols, limit, label_columns)


def examples_of(
    v: Violation, frame: pd.DataFrame, cols: Sequence[str], limit: int, label: bool
) -> None:
    """Example rows (row, the row it repeats, the key) and the most repeated values."""
    if frame.empty:
        return
    keyed = frame[list(cols)]
    groups = keyed.groupby(list(cols), sort=False, dropna=False)
    first = (
        pd.Series(frame.index, index=frame.index)
        .groupby([keyed[c] for c in cols], sort=False, dropna=False)
        .transform("min")
    )
    offending = groups.cumcount().to_numpy() > 0
    for row in frame.index[offending][:limit]:
        example: dict[str, Any] = {"row": int(row), "same as row": int(first[row])}
        if label:
            example.update(keyed.loc[row].to_dict())
        v.examples.append(example)
    if label:
        sizes = groups.size().sort_values(ascending=False, kind="stable").head(5)
        top: Counter[Any] = Counter()
        for value, n in sizes.items():
            if n > 1:
                top[value] = int(n)
        v.values = top


def _row_numbers(parts: list[np.ndarray | tuple[int, int]]) -> np.ndarray:
    arrays = [np.arange(p[0], p[0] + p[1]) if isinstance(p, tuple) else p for p in parts]
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)


def _canonical(df: pd.DataFrame) -> pd.DataFrame:
    """`df` with values hashed the same whatever dtype a chunk gave them: a chunk holding a
    missing value reads integers as floats (1.0) and booleans as objects, the others not."""
    out: dict[str, Any] = {}
    for i, (_, s) in enumerate(df.items()):
        kind = s.dtype.kind
        if kind in "iuf":
            out[f"{i}n"], out[f"{i}v"] = _number_keys(s.to_numpy())
        elif kind == "b":
            out[str(i)] = s.astype(object)
        else:
            out[str(i)] = s
    return pd.DataFrame(out, index=df.index)


def _number_keys(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(is an integer, 64 bits): 1 and 1.0 share a key; other floats keep their bits."""
    if values.dtype.kind in "iu":
        return np.ones(len(values), dtype=np.int8), values.astype(np.int64, copy=False)
    f = values.astype(np.float64, copy=False)
    with np.errstate(invalid="ignore"):
        integral = (f == np.floor(f)) & (np.abs(f) < 2.0**63)
    keys = f.view(np.int64).copy()
    keys[integral] = f[integral].astype(np.int64)
    return integral.astype(np.int8), keys
