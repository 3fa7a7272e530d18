"""JSON Schema of the `data:` section."""

from __future__ import annotations

from typing import Any

from mlgate.config.schema_parts import SEVERITY

COLUMN_TYPES = ["integer", "float", "number", "string", "boolean", "category", "datetime"]

COLUMN: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "type": {"enum": COLUMN_TYPES, "description": "The column's type."},
        "nullable": {"type": "boolean", "description": "`false`: no missing values at all."},
        "severity": SEVERITY,
    },
}

SUITE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["dataset"],
    "properties": {
        "name": {"type": "string", "description": "Names the suite in check ids."},
        "dataset": {"type": "string", "description": "A name declared under `datasets:`."},
        "severity": SEVERITY,
        "rows": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {"min": {"type": "integer", "minimum": 0}, "max": {"type": "integer"}},
        },
        "columns": {"type": "object", "additionalProperties": COLUMN},
    },
}

DATA_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "Data validation: one entry per dataset suite.",
    "items": SUITE,
}
