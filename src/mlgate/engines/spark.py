"""The Spark engine: a local or cluster Spark session reads the data and runs the suite's SQL.

`connection: spark` starts (once per run) a session on `spark_master` (the dataset's `spark:`
mapping, else the environment as Spark reads it, else `local[2]`) with its `conf`;
`connection: sc://host:port` is a Spark Connect client. The data is `path` (parquet, csv, json;
globs and folders), a `table` of the session's catalog, or a read-only `sql` query (run as a
subquery, where nothing but a query fits). ANSI mode is off so that arithmetic behaves as in
numpy (a division by zero is handled explicitly, as on PostgreSQL). Row positions follow the
order Spark reads the files in (one file: its order).
"""

from __future__ import annotations

import contextlib
import difflib
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
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
    times = Dialect.times  # Spark multiplies as IEEE does (no underflow error)
    guarded = Dialect.guarded  # nor overflow error
    ranged_windows = True  # a window without PARTITION BY runs in one partition

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


#: mlgate's master when neither `spark: {master}` nor the environment names one.
DEFAULT_MASTER = "local[2]"


def spark_master(options: dict[str, Any], environ: Mapping[str, str]) -> tuple[str, str]:
    """Where `connection: spark` runs, and what said so: `spark: {master}` (or `spark.master`
    in its `conf`), else the environment as Spark reads it (`SPARK_REMOTE`: Spark Connect;
    `spark.master` in spark-defaults.conf of `SPARK_CONF_DIR` or `SPARK_HOME/conf`, which
    Spark prefers to `MASTER`), else `local[2]`. A master `sc://…` is Spark Connect."""
    conf = options.get("conf") or {}
    if options.get("master"):
        return str(options["master"]), "spark.master"
    if conf.get("spark.master"):
        return str(conf["spark.master"]), "spark.conf"
    if environ.get("SPARK_REMOTE"):
        return environ["SPARK_REMOTE"], "SPARK_REMOTE"
    folder = environ.get("SPARK_CONF_DIR") or (
        str(Path(environ["SPARK_HOME"]) / "conf") if environ.get("SPARK_HOME") else ""
    )
    if folder:
        defaults = _defaults_master(Path(folder) / "spark-defaults.conf")
        if defaults:
            return defaults, "spark-defaults.conf"
    if environ.get("MASTER"):
        return environ["MASTER"], "MASTER"
    return DEFAULT_MASTER, "default"


def _defaults_master(path: Path) -> str | None:
    """`spark.master` of a spark-defaults.conf (a Java properties file), if it sets one."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    found = None
    for line in text.splitlines():
        m = re.match(r"\s*spark\.master(?:\s*[=:]\s*|\s+)(\S.*?)\s*$", line)
        if m:
            found = m.group(1)
    return found


def java_problem(environ: Mapping[str, str]) -> str | None:
    """Why a local Spark cannot start for want of Java (as pyspark's launcher looks for it:
    `JAVA_HOME/bin/java`, else `java` on PATH), or None."""
    home = environ.get("JAVA_HOME")
    if home:
        if not os.access(Path(home) / "bin" / "java", os.X_OK):
            return (
                f"Spark needs Java 17 or later: JAVA_HOME is {home}, which has no bin/java; "
                "point JAVA_HOME at a JDK or unset it to use `java` on PATH"
            )
        return None
    if shutil.which("java", path=environ.get("PATH", "")) is None:
        return (
            "Spark needs Java 17 or later: no `java` on PATH and JAVA_HOME is not set; "
            "install a JDK (e.g. apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME"
        )
    return None


def session(options: dict[str, Any]) -> Any:
    """A Spark session: Spark Connect for `remote` (or a master `sc://…`), else a classic
    session on `spark_master`; UTC, ANSI off. Errors are one line without secrets."""
    master, _ = spark_master(options, os.environ)
    remote = str(options.get("remote") or (master if master.startswith("sc://") else ""))
    conf = {k: str(v) for k, v in (options.get("conf") or {}).items() if k != "spark.master"}
    conf.update(SESSION_CONF)
    try:
        import pyspark  # noqa: F401
    except ImportError:
        from mlgate.engines import install_hint

        raise CheckError(install_hint("spark")) from None
    for name in _NOISY_LOGGERS:  # each failing query as JSON with the JVM's stack on stderr:
        logging.getLogger(name).disabled = True  # mlgate says it in one line already
    if remote:
        return _connect(remote, conf)
    return _classic(master, conf)


_NOISY_LOGGERS = ("SQLQueryContextLogger", "DataFrameQueryContextLogger")


#: Settings every session gets: times in UTC, numpy's arithmetic (no ANSI errors), no web UI.
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "false",
}


def _connect(remote: str, conf: dict[str, str]) -> Any:
    """A Spark Connect session (the connect client's own builder: pyspark's generic one
    switches the whole process to Connect mode, after which no local session can start)."""
    from mlgate.engines.connection import redact, scrub, secrets_of

    try:
        from pyspark.sql.connect.session import SparkSession as ConnectSession
    except ImportError as exc:  # grpcio, grpcio-status, googleapis-common-protos, zstandard
        missing = getattr(exc, "name", None) or _one_line(exc)
        raise CheckError(
            f"the Spark Connect client is not installed ({missing}): pip install 'mlgate[spark]'"
        ) from None
    secrets = [*secrets_of(remote), *_token_of(remote)]
    spark = None
    try:
        spark = ConnectSession.builder.remote(remote).create()  # no call to the server yet
        with _patient(spark, retries=REACH_RETRIES):
            for key, value in conf.items():
                spark.conf.set(key, value)
            spark.sql("SELECT 1").collect()  # reach the server now: one clear error here
    except Exception as exc:
        with contextlib.suppress(Exception):  # else its exit hook retries for 10 minutes
            spark._client.close()  # type: ignore[union-attr]
        reason = scrub(_one_line(exc), secrets)
        raise CheckError(f"cannot reach Spark Connect at {redact(remote)}: {reason}") from None
    return spark


#: Attempts to reach a Spark Connect server (50 ms, then 4x longer each: about 4 s in all);
#: the client's default keeps trying for 10 minutes. Once reached, its default applies.
REACH_RETRIES = 4


@contextlib.contextmanager
def _patient(spark: Any, retries: int) -> Iterator[None]:
    """The Connect client retries at most `retries` times inside the block."""
    client: Any = getattr(spark, "_client", None)
    try:
        from pyspark.sql.connect.client.retries import DefaultPolicy

        before = client.get_retry_policies()
        client.set_retry_policies([DefaultPolicy(max_retries=retries)])
    except Exception:  # another client version: its own policy
        yield
        return
    try:
        yield
    finally:
        client.set_retry_policies(before)


def _token_of(remote: str) -> list[str]:
    """The `;key=value` parameters of an sc:// URL (a token, a user id): never shown."""
    params = remote.split("/", 3)[-1] if remote.count("/") >= 3 else ""
    return [p.split("=", 1)[1] for p in params.split(";") if "=" in p]


def _classic(master: str, conf: dict[str, str]) -> Any:
    """A classic session on `master` (built directly: pyspark's builder refuses a master while
    `SPARK_REMOTE` is set, and would otherwise pick its own from the environment)."""
    problem = java_problem(os.environ)  # the driver is a local JVM, whatever the master
    if problem:
        raise CheckError(problem)
    from pyspark import SparkConf, SparkContext
    from pyspark.sql import SparkSession

    spark_conf = SparkConf().setMaster(master).setAppName("mlgate")
    spark_conf.set("spark.ui.enabled", "false")
    for key, value in conf.items():
        spark_conf.set(key, value)
    try:
        context = SparkContext.getOrCreate(spark_conf)
        return SparkSession(context, options=dict(conf))
    except Exception as exc:  # Java too old, a cluster out of reach
        raise CheckError(f"cannot start a Spark session on {master}: {_one_line(exc)}") from None


def _one_line(exc: BaseException) -> str:
    for error in (exc, exc.__context__):  # a gRPC error (perhaps wrapped): its details say why
        details = getattr(error, "details", None)
        if callable(details):
            exc = error  # type: ignore[assignment]
            text = str(details()).strip()
            break
    else:
        text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class SparkRelation:
    """Files, a catalog table or a read-only query of a Spark session (see
    `mlgate.engines.sql.Relation`). `origin` names the config line of the dataset's `table` or
    `sql` key in messages about them."""

    dialect: Dialect = _DIALECT
    row: str | None = ROW

    def __init__(
        self,
        name: str,
        spark: Any,
        paths: list[str] | None,
        fmt: str | None,
        table: str | None,
        sql: str | None = None,
        origin: str | None = None,
    ) -> None:
        self.name = name
        self.spark = spark
        self.where = origin or f"dataset {name!r}"
        self.wrapped = sql is not None  # positions in Spark's messages count `_as_query`'s line
        view = f"mlgate_{abs(hash(name))}"
        what = "Spark cannot run the query" if sql is not None else "Spark cannot read it"
        if table is not None and sql is None:
            frame = self._table(table)
        else:
            frame = self._read(lambda: _frame(spark, paths, fmt, sql), what)
        d = self.dialect
        self.from_sql = f"{d.ident(view)} AS t"
        self.rows_sql = (
            f"(SELECT *, row_number() OVER (ORDER BY monotonically_increasing_id()) - 1 AS "
            f"{d.ident(ROW)} FROM {d.ident(view)}) AS t"
        )

        def schema_of() -> Any:  # Spark Connect reads (and fails) only here
            frame.createOrReplaceTempView(view)
            return self.spark.sql(f"SELECT * FROM {self.from_sql} LIMIT 0").toArrow().schema

        schema = self._read(schema_of, what)
        self.columns = list(schema.names)
        self.types = arrow_columns(schema)

    def _read(self, fn: Callable[[], Any], what: str) -> Any:
        try:
            return fn()
        except Exception as exc:
            reason = _one_line(exc)
            if self.wrapped:  # "line 2 pos 7" of the wrapped query is line 1 of the user's
                reason = re.sub(
                    r"\bline (\d+) pos\b", lambda m: f"line {int(m[1]) - 1} pos", reason
                )
            raise CheckError(f"{self.where}: {what}: {reason}") from None

    def _table(self, table: str) -> Any:
        try:
            frame = self.spark.table(table)
            frame.schema  # noqa: B018 (resolves the name now, on Spark Connect too)
            return frame
        except Exception as exc:
            if "TABLE_OR_VIEW_NOT_FOUND" not in str(exc) and "SCHEMA_NOT_FOUND" not in str(exc):
                raise CheckError(f"{self.where}: Spark cannot read it: {_one_line(exc)}") from None
        raise CheckError(f"{self.where}: {missing_table(self.spark, table)}")

    def query(self, sql: str) -> pa.Table:
        try:
            return self.spark.sql(sql).toArrow()
        except Exception as exc:
            raise CheckError(f"{self.where}: a Spark query failed: {_one_line(exc)}") from None

    def narrowed(self, where: str) -> str | None:
        return None


def _as_query(sql: str) -> str:
    """The user's `sql` as a subquery: only a query fits there (no DDL, DML or script), so
    Spark, which has no read-only mode, cannot change anything through it."""
    return f"SELECT * FROM (\n{sql.strip().rstrip(';')}\n) AS mlgate_query"


def _frame(spark: Any, paths: list[str] | None, fmt: str | None, sql: str | None) -> Any:
    """The user's query, or the files."""
    if sql is not None:
        return spark.sql(_as_query(sql))
    assert paths is not None
    assert fmt is not None
    reader = spark.read
    if fmt in ("csv", "tsv"):
        reader = reader.option("header", "true").option("inferSchema", "true")
        if fmt == "tsv":
            reader = reader.option("sep", "\t")
    spark_format = "json" if fmt == "jsonl" else "csv" if fmt == "tsv" else fmt
    return reader.format(spark_format).load(paths)


def missing_table(spark: Any, table: str) -> str:
    """ "table `x` does not exist (did you mean `y`?)": the nearest table of the schema it names
    (or of the current one), or the nearest schema when that does not exist either."""
    schema, _, name = table.rpartition(".")
    try:
        names = [t.name for t in spark.catalog.listTables(schema or None)]
        candidates, wanted = names, name
    except Exception:  # the schema does not exist
        candidates = [d.name for d in spark.catalog.listDatabases()]
        wanted = schema
        name = ""
    close = difflib.get_close_matches(wanted, candidates, n=1, cutoff=0.6)
    if name:
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        return f"table `{table}` does not exist{hint}"
    hint = f" (did you mean `{close[0]}`?)" if close else ""
    return f"table `{table}` does not exist: no schema `{schema}`{hint}"
