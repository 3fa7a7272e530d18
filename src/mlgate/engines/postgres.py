"""The PostgreSQL engine: a table (or a read-only query) checked where it lives.

The connection is read-only (`default_transaction_read_only`), so `sql:` can only read. Only
aggregates and the first offending rows come back. Row positions are the table's physical order
(`ctid`, the insertion order of a table never updated) and are computed only for the queries
that fetch examples; a `sql:` query's rows are numbered in the order the server returns them.
"""

from __future__ import annotations

import difflib
import math
import sys
from typing import TYPE_CHECKING, Any

from mlgate.engines.columns import SqlColumn, UnsupportedError, arrow_columns
from mlgate.engines.connection import redact, scrub, secrets_of
from mlgate.engines.sql import Dialect, OutOfRangeError
from mlgate.errors import CheckError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

ROW = "__mlgate_row__"


class PostgresDialect(Dialect):
    name = "postgresql"
    regex_note = "POSIX"
    exact_type = "NUMERIC"
    exact_limit = 2**255

    def number(self, value: float | int) -> str:
        text = super().number(value)
        return text.replace("AS DOUBLE)", "AS DOUBLE PRECISION)")

    def double(self, expr: str) -> str:
        return f"CAST({expr} AS DOUBLE PRECISION)"

    def count_where(self, condition: str) -> str:
        return f"count(*) FILTER (WHERE {condition})"

    def real(self, value: float) -> str:
        return f"CAST({value!r} AS REAL)"

    def double_to_int(self, expr: str, bound: int) -> str:
        # a double converts exactly to BIGINT, not to NUMERIC (15 digits): above 2**63, a
        # double of [2**(52+s), 2**(63+s)) is a multiple of 2**s, scaled down to a BIGINT first
        parts = [f"WHEN abs({expr}) < {self.number(2.0**63)} THEN CAST({expr} AS BIGINT)"]
        shift = 11
        while 2.0 ** (63 + shift - 11) <= float(bound):
            scale = self.int_literal(2**shift)
            parts.append(
                f"WHEN abs({expr}) < {self.number(2.0 ** (63 + shift))} THEN "
                f"CAST(CAST({expr} / {self.number(2.0**shift)} AS BIGINT) AS {self.exact_type})"
                f" * {scale}"
            )
            shift += 11
        return f"(CASE {' '.join(parts)} END)"

    def isnan(self, expr: str) -> str:
        return f"({expr} = CAST('NaN' AS DOUBLE PRECISION))"

    def full_match(self, expr: str, pattern: str) -> str:
        return f"({expr} ~ {self.text('^(?:' + pattern + ')$')})"

    def fmod(self, a: str, b: str) -> str:
        return f"({a} - {b} * trunc({a} / NULLIF({b}, 0)))"

    def divide(self, a: str, b: str) -> str:
        inf = "CAST('Infinity' AS DOUBLE PRECISION)"
        nan = "CAST('NaN' AS DOUBLE PRECISION)"
        return (  # (NaN first: PostgreSQL and Spark hold NaN greater than every number)
            f"(CASE WHEN {b} = 0 THEN (CASE WHEN {self.isnan(a)} THEN {nan} WHEN {a} > 0 THEN "
            f"{inf} WHEN {a} < 0 THEN -{inf} ELSE {nan} END) ELSE {a} / {b} END)"
        )

    def power(self, a: str, b: str) -> str:
        raise UnsupportedError("`**` (PostgreSQL raises where numpy gives inf or NaN)")

    def as_text(self, expr: str) -> str:
        return f"CAST({expr} AS TEXT)"

    def timestamp(self, ts: pd.Timestamp, zoned: bool) -> str:
        if zoned:
            utc = ts.tz_convert("UTC") if ts.tzinfo is not None else ts.tz_localize("UTC")
            return f"CAST({self.text(utc.strftime('%Y-%m-%d %H:%M:%S.%f+00'))} AS TIMESTAMPTZ)"
        return f"CAST({self.text(ts.strftime('%Y-%m-%d %H:%M:%S.%f'))} AS TIMESTAMP)"

    def epoch_seconds(self, expr: str) -> str:
        # whole nanoseconds (exact numeric) as a double over 1e9: what numpy computes
        return (
            f"(CAST(CAST(EXTRACT(EPOCH FROM {expr}) * 1000000000 AS BIGINT) AS DOUBLE PRECISION)"
            " / CAST(1e9 AS DOUBLE PRECISION))"
        )

    def quantiles(self, expr: str, qs: list[float]) -> str:
        listed = ", ".join(repr(float(q)) for q in qs)
        return f"percentile_cont(ARRAY[{listed}]) WITHIN GROUP (ORDER BY {expr})"

    def times(self, a: str, b: str) -> str:
        """PostgreSQL raises an error ("underflow") where the product of two non-zero doubles
        rounds to zero; IEEE (numpy) gives 0. A product whose logarithm is at or below that
        of 2**-1075 (half the smallest double) is 0 here, computed otherwise: equal to IEEE's
        but within 1e-9 of that limit, where it may be 0 instead of 5e-324."""
        limit = repr(-1075 * math.log(2) + 1e-9)
        return (
            f"(CASE WHEN ({a}) = 0 OR ({b}) = 0 THEN ({a}) * ({b}) "  # ln(0) is an error
            f"WHEN ln(abs({a})) + ln(abs({b})) > {limit} THEN ({a}) * ({b}) "
            "ELSE CAST(0 AS DOUBLE PRECISION) END)"
        )

    def smallest(self, expr: str, n: int) -> str | None:
        return None

    def distinct_count(self, exprs: list[str]) -> str:
        if len(exprs) == 1:
            return f"count(DISTINCT {exprs[0]})"
        return f"count(DISTINCT ROW({', '.join(exprs)}))"

    def guarded(self) -> Dialect | None:
        return GuardedPostgresDialect()


#: The logarithms of the magnitudes where IEEE rounds a result to 0 (half the smallest double)
#: and to an infinity (the largest double), with a margin far above ln's error.
_LN_ZERO = -1075 * math.log(2)
_LN_MAX = math.log(sys.float_info.max)
_MARGIN = 1e-9


class GuardedPostgresDialect(PostgresDialect):
    """PostgreSQL computing `+ - * /` of doubles and a column's moments as numpy does where the
    plain dialect raises "value out of range" (SQLSTATE 22003): IEEE gives ±inf on overflow
    and ±0 on underflow, PostgreSQL an error that would fail every check of the dataset.

    Each operation first tests the usual case (operands of moderate magnitude: the plain
    operation), then infinities, NaN and zeros (no error there), then decides from the
    operands' logarithms: an overflow or underflow by more than a margin gives ±inf or ±0,
    and within the margin of overflow the operation is computed on half an operand, where
    it cannot overflow and, scaled by a power of two, rounds exactly as IEEE does. Moments
    are computed in exact decimals (`exact`). The SQL repeats each operand, so this dialect
    runs only after the plain one raised."""

    def _signed(self, a: str, b: str, value: float) -> str:
        """±`value` (0 or inf) with the sign IEEE gives the product or quotient of a and b."""
        return f"(sign({a}) * sign({b}) * {self.number(value)})"

    def _half(self, x: str) -> str:
        # never x * 0.5 on the smallest doubles, even in a branch not taken: PostgreSQL
        # computes constant expressions while planning, and that one would raise "underflow"
        small, half = self.number(2.0**-1021), self.number(0.5)
        return f"(CASE WHEN abs({x}) >= {small} THEN {x} * {half} ELSE {x} END)"

    def _moderate(self, a: str, b: str) -> str:
        big, small = self.number(2.0**511), self.number(2.0**-511)
        return (
            f"abs({a}) <= {big} AND abs({b}) <= {big} AND abs({a}) >= {small} "
            f"AND abs({b}) >= {small}"
        )

    def _finite(self, *xs: str) -> str:
        inf = self.number(math.inf)
        return " AND ".join(f"abs({x}) < {inf}" for x in xs)  # false for NaN too

    def _scaled(self, ln: str, a: str, b: str, exact: str, half: str) -> str:
        """The arms deciding a product or quotient of finite non-zero doubles from `ln`."""
        limit = self.number(sys.float_info.max / 2)
        inf, zero = self._signed(a, b, math.inf), self._signed(a, b, 0.0)
        return (
            f"WHEN {ln} <= {_LN_ZERO + _MARGIN!r} THEN {zero} "
            f"WHEN {ln} < {_LN_MAX - _MARGIN!r} THEN {exact} "
            f"WHEN {ln} > {_LN_MAX + _MARGIN!r} THEN {inf} "
            f"WHEN abs({half}) > {limit} THEN {inf} "
            f"ELSE {half} * {self.number(2.0)} END)"
        )

    def times(self, a: str, b: str) -> str:
        """IEEE multiplication: ±inf where PostgreSQL raises "overflow", ±0 where it raises
        "underflow" (exact but within 1e-9 of half the smallest double, where it may be 0
        instead of 5e-324)."""
        a, b = f"({a})", f"({b})"
        plain = f"{a} * {b}"
        return (
            f"(CASE WHEN {self._moderate(a, b)} THEN {plain} "
            f"WHEN {a} = 0 OR {b} = 0 OR NOT ({self._finite(a, b)}) THEN {plain} "
            + self._scaled(f"(ln(abs({a})) + ln(abs({b})))", a, b, plain,
                           f"({self._half(a)} * {b})")
        )  # fmt: skip

    def divide(self, a: str, b: str) -> str:
        """IEEE division: ±inf or NaN over 0 (as the plain dialect, but NaN for NaN: NaN > 0 in
        PostgreSQL), ±inf where PostgreSQL raises "overflow", ±0 where it raises "underflow"."""
        a, b = f"({a})", f"({b})"
        plain = f"{a} / {b}"
        by_zero = super().divide(a, b)
        return (
            f"(CASE WHEN {b} = 0 AND abs({a}) <= {self.number(math.inf)} THEN {by_zero} "
            f"WHEN {self._moderate(a, b)} THEN {plain} "
            f"WHEN {a} = 0 OR NOT ({self._finite(a, b)}) THEN {plain} "
            + self._scaled(f"(ln(abs({a})) - ln(abs({b})))", a, b, plain,
                           f"({self._half(a)} / {b})")
        )  # fmt: skip

    def plus(self, a: str, b: str) -> str:
        """IEEE addition: ±inf where PostgreSQL raises "overflow" (a sum of two doubles of the
        same sign beyond the largest double; addition never underflows)."""
        a, b = f"({a})", f"({b})"
        plain = f"{a} + {b}"
        big = self.number(2.0**1022)
        return (
            f"(CASE WHEN abs({a}) < {big} AND abs({b}) < {big} THEN {plain} "
            f"WHEN NOT ({self._finite(a, b)}) OR ({a} < 0) <> ({b} < 0) "
            f"OR least(abs({a}), abs({b})) < {self.number(2.0**-1021)} THEN {plain} "
            f"WHEN abs({self._half(a)} + {self._half(b)}) > {self.number(sys.float_info.max / 2)} "
            f"THEN sign({a}) * {self.number(math.inf)} ELSE {plain} END)"
        )

    def arith(self, sym: str, a: str, b: str) -> str:
        if sym == "*":
            return self.times(a, b)
        return self.plus(a, b if sym == "+" else f"(-({b}))")

    def guarded(self) -> Dialect | None:
        return self

    def exact(self, expr: str) -> str:
        # through its shortest text, which reads back as the same double (a cast to NUMERIC
        # keeps 15 digits)
        return f"CAST(CAST({expr} AS TEXT) AS NUMERIC)"


_DIALECT = PostgresDialect()

# PostgreSQL type OIDs -> the Arrow type pandas would hold the column as
_OIDS = {
    16: "bool",
    20: "int64",
    21: "int16",
    23: "int32",
    700: "float32",
    701: "float64",
    25: "string",
    1043: "string",
    1042: "string",
    1114: "timestamp",
    1184: "timestamptz",
    1082: "date",
}


class PostgresRelation:
    """A table or query on a PostgreSQL server (see `mlgate.engines.sql.Relation`)."""

    dialect: Dialect = _DIALECT
    row: str | None = ROW

    def __init__(
        self, name: str, url: str, table: str | None, sql: str | None, origin: str | None = None
    ) -> None:
        self.name = name
        self.where = origin or f"dataset {name!r}"  # the config line of its `table` or `sql`
        self.url = url
        self.shown = redact(url)
        self.secrets = secrets_of(url)
        self.con = self._connect()
        d = self.dialect
        if table is not None:
            target = ".".join(d.ident(p) for p in table.split("."))
            self.from_sql = f"{target} AS t"
            self.rows_sql = (
                f"(SELECT *, row_number() OVER (ORDER BY ctid) - 1 AS {d.ident(ROW)} "
                f"FROM {target}) AS t"
            )
        else:
            assert sql is not None
            inner = sql.strip().rstrip(";")
            self.from_sql = f"({inner}) AS t"
            self.rows_sql = (
                f"(SELECT *, row_number() OVER () - 1 AS {d.ident(ROW)} FROM ({inner}) AS q) AS t"
            )
        self.columns, self.types = self._columns(table)

    def _fail(self, what: str, exc: BaseException, where: str | None = None) -> CheckError:
        reason = scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else "", self.secrets)
        error = OutOfRangeError if getattr(exc, "sqlstate", None) == "22003" else CheckError
        return error(f"{where or self.where}: {what} ({self.shown}): {reason}")

    def _connect(self) -> Any:
        try:
            import psycopg
        except ImportError:
            raise CheckError(
                "the postgresql engine is not installed: pip install 'mlgate[postgres]'"
            ) from None
        try:
            return psycopg.connect(
                self.url,
                autocommit=True,
                connect_timeout=10,
                options="-c default_transaction_read_only=on",
            )
        except Exception as exc:
            raise self._fail(
                "cannot connect to the database", exc, f"dataset {self.name!r}"
            ) from None

    def _columns(self, table: str | None) -> tuple[list[str], dict[str, SqlColumn]]:
        import pyarrow as pa

        try:
            with self.con.cursor() as cur:
                cur.execute(f"SELECT * FROM {self.from_sql} LIMIT 0")
                description = cur.description or []
        except Exception as exc:
            if table is not None and type(exc).__name__ == "UndefinedTable":
                raise CheckError(self._missing_table(table)) from None
            raise self._fail("the query failed", exc) from None
        names = [c.name for c in description]
        fields = []
        for c in description:
            arrow = _OIDS.get(c.type_code)
            if arrow == "timestamptz":
                fields.append(pa.field(c.name, pa.timestamp("us", tz="UTC")))
            elif arrow == "timestamp":
                fields.append(pa.field(c.name, pa.timestamp("us")))
            elif arrow == "date":
                fields.append(pa.field(c.name, pa.date32()))
            elif arrow is not None:
                fields.append(pa.field(c.name, pa.type_for_alias(arrow)))
        return names, arrow_columns(pa.schema(fields))

    def _missing_table(self, table: str) -> str:
        schema, _, name = table.rpartition(".")
        with self.con.cursor() as cur:
            cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                "COALESCE(%s, current_schema())",
                (schema or None,),
            )
            tables = [r[0] for r in cur.fetchall()]
        close = difflib.get_close_matches(name, tables, n=1, cutoff=0.6)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        return f"{self.where}: table `{table}` does not exist in {self.shown}{hint}"

    def query(self, sql: str) -> pa.Table:
        import pyarrow as pa

        try:
            with self.con.cursor() as cur:
                cur.execute(sql)  # built by mlgate from identifiers and literals it quotes
                names = [c.name for c in cur.description or []]
                rows = cur.fetchall()
        except Exception as exc:
            raise self._fail("a query failed", exc) from None
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        return pa.table({n: pa.array(list(v)) for n, v in zip(names, columns, strict=True)})

    def narrowed(self, where: str) -> str | None:
        return None  # a copy would need a temporary table on the user's server

    def close(self) -> None:
        self.con.close()
