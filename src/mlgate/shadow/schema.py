"""JSON Schema of the `shadow:` section."""

from __future__ import annotations

from typing import Any

from mlgate.api.schema import HEADERS, METHOD, PATH
from mlgate.config.schema_parts import FRACTION, SEVERITY, TIMEOUT
from mlgate.latency.schema import CONFIDENCE, DECIDE

SIDE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "A model (`model: NAME`), a running service (`url` + `path`) or the service "
    "of an `api:` entry (`api: NAME` + `path`).",
    "oneOf": [{"required": ["model"]}, {"required": ["url"]}, {"required": ["api"]}],
    "properties": {
        "model": {"type": "string", "description": "A name declared under `models:`."},
        "url": {
            "type": "string",
            "pattern": "^https?://",
            "description": "The base URL of a running service.",
        },
        "api": {"type": "string", "description": "The `name` of an `api:` entry to start."},
        "path": {**PATH, "default": "/predict"},
        "method": METHOD,
        "headers": HEADERS,
        "timeout": {
            "type": "number",
            "exclusiveMinimum": 0,
            "default": 10,
            "description": "Seconds for each whole answer (every byte); two requests in a row "
            "without one and the service counts as hung: the rest are not sent.",
        },
        "score_field": {
            "type": "string",
            "default": "score",
            "description": "The answer's field holding the score (dots for nested fields).",
        },
        "label_field": {
            "type": "string",
            "default": "label",
            "description": "The answer's field holding the label (dots for nested fields).",
        },
    },
}

ENTRY: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "primary", "candidate"],
    "oneOf": [{"required": ["traffic"]}, {"required": ["dataset"]}],
    "properties": {
        "name": {"type": "string", "description": "Names the comparison in check ids."},
        "traffic": {
            "type": "string",
            "format": "path",
            "description": "A JSONL file: one recorded request body (a JSON object) per line.",
        },
        "dataset": {
            "type": "string",
            "description": "Instead of `traffic`: a dataset whose rows are the requests.",
        },
        "rows": {
            "type": "integer",
            "minimum": 1,
            "default": 1000,
            "description": "How many recorded requests to replay (the first ones).",
        },
        "exclude": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Fields not to send (e.g. the target of a dataset).",
        },
        "primary": SIDE,
        "candidate": SIDE,
        "min_agreement": {
            **FRACTION,
            "description": "Lowest fraction of requests with the same label (an error on "
            "either side counts as a disagreement).",
        },
        "max_score_diff": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "description": "Highest absolute score differences (percentiles over requests).",
            "properties": {
                "p50": {"type": "number", "minimum": 0, "description": "Median difference."},
                "p95": {"type": "number", "minimum": 0, "description": "95th percentile."},
                "max": {"type": "number", "minimum": 0, "description": "Largest difference."},
            },
        },
        "max_latency_ratio": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "Highest candidate / primary latency ratio: both sides timed back to "
            "back on each request, alternating which goes first; the geometric mean of the median "
            "per-request ratio of either order, with a paired bootstrap interval judged by "
            "`decide`.",
        },
        "decide": {
            **DECIDE,
            "description": "How `min_agreement` and `max_error_rate` (on their Wilson "
            "intervals) and `max_latency_ratio` (on its paired interval) are judged. "
            + DECIDE["description"],
        },
        "confidence": CONFIDENCE,
        "max_error_rate": {
            **FRACTION,
            "description": "Highest fraction of requests the candidate fails to answer.",
        },
        "show": {
            "type": "integer",
            "minimum": 0,
            "default": 10,
            "description": "How many of the most disagreeing requests to list.",
        },
        "severity": SEVERITY,
        "timeout": TIMEOUT,
    },
}

SHADOW_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "Shadow tests: a candidate beside the primary on recorded traffic.",
    "items": ENTRY,
}
