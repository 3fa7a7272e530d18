"""What a SQL engine gives the profiler: a relation to query, its columns, and its dialect.

The profiler (`mlgate.engines.profile_sql`) writes portable SQL through a `Dialect`, so the
few functions that differ between DuckDB and PostgreSQL (NaN tests, regular expressions,
literals) are written once per engine here.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from mlgate.engines.columns import SqlColumn, UnsupportedError
from mlgate.errors import CheckError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


#: Significant digits kept of a sum an engine computes in parallel (a mean, a variance, a
#: Wasserstein distance): the order threads add partial sums in changes the last bits from run
#: to run, and two runs on the same data must give the same report.
STEADY_DIGITS = 12


def steady(value: float) -> float:
    """`value` rounded to `STEADY_DIGITS` significant digits (non-finite values as they are)."""
    return float(f"{value:.{STEADY_DIGITS}g}") if math.isfinite(value) else value


class OutOfRangeError(CheckError):
    """A query failed where IEEE arithmetic (numpy) gives an infinity or 0 instead: PostgreSQL's
    "value out of range" (SQLSTATE 22003). The scan is run again with the dialect's
    `Dialect.guarded` form, which computes those values as numpy does."""


class Dialect:
    """DuckDB's SQL (the reference dialect); subclasses override what differs."""

    name = "duckdb"
    regex_note = "RE2"
    #: The exact integer type of arithmetic beyond 64 bits, and the magnitude it holds.
    exact_type = "HUGEINT"
    exact_limit = 2**126
    #: Whether a window ordered over all rows must be cut into ranges to run in parallel
    #: (`mlgate.engines.windows_sql`).
    ranged_windows = False

    def ident(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def text(self, value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    def number(self, value: float | int) -> str:
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, int):
            return str(value)
        if math.isnan(value):
            return "CAST('NaN' AS DOUBLE)"
        if math.isinf(value):
            return "CAST('Infinity' AS DOUBLE)" if value > 0 else "CAST('-Infinity' AS DOUBLE)"
        return f"CAST({value!r} AS DOUBLE)"

    def double(self, expr: str) -> str:
        return f"CAST({expr} AS DOUBLE)"

    def int_literal(self, value: int) -> str:
        """An integer literal (in the exact type beyond 64 bits)."""
        if -(2**63) < value < 2**63:
            return str(value)
        return f"CAST({self.text(str(value))} AS {self.exact_type})"

    def widen(self, expr: str, bound: int) -> str:
        """An integer expression of magnitude up to `bound`, in a type where arithmetic on it
        cannot overflow (the exact type beyond 64 bits)."""
        return f"CAST({expr} AS {self.exact_type})" if bound >= 2**63 else expr

    def int_to_double(self, expr: str, bound: int) -> str:
        """An integer as the nearest double (what pandas makes of it)."""
        return self.double(expr)

    def double_to_int(self, expr: str, bound: int) -> str:
        """A whole double of magnitude up to `bound`'s double, as an exact integer."""
        return f"CAST({expr} AS {self.exact_type})"

    def floor(self, expr: str) -> str:
        """The floor of a double, as a double."""
        return f"floor({expr})"

    def count_where(self, condition: str) -> str:
        """The number of rows where `condition` is true (count_if: DuckDB's fastest form)."""
        return f"coalesce(count_if({condition}), 0)"

    def real(self, value: float) -> str:
        return f"CAST({value!r} AS FLOAT)"

    def isnan(self, expr: str) -> str:
        return f"isnan({expr})"

    def full_match(self, expr: str, pattern: str) -> str:
        return f"regexp_full_match({expr}, {self.text(pattern)})"

    def fmod(self, a: str, b: str) -> str:
        return f"fmod({a}, {b})"

    def times(self, a: str, b: str) -> str:
        """IEEE multiplication of two doubles (a product below the smallest double is 0)."""
        return f"(({a}) * ({b}))"

    def arith(self, sym: str, a: str, b: str) -> str:
        """`a sym b` (`+`, `-` or `*`) of two doubles, as IEEE computes it (in a rule)."""
        return f"({a} {sym} {b})"

    def guarded(self) -> Dialect | None:
        """The dialect that computes as numpy does what raises `OutOfRangeError` in this one (more
        SQL, slower: only after such an error); None: this engine never raises it."""
        return None

    def exact(self, expr: str) -> str | None:
        """A double as an exact decimal in which sums cannot overflow (moments computed after
        `OutOfRangeError`); None: moments are computed in doubles."""
        return None

    def divide(self, a: str, b: str) -> str:
        """IEEE division (x/0 is ±inf or NaN, as in numpy)."""
        return f"({a} / {b})"

    def power(self, a: str, b: str) -> str:
        return f"pow({a}, {b})"

    def as_text(self, expr: str) -> str:
        return f"CAST({expr} AS VARCHAR)"

    def timestamp(self, ts: pd.Timestamp, zoned: bool) -> str:
        """A timestamp literal: zoned ones as UTC instants."""
        if zoned:
            utc = ts.tz_convert("UTC") if ts.tzinfo is not None else ts.tz_localize("UTC")
            return (
                f"CAST({self.text(utc.strftime('%Y-%m-%d %H:%M:%S.%f'))} || '+00' AS TIMESTAMPTZ)"
            )
        return f"CAST({self.text(ts.strftime('%Y-%m-%d %H:%M:%S.%f'))} AS TIMESTAMP)"

    def epoch_seconds(self, expr: str) -> str:
        """Seconds since the epoch as numpy computes them: whole nanoseconds, a double, / 1e9."""
        return f"(CAST(epoch_ns({expr}) AS DOUBLE) / 1e9)"

    def quantiles(self, expr: str, qs: list[float]) -> str:
        listed = ", ".join(repr(float(q)) for q in qs)
        return f"quantile_cont({expr}, [{listed}])"

    def distinct_count(self, exprs: list[str]) -> str:
        if len(exprs) == 1:
            return f"count(DISTINCT {exprs[0]})"
        return f"count(DISTINCT ({', '.join(exprs)}))"

    def smallest(self, expr: str, n: int) -> str | None:
        """An aggregate listing the `n` smallest non-NULL values of `expr` in bounded memory;
        None when the engine has none."""
        return f"min({expr}, {n})"

    def literal(self, value: Any) -> str:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, (bool, int, float)):
            return self.number(value)
        if isinstance(value, (dt.date, dt.datetime)):
            return self.text(value.isoformat())
        raise UnsupportedError(f"literal {value!r}")


class Relation(Protocol):
    """A table or query on an engine, with what the profiler needs to know about it."""

    name: str
    dialect: Dialect
    from_sql: str  # a FROM item
    rows_sql: str  # a FROM item that has the `row` column (may cost a sort: examples only)
    row: str | None  # a column of 0-based row positions; None: the engine has no row order
    columns: list[str]  # every column, in order (not `row`)
    types: dict[str, SqlColumn]  # the columns whose values the engine handles exactly

    def query(self, sql: str) -> pa.Table:
        """Run a read-only query."""
        ...

    def narrowed(self, where: str) -> str | None:
        """A FROM item holding a copy of the few rows `where` (a test on text or integer
        columns) selects, with their `row`, for repeated searches among them; None: search
        the relation itself."""
        ...


@dataclass
class Aggregates:
    """Aggregate expressions gathered for one scan; `add` gives the alias of each."""

    exprs: list[str] = field(default_factory=list)

    def add(self, expr: str) -> str:
        self.exprs.append(expr)
        return f"a{len(self.exprs) - 1}"

    def select(self) -> str:
        return ", ".join(f"{e} AS a{i}" for i, e in enumerate(self.exprs))
