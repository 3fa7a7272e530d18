"""JSON Schema of one entry of `datasets:` (owned by the data family)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlgate.config.schema_parts import ENGINE

if TYPE_CHECKING:
    from mlgate.config.yamlload import Document

DATASET: dict[str, Any] = {
    "type": "object",
    "description": "A named input: a file (or glob) relative to the folder of mlgate.yml, or a "
    "table or query on a database (`connection` with `table` or `sql`).",
    "additionalProperties": False,
    "anyOf": [{"required": ["path"]}, {"required": ["connection"]}],
    "properties": {
        "path": {
            "type": "string",
            "format": "path",
            "minLength": 1,
            "description": "File or glob (`data/part-*.parquet`: the files, sorted, as one).",
        },
        "format": {
            "enum": ["csv", "tsv", "parquet", "jsonl", "feather"],
            "description": "Default: from the file name (.gz/.zst allowed).",
        },
        "ref": {
            "type": "string",
            "description": "`base`: read the file as of the PR's base commit (or any git ref).",
        },
        "chunk_rows": {
            "type": "integer",
            "minimum": 1,
            "maximum": 1_000_000_000,
            "description": "Stream the data in chunks of this many rows: memory is bounded by "
            "the chunk, not the file.",
        },
        "connection": {
            "type": "string",
            "minLength": 1,
            "description": "A database URL (`postgresql://user@host:5432/db`, or "
            "`duckdb:///file.db`: a DuckDB database file in the workspace, opened read-only), "
            "`spark` (a Spark session reads `path`, `table` or `sql`) or `sc://host:port` (Spark "
            "Connect); `${VAR}` "
            "expands from the environment. Never shown: messages name the host, port and "
            "database only.",
        },
        "spark": {
            "type": "object",
            "additionalProperties": False,
            "description": "With `connection: spark`: the session.",
            "properties": {
                "master": {
                    "type": "string",
                    "description": "Default: the environment as Spark reads it (`SPARK_REMOTE`, "
                    "then `spark.master` in spark-defaults.conf, then `MASTER`), else `local[2]`.",
                },
                "conf": {
                    "type": "object",
                    "description": "Spark settings, e.g. {spark.sql.shuffle.partitions: '8'}.",
                },
            },
        },
        "table": {
            "type": "string",
            "minLength": 1,
            "description": "With `connection`: the table (`schema.table` allowed) to check.",
        },
        "sql": {
            "type": "string",
            "minLength": 1,
            "description": "With `connection`: a query whose rows are checked (run read-only).",
        },
        "engine": {**ENGINE, "description": "This dataset's engine (default: `gate.engine`)."},
        "options": {
            "type": "object",
            "description": "Reader options, e.g. {sep: ';'} or {encoding: latin-1} (text is "
            "UTF-8 by default); csv options other than sep, encoding and quotechar make pandas "
            "read the file instead of pyarrow.",
        },
    },
}


def source_problems(doc: Document) -> list[str]:
    """A dataset is a file (`path`) or a database's table or query (`connection` with `table`
    or `sql`): one line per dataset that mixes them up."""
    out: list[str] = []
    for name, spec in (doc.data.get("datasets") or {}).items():
        keys = set(spec or {})
        where = ("datasets", name)
        connection = str((spec or {}).get("connection", ""))
        spark = connection == "spark" or connection.startswith("sc://")
        what = keys & {"path", "table", "sql"}
        if "spark" in keys and connection != "spark":
            out.append(doc.error((*where, "spark"), "`spark` goes with `connection: spark`"))
        elif spark and not what:
            out.append(doc.error(where, "a Spark `connection` needs `path`, `table` or `sql`"))
        elif spark and len(what) > 1:
            given = ", ".join(f"`{k}`" for k in sorted(what))
            out.append(doc.error(where, f"give one of `path`, `table` or `sql`, not {given}"))
        elif spark:
            continue
        elif "connection" in keys and "path" in keys:
            out.append(doc.error(where, "give `path` (a file) or `connection`, not both"))
        elif "connection" in keys and not keys & {"table", "sql"}:
            out.append(doc.error(where, "`connection` needs `table` or `sql` (what to check)"))
        elif {"table", "sql"} <= keys:
            out.append(doc.error(where, "give `table` or `sql`, not both"))
        elif keys & {"table", "sql"} and "connection" not in keys:
            key = "table" if "table" in keys else "sql"
            out.append(doc.error((*where, key), f"`{key}` needs `connection` (a database URL)"))
    return out
