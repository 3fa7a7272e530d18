"""The statistics step behind one interface: a backend profiles a source for a `Suite`.

Checks never touch data: they judge from a `Profile` (counts, bounds, offending rows). The
pandas backend (`mlgate.data.pandas_backend`) computes it from frames; the SQL engines
(`mlgate.engines`) fill the same `Profile` from the same `Suite` where the data is, without any
check changing (quantiles come computed, `ColumnProfile.quantiles`, instead of kept values).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from mlgate.data.suite import Suite


class Source(Protocol):
    """Where a dataset's rows come from: whole, or chunk by chunk."""

    name: str
    streamed: bool  # read chunk by chunk (memory bounded by the chunk)

    def chunks(self) -> Iterator[pd.DataFrame]:
        """The rows in order, in one or more frames."""
        ...

    def rows_at(self, rows: Sequence[int]) -> pd.DataFrame:
        """The rows at these positions (0-based), indexed by position."""
        ...


@dataclass
class Violation:
    """Rows breaking one check: how many, out of how many, and which (first ones)."""

    count: int = 0
    denominator: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)
    values: Counter[Any] = field(default_factory=Counter)
    skipped_rows: int = 0  # rows not judged (a missing operand of a rule)
    problem: str | None = None  # why it could not be computed (wrong dtype, unknown column)
    unsupported: str | None = None  # the engine cannot compute it with its meaning: an error

    @property
    def fraction(self) -> float:
        return self.count / self.denominator if self.denominator else 0.0

    def most_common(self, n: int) -> list[tuple[Any, int]]:
        """The `n` most frequent values; ties in the order of the values (not of the rows,
        which would depend on how the data was cut into chunks). A zero is shown unsigned:
        -0.0 and 0.0 are one value, and which sign a group keeps differs between engines."""
        items = [(_unsigned_zero(v), c) for v, c in self.values.items()]
        ranked = sorted(items, key=lambda vc: (-vc[1], str(vc[0])))
        return ranked[:n]


def _unsigned_zero(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(_unsigned_zero(v) for v in value)
    if isinstance(value, float) and value == 0:
        return 0.0
    return value


@dataclass
class ColumnProfile:
    """What one pass learned about a column."""

    name: str
    kinds: set[str] = field(default_factory=set)  # observed kinds of non-empty chunks
    dtypes: list[str] = field(default_factory=list)
    count: int = 0  # non-missing values
    nulls: int = 0
    null_rows: list[int] = field(default_factory=list)
    non_integral: int = 0  # float values with a fraction (an integer column with NaN is float)
    min: Any = None
    max: Any = None
    mean: float = 0.0
    m2: float = 0.0  # sum of squared deviations (Welford, merged chunk by chunk)
    moments: int = 0
    values: list[np.ndarray] = field(default_factory=list)  # kept for median/quantile/drift
    value_keys: list[np.ndarray] = field(default_factory=list)  # sample keys (streamed data)
    sampled: bool = False  # `values` are a deterministic sample (streamed, > SAMPLE_CAP)
    counts: Counter[Any] = field(default_factory=Counter)  # value counts (drift, categorical)
    #: A numeric or date column's drift sample computed where the data is (a SQL engine's
    #: `mlgate.data.drift.Sample`), instead of kept `values`.
    drift: Any = None
    quantiles: dict[float, float] = field(default_factory=dict)  # computed by the engine
    checks: dict[str, Violation] = field(default_factory=dict)  # min/max/allowed/pattern/unique

    @property
    def kind(self) -> str:
        """integer | float | boolean | string | category | datetime | nested | mixed | empty."""
        kinds = set(self.kinds)
        if kinds == {"integer", "float"}:
            return "float"
        if len(kinds) == 1:
            return next(iter(kinds))
        return "mixed" if kinds else "empty"

    @property
    def dtype(self) -> str:
        seen = list(dict.fromkeys(self.dtypes))
        return "/".join(seen) if seen else "empty"

    @property
    def rows(self) -> int:
        return self.count + self.nulls

    def quantile(self, q: float) -> float:
        """The q-quantile (linear interpolation): computed by the engine, or from `values`."""
        if q in self.quantiles:
            return self.quantiles[q]
        import numpy as np

        return float(np.quantile(np.concatenate(self.values), q))

    def std(self) -> float | None:
        return (self.m2 / (self.moments - 1)) ** 0.5 if self.moments > 1 else None


@dataclass
class Profile:
    """Everything a suite's checks judge from, computed in one pass over the dataset."""

    dataset: str
    rows: int = 0
    columns: list[str] = field(default_factory=list)
    column: dict[str, ColumnProfile] = field(default_factory=dict)
    keys: dict[tuple[str, ...], Violation] = field(default_factory=dict)
    duplicates: Violation | None = None
    rules: dict[int, Violation] = field(default_factory=dict)
    chunks: int = 0


def missing_column(name: str, columns: Sequence[str]) -> str:
    """ "column `Recrods` is not in the dataset (did you mean `Records`?)"."""
    import difflib

    names = [str(c) for c in columns]
    delimiter = _other_delimiter(name, names)
    if delimiter is not None:
        shown = names[0] if len(names[0]) <= 60 else names[0][:59] + "…"
        sep = {"\t": "\\t"}.get(delimiter, delimiter)
        return (
            f"column `{name}` is not in the dataset: the file was read as one column "
            f'`{shown}`: is its delimiter `{sep}`? add `options: {{sep: "{sep}"}}`'
        )
    by_lower = {n.lower(): n for n in reversed(names)}  # `AGE` for `age`: case aside
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    hint = f" (did you mean `{by_lower[close[0]]}`?)" if close else ""
    return f"column `{name}` is not in the dataset{hint}"


def _other_delimiter(name: str, names: Sequence[str]) -> str | None:
    """`;` (or tab, `|`) when the data is one column whose name is a header split by it, `name`
    in one of its parts: a file read with the wrong delimiter (a CSV of `;` read with `,`)."""
    if len(names) != 1 or not name.strip():
        return None
    for delimiter in (";", "\t", "|"):
        parts = [p.strip().strip("\"'\ufeff").lower() for p in names[0].split(delimiter)]
        if len(parts) > 1 and any(name.strip().lower() in p for p in parts):
            return delimiter
    return None


class StatsBackend(Protocol):
    """Computes a `Profile` of `source` holding what every check of `suite` needs."""

    def profile(
        self, source: Source, suite: Suite, *, drift_columns: Sequence[str] | None = ()
    ) -> Profile: ...
