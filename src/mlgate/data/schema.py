"""JSON Schema of the `data:` section."""

from __future__ import annotations

from typing import Any

from mlgate.config.schema_parts import FRACTION, SEVERITY, TIMEOUT
from mlgate.data.suite import DRIFT_METHODS
from mlgate.stats.schema import CORRECTION

#: More bins than this cannot be filled by any sane reference (and would exhaust memory).
MAX_BINS = 1000

COLUMN_TYPES = ["integer", "float", "number", "string", "boolean", "category", "datetime"]

_BOUND_VALUE: dict[str, Any] = {
    "type": ["number", "string"],
    "description": "A number, a date/time (ISO 8601) or `today` (datetime columns).",
}

_STAT_BOUNDS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        "min": {"type": "number", "description": "Inclusive lower bound."},
        "max": {"type": "number", "description": "Inclusive upper bound."},
    },
}


def _stat(what: str) -> dict[str, Any]:
    return {**_STAT_BOUNDS, "description": f"Bounds on the column's {what} (missing excluded)."}


COLUMN: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "type": {"enum": COLUMN_TYPES, "description": "The column's type."},
        "nullable": {"type": "boolean", "description": "`false`: no missing values at all."},
        "max_missing": {**FRACTION, "description": "Largest tolerated fraction of missing values."},
        "min": {**_BOUND_VALUE, "description": "Every value >= min (inclusive). " + "Dates too."},
        "max": {
            **_BOUND_VALUE,
            "description": "Every value <= max (inclusive); `today` for dates.",
        },
        "allowed": {
            "type": "array",
            "minItems": 1,
            "items": {"type": ["string", "number", "boolean"]},
            "description": "The only values the column may hold (missing values aside).",
        },
        "pattern": {
            "type": "string",
            "description": "A regular expression (RE2 syntax: linear time, no lookarounds "
            "or backreferences) every value must match in full.",
        },
        "unique": {"type": "boolean", "description": "`true`: no value appears twice."},
        "mean": _stat("mean"),
        "std": _stat("standard deviation"),
        "median": _stat("median"),
        "quantiles": {
            "type": "object",
            "description": "Bounds on quantiles, keyed by the quantile: {0.95: {max: 100}}.",
            "propertyNames": {
                "pattern": r"^(0(\.[0-9]+)?|1(\.0+)?)$",
                "description": "A quantile, from 0 to 1 (0.95).",
            },
            "additionalProperties": _stat("quantile"),
        },
        "severity": SEVERITY,
    },
}

_COLUMN_LIST: dict[str, Any] = {"type": "array", "minItems": 1, "items": {"type": "string"}}

DRIFT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["reference"],
    "description": "Distribution drift of each column against a reference dataset.",
    "properties": {
        "reference": {"type": "string", "description": "A name declared under `datasets:`."},
        "columns": {
            **_COLUMN_LIST,
            "description": "One check per column. Default: the columns under `columns:`; "
            "without those, one check over every column both datasets have.",
        },
        "method": {
            "enum": list(DRIFT_METHODS),
            "description": "auto: KS / chi-square p-values below 1,000 reference rows, "
            "normalised Wasserstein / Jensen-Shannon distances above.",
        },
        "threshold": {
            "type": "number",
            "minimum": 0,
            "description": "p-value below (ks, chi2) or score above (psi, distances) = drift. "
            "Default: 0.05 for p-values, 0.2 for psi, 0.1 for distances.",
        },
        "min_rows": {
            "type": "integer",
            "minimum": 1,
            "description": "Fewer non-missing values than this on either side: skipped "
            "(insufficient data). Default 30.",
        },
        "bins": {
            "type": "integer",
            "minimum": 2,
            "maximum": MAX_BINS,
            "description": "Quantile bins of the reference for numeric columns. Default 10.",
        },
        "correction": CORRECTION,
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
            "description": "Bounds on the number of rows.",
            "properties": {
                "min": {"type": "integer", "minimum": 0, "description": "At least this many."},
                "max": {"type": "integer", "minimum": 0, "description": "At most this many."},
                "severity": SEVERITY,
            },
        },
        "strict": {
            "type": "boolean",
            "description": "`true`: a column not listed under `columns:` is an error.",
        },
        "unique": {
            "description": "A key: one column or several together ([a, b]); "
            "a list of lists gives several keys.",
            "oneOf": [
                {"type": "string"},
                {"type": "array", "minItems": 1, "items": {"type": "string"}},
                {"type": "array", "minItems": 1, "items": _COLUMN_LIST},
            ],
        },
        "duplicates": {
            "type": "object",
            "additionalProperties": False,
            "description": "Fully duplicated rows (every row after its first copy counts).",
            "properties": {
                "max": {**FRACTION, "description": "Largest tolerated fraction. Default 0."},
                "columns": {**_COLUMN_LIST, "description": "Compare only these columns."},
                "severity": SEVERITY,
            },
        },
        "columns": {
            "type": "object",
            "description": "Checks per column, keyed by the column's name.",
            "additionalProperties": COLUMN,
        },
        "rules": {
            "type": "array",
            "description": "Row conditions in pandas-eval syntax (column arithmetic and "
            "comparisons only); rows with a missing operand are not counted.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["expr"],
                "properties": {
                    "name": {"type": "string", "description": "Names the rule in check ids."},
                    "expr": {"type": "string", "description": "Must be true on every row."},
                    "max_fail": {**FRACTION, "description": "Tolerated fraction of rows."},
                    "severity": SEVERITY,
                },
            },
        },
        "drift": DRIFT,
        "timeout": TIMEOUT,
    },
}

DATA_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "Data validation: one entry per dataset suite.",
    "items": SUITE,
}
