"""The Spark engine: a local or cluster Spark session reads the data and runs the suite's SQL.

`connection: spark` starts (once per run) a session with `spark.master` from the dataset's
`spark:` mapping (else `local[2]`) and its `conf`; the data is `path` (parquet, csv, json; globs
and folders) or a `table` of the session's catalog. ANSI mode is off so that arithmetic behaves
as in numpy (a division by zero is handled explicitly, as on PostgreSQL). Row positions follow
the order Spark reads the files in (one file: its order).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlgate.engines.columns import arrow_columns
from mlgate.engines.postgres import PostgresDialect
from mlgate.engines.sql import Dialect
from mlgate.errors import CheckError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

ROW = "__mlgate_row__"


class SparkDialect(PostgresDialect):
    name = "spark"
    regex_note = "Java"
    exact_type = "DECIMAL(38,0)"
    exact_limit = 10**38 - 1

    def ident(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def text(self, value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def number(self, value: float | int) -> str:
        return super().number(value).replace("AS DOUBLE PRECISION)", "AS DOUBLE)")

    def double(self, expr: str) -> str:
        return f"CAST({expr} AS DOUBLE)"

    def real(self, value: float) -> str:
        return f"CAST({value!r} AS FLOAT)"

    def floor(self, expr: str) -> str:
        # Spark's floor is a BIGINT: beyond 2**53 every double is whole already
        return (
            f"(CASE WHEN abs({expr}) < 9007199254740992 THEN CAST(floor({expr}) AS DOUBLE) "
            f"ELSE {expr} END)"
        )

    def count_where(self, condition: str) -> str:
        return f"count(CASE WHEN {condition} THEN 1 END)"

    def isnan(self, expr: str) -> str:
        return f"isnan({expr})"

    def full_match(self, expr: str, pattern: str) -> str:
        return f"({expr} RLIKE {self.text('^(?:' + pattern + ')$')})"

    def fmod(self, a: str, b: str) -> str:
        return f"({a} % {b})"

    def divide(self, a: str, b: str) -> str:
        return super().divide(a, b).replace("DOUBLE PRECISION", "DOUBLE")

    def power(self, a: str, b: str) -> str:
        return f"pow({a}, {b})"

    def as_text(self, expr: str) -> str:
        return f"CAST({expr} AS STRING)"

    def timestamp(self, ts: pd.Timestamp, zoned: bool) -> str:
        if zoned:
            utc = ts.tz_convert("UTC") if ts.tzinfo is not None else ts.tz_localize("UTC")
            return f"CAST({self.text(utc.strftime('%Y-%m-%d %H:%M:%S.%f'))} AS TIMESTAMP)"
        return f"CAST({self.text(ts.strftime('%Y-%m-%d %H:%M:%S.%f'))} AS TIMESTAMP_NTZ)"

    def epoch_seconds(self, expr: str) -> str:
        # whole nanoseconds as a double over 1e9: what numpy computes
        return f"(CAST(unix_micros(CAST({expr} AS TIMESTAMP)) * 1000 AS DOUBLE) / 1e9)"

    def quantiles(self, expr: str, qs: list[float]) -> str:
        listed = ", ".join(repr(float(q)) for q in qs)
        return f"percentile({expr}, array({listed}))"

    def distinct_count(self, exprs: list[str]) -> str:
        return f"count(DISTINCT {', '.join(exprs)})"


_DIALECT = SparkDialect()


def session(options: dict[str, Any]) -> Any:
    """A Spark session (master from `options`, else local[2]), UTC, ANSI off."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise CheckError("the spark engine is not installed: pip install 'mlgate[spark]'") from None
    if "remote" in options:  # Spark Connect: a thin client of a remote cluster
        builder = SparkSession.builder.remote(str(options["remote"]))
    else:
        builder = SparkSession.builder.master(str(options.get("master", "local[2]")))
    builder = builder.appName("mlgate").config("spark.sql.session.timeZone", "UTC")
    builder = builder.config("spark.sql.ansi.enabled", "false").config("spark.ui.enabled", "false")
    for key, value in (options.get("conf") or {}).items():
        builder = builder.config(str(key), str(value))
    try:
        return builder.getOrCreate()
    except Exception as exc:  # no Java, a cluster out of reach
        from mlgate.engines.connection import redact, scrub

        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        remote = str(options.get("remote", ""))
        if remote:  # an sc:// URL may carry a token: show scheme, host and port only
            reason = scrub(reason, [remote, remote.split(";", 1)[-1]])
            raise CheckError(f"cannot reach Spark Connect at {redact(remote)}: {reason}") from None
        raise CheckError(f"cannot start a Spark session: {reason}") from None


class SparkRelation:
    """Files or a catalog table read by a Spark session (see `mlgate.engines.sql.Relation`)."""

    dialect: Dialect = _DIALECT
    row: str | None = ROW

    def __init__(self, name: str, spark: Any, paths: list[str] | None, fmt: str | None,
                 table: str | None) -> None:  # fmt: skip
        self.name = name
        self.spark = spark
        view = f"mlgate_{abs(hash(name))}"
        try:
            if table is not None:
                frame = spark.table(table)
            else:
                assert paths is not None
                assert fmt is not None
                reader = spark.read
                if fmt in ("csv", "tsv"):
                    reader = reader.option("header", "true").option("inferSchema", "true")
                    if fmt == "tsv":
                        reader = reader.option("sep", "\t")
                frame = reader.format("json" if fmt == "jsonl" else "csv" if fmt == "tsv"
                                      else fmt).load(paths)  # fmt: skip
        except Exception as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            raise CheckError(f"dataset {name!r}: Spark cannot read it: {reason}") from None
        frame.createOrReplaceTempView(view)
        d = self.dialect
        self.from_sql = f"{d.ident(view)} AS t"
        self.rows_sql = (
            f"(SELECT *, row_number() OVER (ORDER BY monotonically_increasing_id()) - 1 AS "
            f"{d.ident(ROW)} FROM {d.ident(view)}) AS t"
        )
        schema = self.query(f"SELECT * FROM {self.from_sql} LIMIT 0").schema
        self.columns = list(schema.names)
        self.types = arrow_columns(schema)

    def query(self, sql: str) -> pa.Table:
        try:
            return self.spark.sql(sql).toArrow()
        except Exception as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            raise CheckError(f"dataset {self.name!r}: a Spark query failed: {reason}") from None
