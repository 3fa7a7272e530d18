"""Where a suite's statistics are computed: the engines behind `StatsBackend`.

- `pandas` (`mlgate.data.pandas_backend`): frames in memory, streamed in chunks; the reference
  every other engine is tested against, and the engine of in-memory frames (`mlgate.testing`).
- `duckdb` (`mlgate.engines.duckdb_engine`, the default for files): SQL over the files in
  place; a suite is a few scans (`mlgate.engines.profile_sql`).
- `postgresql` (`mlgate.engines.postgres`): a table or read-only query by connection URL.
- `spark` (`mlgate.engines.spark`): files or a catalog table read by a Spark session (local,
  a cluster's master, or Spark Connect `sc://host:port`).

A suite an engine cannot compute with the pandas engine's exact meaning (a nested column, a
rule comparing text with numbers, `/` `//` `%` on integers beyond 2**53, reader options only
pandas has) runs on pandas instead, so the verdict never depends on the engine. Integers are
exact on every engine (`mlgate.engines.exact_sql`), as in `mlgate.data.exact`.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mlgate.errors import CheckError

if TYPE_CHECKING:
    from mlgate.config.model import DatasetSpec
    from mlgate.context import RunContext
    from mlgate.data.backend import Profile
    from mlgate.data.suite import Suite
    from mlgate.engines.sql import Relation

ENGINES = ("duckdb", "pandas")
EXTRA = {"duckdb": "duckdb", "postgresql": "postgres"}


def install_hint(engine: str) -> str:
    return (
        f"the {engine} engine is not installed: pip install 'mlgate[{EXTRA.get(engine, engine)}]'"
    )


def engine_of(spec: DatasetSpec, ctx: RunContext) -> str:
    """The dataset's engine: its own `engine`, else `gate.engine`, else duckdb when installed."""
    chosen = spec.engine or getattr(ctx.config.gate, "engine", None)
    if chosen:
        if chosen == "duckdb" and importlib.util.find_spec("duckdb") is None:
            raise CheckError(install_hint("duckdb"))
        return chosen
    return "duckdb" if importlib.util.find_spec("duckdb") is not None else "pandas"


def relation_for(spec: DatasetSpec, ctx: RunContext) -> Relation | None:
    """The dataset as a relation of its engine (once per run), or None: pandas reads it."""
    return ctx.memo(("engine-relation", spec.name), lambda: _relation(spec, ctx))


def _relation(spec: DatasetSpec, ctx: RunContext) -> Relation | None:
    from mlgate.datasets import _COMPRESSIONS, dataset_paths, detect_format

    if spec.connection:
        return _database(spec, ctx)
    if engine_of(spec, ctx) != "duckdb":
        return None
    from mlgate.engines import duckdb_engine as duck

    paths = dataset_paths(spec, ctx)  # (first: a folder is told how to name its files)
    fmt = spec.format or detect_format(spec.path)
    con = ctx.memo(("engine-duckdb",), lambda: _connect(ctx))
    compressed = any(str(p).lower().endswith(_COMPRESSIONS) for p in paths)
    if fmt == "parquet" and not compressed and not spec.options:
        shown = {p: _shown(spec, ctx, p) for p in paths}
        return duck.parquet_relation(spec.name, con, paths, shown)
    if spec.chunk_rows:  # bounded memory asked for a format only pandas streams
        return None
    table = _arrow_table(spec, paths, fmt)
    return None if table is None else duck.arrow_relation(spec.name, con, table)


def _shown(spec: DatasetSpec, ctx: RunContext, path: Any) -> str:
    """A file of the dataset as messages name it: `path:` itself, or the file a glob found
    (relative to the configuration's folder)."""
    import glob
    import os

    if not glob.has_magic(spec.path):
        return spec.path
    try:
        return os.path.relpath(path, ctx.config.resolve("."))
    except ValueError:  # another drive
        return str(path)


def _database(spec: DatasetSpec, ctx: RunContext) -> Relation:
    """A table or query on the database of `connection`."""
    from mlgate.engines.connection import expand, redact

    assert spec.connection is not None
    url = expand(spec.connection, spec.name)
    if url == "spark" or url.startswith("sc://"):
        return _spark(spec, ctx, url)
    if url.lower().startswith("duckdb://"):
        return _duckdb_file(spec, ctx, url)
    scheme = url.split(":", 1)[0].lower()
    if scheme in ("postgresql", "postgres") or scheme.startswith("postgresql+"):
        from mlgate.engines.postgres import PostgresRelation

        rel = PostgresRelation(spec.name, url.replace("postgresql+psycopg", "postgresql", 1),
                               spec.table, spec.sql, _origin(spec, ctx))  # fmt: skip
        ctx.on_close(rel.close)
        return rel
    raise CheckError(
        f"dataset {spec.name!r}: connection {redact(url)} is not supported; supported: "
        "postgresql://, duckdb:///path/to/file.db, spark, sc://"
    )


def _duckdb_file(spec: DatasetSpec, ctx: RunContext, url: str) -> Relation:
    """A table or read-only query of a DuckDB database file in the workspace."""
    from mlgate.engines.duckdb_file import database_path, file_relation
    from mlgate.paths import inside_workspace

    if importlib.util.find_spec("duckdb") is None:
        raise CheckError(install_hint("duckdb"))
    try:
        relative = database_path(url)
    except ValueError as exc:
        raise CheckError(f"dataset {spec.name!r}: {exc}") from None
    path = inside_workspace(ctx.config, ctx.config.resolve(relative), f"dataset {spec.name!r}")
    con = ctx.memo(("engine-duckdb-file", str(path)), lambda: _connect(ctx))
    return file_relation(spec.name, con, path, relative, spec.table, spec.sql)


def _spark(spec: DatasetSpec, ctx: RunContext, url: str) -> Relation:
    """Files, a table or a read-only query of a Spark session (local, cluster, or Spark Connect
    `sc://`)."""
    from mlgate.datasets import detect_format
    from mlgate.engines.spark import SparkRelation

    options = dict(spec.spark)
    if url.startswith("sc://"):
        options["remote"] = url
    spark = ctx.memo(("engine-spark", repr(sorted(options.items()))), lambda: _start(ctx, options))
    if spec.sql or spec.table:
        return SparkRelation(spec.name, spark, None, None, spec.table, spec.sql,
                             _origin(spec, ctx))  # fmt: skip
    remote = "://" in spec.path
    path = spec.path if remote else str(ctx.config.resolve(spec.path).absolute())
    fmt = spec.format or detect_format(spec.path)
    return SparkRelation(spec.name, spark, [path], fmt, None)


def _origin(spec: DatasetSpec, ctx: RunContext) -> str:
    """`mlgate.yml:4:5: datasets.db.sql`: the config line of the dataset's `sql` (or `table`)."""
    from mlgate.config.yamlload import format_path

    key = ("datasets", spec.name, "sql" if spec.sql else "table")
    loc = ctx.config.document.locate(key)
    return f"{loc.file}:{loc.line}:{loc.column}: {format_path(key)}"


def _start(ctx: RunContext, options: dict[str, Any]) -> Any:
    from mlgate.engines.spark import session

    spark = session(options)
    ctx.on_close(spark.stop)
    return spark


def _connect(ctx: RunContext) -> Any:
    import shutil
    import tempfile
    from pathlib import Path

    from mlgate.engines.duckdb_engine import connect

    spill = Path(tempfile.mkdtemp(prefix="mlgate-duckdb-"))
    ctx.on_close(lambda: shutil.rmtree(spill, ignore_errors=True))
    con = connect(spill / "spill")
    ctx.on_close(con.close)
    return con


def _arrow_table(spec: DatasetSpec, paths: Sequence[Any], fmt: str) -> Any:
    """The files as one Arrow table, read as the pandas engine reads them; None when pandas
    itself would parse them (reader options pyarrow lacks)."""
    import pyarrow as pa

    from mlgate.datasets import _ARROW_CSV_OPTIONS, _dedupe, _read_table, cannot_read
    from mlgate.errors import DatasetError

    options = dict(spec.options)
    if (fmt in ("csv", "tsv") and set(options) - _ARROW_CSV_OPTIONS) or (
        fmt == "jsonl" and options
    ):
        return None
    try:
        tables = [_read_table(p, fmt, options) for p in paths]
    except DatasetError:
        raise
    except Exception as exc:
        raise cannot_read(spec.name, spec.path, fmt, exc) from exc
    try:
        table = (
            tables[0] if len(tables) == 1 else pa.concat_tables(tables, promote_options="default")
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None  # files whose columns differ: pandas concatenates them its own way
    names = table.schema.names
    if len(set(names)) != len(names):
        table = table.rename_columns(_dedupe(names))
    return table


def profile_suite(
    suite: Suite, dataset: str, ctx: RunContext, drift_columns: Sequence[str] | None
) -> Profile | None:
    """The suite's profile computed by the dataset's engine; None: the pandas engine does it."""
    from mlgate.engines.columns import UnsupportedError
    from mlgate.engines.profile_sql import SqlProfiler

    spec = ctx.config.datasets.get(dataset)
    if spec is None:
        return None
    relation = relation_for(spec, ctx)
    if relation is None:
        return None
    try:
        profiler = SqlProfiler(relation, suite, drift_columns, rules_apart=bool(spec.connection))
        profile = profiler.run()
        _locate_unsupported_rules(profile, suite, ctx)
        return profile
    except UnsupportedError as exc:
        if spec.connection:  # the data is not here: no other engine can compute it
            raise CheckError(
                f"dataset {dataset!r}: this suite cannot be computed on "
                f"{relation.dialect.name} with the same meaning as elsewhere: {exc}"
            ) from None
        return None


def _locate_unsupported_rules(profile: Profile, suite: Suite, ctx: RunContext) -> None:
    """Each rule the engine cannot express names its config line (`mlgate.yml:9:9: id: …`)."""
    for check in ctx.config.checks:
        if check.kind != "data.rule" or check.suite is not suite:
            continue
        v = profile.rules.get(check.params["index"])
        if v is not None and v.unsupported:
            loc = check.location
            v.unsupported = f"{loc.file}:{loc.line}:{loc.column}: {v.unsupported}"
