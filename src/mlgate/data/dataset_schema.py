"""JSON Schema of one entry of `datasets:` (owned by the data family)."""

from __future__ import annotations

from typing import Any

from mlgate.config.schema_parts import ENGINE

DATASET: dict[str, Any] = {
    "type": "object",
    "description": "A named input file (or glob), relative to the folder of mlgate.yml.",
    "additionalProperties": False,
    "required": ["path"],
    "properties": {
        "path": {
            "type": "string",
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
            "description": "Stream the data in chunks of this many rows: memory is bounded by "
            "the chunk, not the file.",
        },
        "engine": {**ENGINE, "description": "This dataset's engine (default: `gate.engine`)."},
        "options": {
            "type": "object",
            "description": "Reader options, e.g. {sep: ';'}; csv options other than sep, "
            "encoding and quotechar make pandas read the file instead of pyarrow.",
        },
    },
}
