"""JSON Schema of one entry of `datasets:` (owned by the data family)."""

from __future__ import annotations

from typing import Any

DATASET: dict[str, Any] = {
    "type": "object",
    "description": "A named input file (or glob), relative to the folder of mlgate.yml.",
    "additionalProperties": False,
    "required": ["path"],
    "properties": {
        "path": {"type": "string", "minLength": 1, "description": "File or glob."},
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
            "description": "Stream the data in chunks of this many rows.",
        },
        "options": {
            "type": "object",
            "description": "Extra keyword arguments for the reader (e.g. {sep: ';'}).",
        },
    },
}
