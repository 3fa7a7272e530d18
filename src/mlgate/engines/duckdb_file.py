"""A DuckDB database file (`connection: duckdb:///path/to/file.db`), opened read-only.

`duckdb:///data/risk.db` names `data/risk.db` relative to the configuration's folder (and
`duckdb:////abs/risk.db` an absolute path), kept inside the workspace like every path. The file
is attached READ_ONLY to a connection of the DuckDB engine (its settings), so `sql:` can only
read and a `table` may be `schema.table`. Row positions are a table's row order (`rowid`) or
the order a query returns its rows in, computed only for the queries that fetch examples.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from mlgate.engines.columns import arrow_columns
from mlgate.engines.duckdb_engine import ROW, DuckRelation
from mlgate.engines.sql import Dialect
from mlgate.errors import CheckError

PREFIX = "duckdb://"
CATALOG = "mlgate_db"


def database_path(url: str) -> str:
    """The file a `duckdb:///…` URL names: relative after three slashes, absolute after four."""
    rest = url[len(PREFIX) :]
    if not rest.startswith("/") or rest == "/":
        raise ValueError("a DuckDB database is `duckdb:///path/to/file.db` (three slashes)")
    return rest[1:].split("?", 1)[0]


def file_relation(
    name: str, con: Any, path: Path, shown: str, table: str | None, sql: str | None
) -> DuckRelation:
    """`table` or `sql` of the database file `path` (`shown` in messages), read-only."""
    import duckdb

    if not path.is_file():
        raise CheckError(f"dataset {name!r}: the DuckDB database {shown} does not exist")
    d = Dialect()
    try:
        attached = con.execute(
            "SELECT count(*) FROM duckdb_databases() WHERE database_name = ?", [CATALOG]
        ).fetchall()[0][0]
        if not attached:  # (another dataset of the same file attached it already)
            con.execute(f"ATTACH {d.text(str(path))} AS {d.ident(CATALOG)} (READ_ONLY)")
            con.execute(f"USE {d.ident(CATALOG)}")
    except duckdb.Error as exc:
        raise CheckError(
            f"dataset {name!r}: cannot open the DuckDB database {shown}: {_first_line(exc)}"
        ) from None
    if table is not None:
        parts = table.split(".")
        target = ".".join(d.ident(p) for p in [CATALOG, *(["main"] if len(parts) == 1 else []),
                                               *parts[-2:]])  # fmt: skip
        from_sql = f"{target} AS t"
        rows_sql = (
            f"(SELECT *, row_number() OVER (ORDER BY rowid) - 1 AS {d.ident(ROW)} "
            f"FROM {target}) AS t"
        )
    else:
        assert sql is not None
        inner = sql.strip().rstrip(";")
        from_sql = f"({inner}) AS t"
        rows_sql = (
            f"(SELECT *, row_number() OVER () - 1 AS {d.ident(ROW)} FROM ({inner}) AS q) AS t"
        )
    try:
        schema = con.sql(f"SELECT * FROM {from_sql} LIMIT 0").to_arrow_table().schema
    except duckdb.CatalogException as exc:
        if table is not None:
            raise CheckError(_missing_table(name, con, table, shown)) from None
        raise CheckError(
            f"dataset {name!r}: the query failed ({shown}): {_first_line(exc)}"
        ) from None
    except duckdb.Error as exc:
        raise CheckError(
            f"dataset {name!r}: the query failed ({shown}): {_first_line(exc)}"
        ) from None
    rel = DuckRelation(name, con, from_sql, list(schema.names), arrow_columns(schema))
    rel.rows_sql = rows_sql
    return rel


def _missing_table(name: str, con: Any, table: str, shown: str) -> str:
    schema, _, wanted = table.rpartition(".")
    rows = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = ?",
        [CATALOG],
    ).fetchall()
    names = [t if (schema or "main") == s else f"{s}.{t}" for s, t in rows]
    close = difflib.get_close_matches(wanted if not schema else table, names, n=1, cutoff=0.6)
    hint = f" (did you mean `{close[0]}`?)" if close else ""
    listed = ", ".join(sorted(names)[:10]) or "none"
    return (
        f"dataset {name!r}: table `{table}` does not exist in the DuckDB database {shown}"
        f"{hint}; its tables: {listed}"
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
