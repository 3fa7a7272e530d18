"""The DuckDB engine: files queried in place (parquet, out of core) or as Arrow tables.

Plain parquet files (one, or a glob) are read by DuckDB itself, in parallel and out of core;
the other formats are parsed by pyarrow exactly as the pandas engine parses them (the same
column types, so the same verdicts) and scanned by DuckDB without a copy. Every relation has a
column of 0-based row positions, so examples name the same rows as the pandas engine.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.engines.columns import SqlColumn, arrow_columns
from mlgate.engines.sql import Dialect
from mlgate.errors import DatasetError

if TYPE_CHECKING:
    import pyarrow as pa

ROW = "__mlgate_row__"
_DIALECT = Dialect()


class DuckRelation:
    """A relation on a DuckDB connection (see `mlgate.engines.sql.Relation`)."""

    dialect = _DIALECT

    def __init__(
        self,
        name: str,
        con: Any,
        from_sql: str,
        columns: list[str],
        types: dict[str, SqlColumn],
        row: str | None = ROW,
    ) -> None:
        self.name = name
        self.con = con
        self.from_sql = from_sql
        self.rows_sql = from_sql
        self.columns = columns
        self.types = types
        self.row = row
        #: The parquet files DuckDB reads in place, as messages name them: a file it cannot
        #: read (corrupt pages behind a sound footer) is an error of the dataset, not a crash.
        self.files: dict[str, str] = {}

    def query(self, sql: str) -> pa.Table:
        import duckdb

        for looser in (*_LOOSER, None):
            try:
                return self.con.sql(sql).to_arrow_table()
            except duckdb.OutOfMemoryException:
                if looser is None:
                    raise
                self.con.execute(looser)
            except (duckdb.IOException, duckdb.InvalidInputException) as exc:
                if not self.files:
                    raise
                raise self._unreadable(exc) from None
        raise AssertionError("unreachable")

    def _unreadable(self, exc: Exception) -> DatasetError:
        """ "dataset 'd': cannot read 'data/d.parquet' as parquet: <DuckDB's reason>"."""
        from mlgate.datasets import printable

        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        reason = text.removeprefix("Invalid Input Error: ").removeprefix("IO Error: ")
        shown = next((s for f, s in self.files.items() if f in reason), None)
        if shown is None:
            shown = next(iter(self.files.values())) if len(self.files) == 1 else "its files"
        else:  # the reason names the file as DuckDB got it: name it as the configuration does
            reason = re.sub(r'Failed to read file "[^"]*": ', "", reason)
        return DatasetError(
            f"dataset {self.name!r}: cannot read {shown!r} as parquet: {printable(reason)}"
        )

    def narrowed(self, where: str) -> str | None:
        """The rows `where` selects, copied to an Arrow table scanned as a view. `where` tests
        text or integer columns, so the parquet reader may filter as it reads (`_NAN_UNSAFE`
        is about NaN): only the matching rows of the other columns are materialised."""
        if self.rows_sql != self.from_sql or self.row != ROW:
            return None  # row positions computed by a window: keep them in one place
        self.con.execute("RESET disabled_optimizers")
        try:
            table = self.query(f"SELECT * FROM {self.from_sql} WHERE {where}")
        finally:
            self.con.execute(f"SET disabled_optimizers = '{_NAN_UNSAFE}'")
        view = f"mlgate_narrowed_{next(_VIEWS)}"
        self.con.register(view, table)
        return _DIALECT.ident(view)


#: DuckDB's memory limit (its default is 80% of the machine's memory): past it, grouping and
#: distinct counts spill to disk, so a 50M-row file is checked in under 1 GiB. A query that
#: cannot run within it runs again with more (`_LOOSER`): a limit never changes a verdict.
MEMORY_LIMIT = "512MB"
#: Optimisers that read parquet statistics, which leave NaN out (see `connect`).
_NAN_UNSAFE = "statistics_propagation,filter_pushdown"
_VIEWS = itertools.count()
_LOOSER = ("SET memory_limit = '2GB'", "RESET memory_limit")


def connect(spill: Path | None = None) -> Any:
    """A DuckDB connection set up for exact profiles; `spill`: its folder for data that does
    not fit in `MEMORY_LIMIT` (DuckDB's default is `.tmp` in the working directory)."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    if spill is not None:
        con.execute(f"SET temp_directory = {_DIALECT.text(str(spill))}")
    con.execute("SET TimeZone = 'UTC'")
    # row positions come from the files (file_row_number), not from the scan's order
    con.execute("SET preserve_insertion_order = false")
    # parquet statistics leave NaN out: with them DuckDB (2.0) proves `isnan(x)` false for a
    # row group holding a NaN and drops it (tests/engines/test_duckdb_nan.py)
    con.execute(f"SET disabled_optimizers = '{_NAN_UNSAFE}'")
    # a scan reads each row group's columns as it goes: prefetching them costs ~100 MiB of
    # peak memory on a 2M x 20 parquet file for no measurable gain (benchmarks/data.py)
    con.execute("SET disable_parquet_prefetching = true")
    return con


def parquet_relation(
    name: str, con: Any, paths: list[Path], shown: dict[Path, str] | None = None
) -> DuckRelation | None:
    """Plain parquet files read in place; None when their schemas differ (pandas decides).
    `shown`: each file as messages name it (a file that cannot be read is a `DatasetError`)."""
    import pyarrow.parquet as pq

    from mlgate.datasets import cannot_read

    named = shown or {p: str(p) for p in paths}
    schemas = []
    for p in paths:
        try:
            schemas.append(pq.read_schema(p))
        except Exception as exc:  # not parquet, truncated, empty, unreadable
            raise cannot_read(name, named[p], "parquet", exc) from exc
    if any(not s.equals(schemas[0]) for s in schemas[1:]):
        return None
    schema = schemas[0]
    if (
        ROW in schema.names
        or "file_row_number" in schema.names
        or len(set(schema.names)) != len(schema.names)
    ):
        return None
    d = _DIALECT
    listed = ", ".join(d.text(str(p)) for p in paths)
    if len(paths) == 1:
        scan = f"read_parquet([{listed}], file_row_number = true)"
        row = "file_row_number"
    else:
        offsets, total = [], 0
        for p in paths:
            offsets.append(total)
            total += pq.ParquetFile(p).metadata.num_rows
        cases = " ".join(
            f"WHEN {d.text(str(p))} THEN {o}" for p, o in zip(paths, offsets, strict=True)
        )
        scan = f"read_parquet([{listed}], file_row_number = true, filename = '{ROW}file')"
        row = f"file_row_number + CASE {d.ident(ROW + 'file')} {cases} END"
    cols = ", ".join(d.ident(c) for c in schema.names)
    from_sql = f"(SELECT {cols}, {row} AS {d.ident(ROW)} FROM {scan}) AS {d.ident('t')}"
    rel = DuckRelation(name, con, from_sql, list(schema.names), arrow_columns(schema))
    rel.files = {str(p): named[p] for p in paths}
    return rel


def arrow_relation(name: str, con: Any, table: pa.Table) -> DuckRelation:
    """An Arrow table (already read) scanned by DuckDB, with its row positions."""
    import pyarrow as pa

    columns = list(table.schema.names)
    schema = table.schema
    table = table.append_column(ROW, pa.array(range(table.num_rows), type=pa.int64()))
    view = f"mlgate_{abs(hash((name, id(table))))}"
    con.register(view, table)
    return DuckRelation(name, con, _DIALECT.ident(view), columns, arrow_columns(schema))
