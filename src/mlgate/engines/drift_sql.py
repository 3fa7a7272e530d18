"""Numeric and date drift computed by a SQL engine: only counts, order statistics and two
distances cross the wire, never a column.

A `SqlSample` is one side's column on its relation (`mlgate.data.drift.Sample`). Alone it gives
what one dataset can: its distinct values and infinities, its standard deviation, the values at
some ranks (the reference's quantile bin edges), its counts in given bins, its value counts
(few values), and its step summary (`Sketch`, for a side on another engine). Two samples on the
same connection (two files on the run's DuckDB connection, two tables or queries of one
PostgreSQL database, one Spark session) compute KS and Wasserstein together and exactly: the
count of each distinct value per side, the cumulative counts by a window, the largest gap
between the two distribution functions and the area between them — the numbers the pandas
engine computes from the values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from mlgate.data.drift import Sketch, sketch_ranks
from mlgate.engines.sql import steady
from mlgate.engines.windows_sql import bin_of, ranges, windowed

if TYPE_CHECKING:
    from mlgate.data.drift import Joint, Sample
    from mlgate.engines.sql import Relation


#: At most this many ranks come as columns of the joint query (more: a query of their own).
_JOINT_RANKS = 200
#: Up to this many equal values, their standard deviation is numpy's rounding of it (else 0).
_EXACT_CONSTANT_STD = 4_000_000


class SqlSample:
    """The non-missing values of one column of `rel` as floats (see the module's docstring):
    `value` is their SQL expression (dates: seconds since the epoch) and `ok` the test of a
    present value."""

    def __init__(self, rel: Relation, value: str, ok: str, n: int) -> None:
        self.rel = rel
        self.d = rel.dialect
        self.n = n
        zero = self.d.number(0.0)
        # -0.0 and 0.0 are one value (numpy compares them equal)
        self.values_sql = (
            f"SELECT (CASE WHEN {value} = {zero} THEN {zero} ELSE {value} END) AS v "
            f"FROM {rel.from_sql} WHERE {ok}"
        )
        self._stats: dict[str, Any] | None = None
        self._distinct: dict[int, int] = {}

    # -- one side -----------------------------------------------------------------------------
    def one(self, sql: str) -> dict[str, Any]:
        """The one row of a query, by column name."""
        table = self.rel.query(sql)
        return {name: table.column(name)[0].as_py() for name in table.column_names}

    def finite(self) -> str:
        return f"v > {self.d.number(float('-inf'))} AND v < {self.d.number(float('inf'))}"

    def stats(self) -> dict[str, Any]:
        """Infinities, the standard deviation, the finite range (and an estimate of the
        distinct values, to pick a plan), in one scan."""
        if self._stats is None:
            d, finite = self.d, self.finite()
            approx = _approx_distinct(d)
            ninf, pinf = d.number(float("-inf")), d.number(float("inf"))
            self._stats = self.one(
                f"SELECT {approx} AS approx, "
                f"{d.count_where(f'v = {ninf}')} AS ninf, {d.count_where(f'v = {pinf}')} AS pinf, "
                f"stddev_pop(v) FILTER (WHERE {finite}) AS std, min(v) FILTER (WHERE {finite}) "
                f"AS lo, max(v) FILTER (WHERE {finite}) AS hi FROM ({self.values_sql}) AS s"
            )
        return self._stats

    def distinct(self, cap: int) -> int:
        if cap not in self._distinct:
            found = self.one(
                f"SELECT count(*) AS n FROM (SELECT v FROM ({self.values_sql}) AS s "
                f"WHERE {self.finite()} GROUP BY v LIMIT {cap + 1}) AS t"
            )["n"]
            self._distinct[cap] = min(int(found) + sum(self.infinities()), cap + 1)
        return self._distinct[cap]

    def infinities(self) -> tuple[int, int]:
        s = self.stats()
        return int(s["ninf"]), int(s["pinf"])

    def std(self) -> float:
        if sum(self.infinities()):
            return float("nan")  # numpy: inf - inf
        s = self.stats()
        if s["lo"] is not None and s["lo"] == s["hi"] and self.n <= _EXACT_CONSTANT_STD:
            # numpy's rounding of n equal values (its mean may miss them by an ulp)
            return float(np.std(np.full(self.n, float(s["lo"]))))
        return float(s["std"]) if s["std"] is not None else 0.0

    def order_statistics(self, ranks: np.ndarray) -> np.ndarray:
        at = self._ranked(ranks, with_counts=False)
        return np.array([at[int(r)][0] for r in ranks], dtype="float64")

    def _ranked(self, ranks: np.ndarray, with_counts: bool) -> dict[int, tuple[float, int, int]]:
        """The value at each rank (and how many values are below it and at most it)."""
        if not len(ranks):
            return {}
        listed = ", ".join(str(int(r)) for r in ranks)
        want = {"k1": "row_number"} | ({"b1": "rank", "upto": "upto"} if with_counts else {})
        rows = windowed(
            self.d, self.values_sql, "v", want, ranges(self.rel, self.values_sql, self.n)
        )
        table = self.rel.query(
            f"SELECT k, v{', below, upto' if with_counts else ''} FROM (SELECT v, k1 - 1 AS k"
            f"{', b1 - 1 AS below, upto' if with_counts else ''} FROM ({rows}) AS w) AS r "
            f"WHERE k IN ({listed})"
        )
        rows = table.to_pydict()
        out: dict[int, tuple[float, int, int]] = {}
        for i, k in enumerate(rows["k"]):
            below = int(rows["below"][i]) if with_counts else 0
            upto = int(rows["upto"][i]) if with_counts else 0
            out[int(k)] = (float(rows["v"][i]), below, upto)
        return out

    def bin_counts(self, edges: np.ndarray) -> np.ndarray:
        cuts = [float(e) for e in edges if not np.isnan(e)]
        table = self.rel.query(
            f"SELECT b, count(*) AS n FROM (SELECT {bin_of(self.d, cuts)} AS b "
            f"FROM ({self.values_sql}) AS s) AS t GROUP BY b"
        )
        out = np.zeros(len(edges) + 1)
        for b, n in zip(table.column("b").to_pylist(), table.column("n").to_pylist(), strict=True):
            out[int(b)] = float(n)
        return out

    def value_counts(self) -> tuple[np.ndarray, np.ndarray]:
        table = self.rel.query(
            f"SELECT v, count(*) AS n FROM ({self.values_sql}) AS s GROUP BY v ORDER BY v"
        )
        values = np.asarray(table.column("v").to_pylist(), dtype="float64")
        return values, np.asarray(table.column("n").to_pylist(), dtype=np.int64)

    def sketch(self, points: int) -> Sketch:
        if self.distinct(points) <= points:
            values, counts = self.value_counts()
            upto = np.cumsum(counts).astype(float)
            return Sketch(self.n, values, upto - counts, upto)
        at = self._ranked(sketch_ranks(self.n, points), with_counts=True)
        seen = sorted({v: (b, u) for v, b, u in at.values()}.items())
        return Sketch(
            self.n,
            np.array([v for v, _ in seen], dtype="float64"),
            np.array([b for _, (b, _) in seen], dtype="float64"),
            np.array([u for _, (_, u) in seen], dtype="float64"),
        )

    # -- two sides ----------------------------------------------------------------------------
    def joint(self, other: Sample) -> Joint | None:
        if isinstance(other, SqlSample) and same_connection(self.rel, other.rel):
            return SqlJoint(self, other)
        return None


class SqlJoint:
    """KS and Wasserstein distances of two samples on one connection, and the reference's
    order statistics, in one query: the two sides' values in one order, with the reference's
    running count and the next value."""

    def __init__(self, ref: SqlSample, cur: SqlSample) -> None:
        self.ref, self.cur = ref, cur
        self._found: dict[str, Any] | None = None
        self._ranks: list[int] = []

    def order_statistics(self, ranks: np.ndarray) -> np.ndarray:
        if len(ranks) > _JOINT_RANKS:  # one column each: PostgreSQL takes 1,664 at most
            return self.ref.order_statistics(ranks)
        self._ranks = sorted({int(r) for r in ranks})
        self._found = None
        found = self._distances()
        return np.array([float(found[f"q{int(r)}"]) for r in ranks], dtype="float64")

    def ks_distance(self) -> float:
        return float(self._distances()["ks"])

    def wasserstein_distance(self) -> float:
        w = self._distances()["w"]
        return steady(float(w)) if w is not None else 0.0

    def _distances(self) -> dict[str, Any]:
        if self._found is None:
            d, ref, cur = self.ref.d, self.ref, self.cur
            f = f"({d.double('ca')} / {d.double(str(ref.n))})"
            g = f"({d.double('cb')} / {d.double(str(cur.n))})"
            union = (
                f"SELECT v, 1 AS a FROM ({ref.values_sql}) AS r UNION ALL "
                f"SELECT v, 0 AS a FROM ({cur.values_sql}) AS c"
            )
            ranks = "".join(f", min(v) FILTER (WHERE ca > {k}) AS q{k}" for k in self._ranks)
            cuts = ranges(ref.rel, union, ref.n + cur.n)
            if self._grouped():  # few distinct values: one row per value
                last = "TRUE"
                counted = f"SELECT v, sum(a) AS a, count(*) AS t FROM ({union}) AS u GROUP BY v"
                want = {"ca": "sum:a", "ct": "sum:t", "nv": "lead"}
                rows = (
                    f"SELECT v, ca, ct - ca AS cb, nv FROM "
                    f"({windowed(d, counted, 'v', want, cuts)}) AS w"
                )
            else:  # one row per value of either side; the last of equal ones has both counts
                last = "nv IS NULL OR nv > v"
                want = {"ca": "sum:a", "rn": "row_number", "nv": "lead"}
                rows = (
                    f"SELECT v, ca, rn - ca AS cb, nv FROM "
                    f"({windowed(d, union, 'v, a', want, cuts)}) AS w"
                )
            self._found = ref.one(
                f"SELECT max(abs({f} - {g})) FILTER (WHERE {last}) AS ks, "
                f"sum({d.times(f'abs({f} - {g})', '(nv - v)')}) AS w{ranks} FROM ({rows}) AS j"
            )
        return self._found

    def _grouped(self) -> bool:
        """Whether to count each distinct value first (many ties), by the engine's estimate."""
        a, b = self.ref.stats()["approx"], self.cur.stats()["approx"]
        if a is None or b is None:
            return True
        return int(a) + int(b) < (self.ref.n + self.cur.n) // 2


def same_connection(a: Relation, b: Relation) -> bool:
    """Whether one query can read both relations: one DuckDB connection, one PostgreSQL
    database (the same URL), one Spark session."""
    if type(a) is not type(b):
        return False
    url = getattr(a, "url", None)
    if url is not None:
        return bool(url == getattr(b, "url", None))
    for attr in ("spark", "con"):
        if hasattr(a, attr):
            return getattr(a, attr) is getattr(b, attr)
    return False


def _approx_distinct(d: Any) -> str:
    """An estimate of the distinct values of `v` (picks a plan only), where the engine has one."""
    if d.name in ("duckdb", "spark"):
        return "approx_count_distinct(v)"
    return "NULL"
