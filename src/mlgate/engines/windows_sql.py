"""Running counts and sums over values in order, computed in parallel where the engine needs it.

Exact drift (KS, Wasserstein, order statistics) needs each value's place among all the values:
window functions ordered over every row. Spark runs a window without `PARTITION BY` in one
partition, on one executor, whatever the size of the cluster. On Spark the rows are therefore
cut into ranges of `v` at approximate quantiles (equal values fall in one range), each range's
windows run on their own, and each is shifted by the counts and sums of the ranges before it,
from a grouped count of a few thousand rows: the same numbers as one window over all rows.
DuckDB and PostgreSQL sort in parallel themselves and get the plain window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlgate.engines.sql import Dialect, Relation

#: Rows per range on an engine that needs ranges (a range is sorted by one task).
RANGE_ROWS = 2_000_000
#: At most this many ranges (their offsets are one small window in one partition).
MAX_RANGES = 4096

_RUNNING = "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
_PRIOR = "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING"


def ranges(rel: Relation, src: str, n: int) -> list[float]:
    """The cuts of `src`'s `v` into about `n / RANGE_ROWS` ranges (none: one window serves)."""
    if not rel.dialect.ranged_windows:
        return []
    count = min(MAX_RANGES, -(-n // RANGE_ROWS))
    if count <= 1:
        return []
    qs = ", ".join(repr(i / count) for i in range(1, count))
    table = rel.query(f"SELECT percentile_approx(v, array({qs}), 10000) AS c FROM ({src}) AS s")
    found = table.column("c")[0].as_py() or []
    return sorted({float(c) for c in found if c == c})


def windowed(d: Dialect, src: str, order: str, want: dict[str, str], cuts: list[float]) -> str:
    """`src`'s rows and, by alias, the window values `want` names, over the rows ordered by
    `order` (which starts with `v`): `sum:<column>` (running sum, this row included),
    `row_number`, `rank`, `upto` (the rows with a value at most this one's) or `lead` (the
    next row's `v`). With `cuts`, computed range by range (see the module's docstring)."""
    if not cuts:
        over = f"ORDER BY {order}"
        cols = ", ".join(f"{_window(kind, over)} AS {alias}" for alias, kind in want.items())
        return f"SELECT *, {cols} FROM ({src}) AS x"
    ranged = f"SELECT *, {bin_of(d, cuts)} AS mlgate_r FROM ({src}) AS x"
    sums = [kind[4:] for kind in want.values() if kind.startswith("sum:")]
    totals = ", ".join(
        ["count(*) AS n_rows", "min(v) AS lo", *(f"sum({c}) AS s_{c}" for c in sums)]
    )
    before = [f"coalesce(sum(n_rows) OVER (ORDER BY mlgate_r {_PRIOR}), 0) AS o_rows"]
    before += [f"coalesce(sum(s_{c}) OVER (ORDER BY mlgate_r {_PRIOR}), 0) AS o_{c}" for c in sums]
    offsets = (
        f"SELECT mlgate_r, {', '.join(before)}, lead(lo) OVER (ORDER BY mlgate_r) AS o_next "
        f"FROM (SELECT mlgate_r, {totals} FROM ({ranged}) AS y GROUP BY mlgate_r) AS g"
    )
    over = f"PARTITION BY mlgate_r ORDER BY {order}"
    local = ", ".join(f"{_window(kind, over)} AS w_{alias}" for alias, kind in want.items())
    shifted = ", ".join(
        f"{_shift(kind, f'w.w_{alias}')} AS {alias}" for alias, kind in want.items()
    )
    return (
        f"SELECT w.*, {shifted} FROM (SELECT *, {local} FROM ({ranged}) AS y) AS w "
        f"JOIN ({offsets}) AS o ON w.mlgate_r = o.mlgate_r"
    )


def _window(kind: str, over: str) -> str:
    if kind.startswith("sum:"):
        return f"sum({kind[4:]}) OVER ({over} {_RUNNING})"
    if kind == "upto":
        return f"count(*) OVER ({over} RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
    if kind == "lead":
        return f"lead(v) OVER ({over})"
    assert kind in ("row_number", "rank"), kind
    return f"{kind}() OVER ({over})"


def _shift(kind: str, local: str) -> str:
    """A range's window value as the one over all rows: plus what the ranges before hold; the
    last row's next value is the next range's first."""
    if kind.startswith("sum:"):
        return f"({local} + o.o_{kind[4:]})"
    if kind == "lead":
        return f"coalesce({local}, o.o_next)"
    return f"({local} + o.o_rows)"


def bin_of(d: Dialect, cuts: list[float]) -> str:
    """The bin (range) of `v`: how many of the ascending `cuts` are <= v (a binary search of
    CASEs)."""

    def tree(lo: int, hi: int) -> str:
        if lo == hi:
            return str(lo)
        mid = (lo + hi) // 2
        below, above = tree(lo, mid), tree(mid + 1, hi)
        return f"(CASE WHEN v < {d.number(cuts[mid])} THEN {below} ELSE {above} END)"

    return tree(0, len(cuts))
