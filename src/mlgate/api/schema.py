"""JSON Schema of the `api:` section."""

from __future__ import annotations

from typing import Any

from mlgate.config.schema_parts import FRACTION, SEVERITY, TIMEOUT
from mlgate.latency.schema import CONFIDENCE, DECIDE

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
METHOD: dict[str, Any] = {
    "type": "string",
    "pattern": "^(" + "|".join(METHODS + [m.lower() for m in METHODS]) + ")$",
    "description": "The HTTP method (default GET, POST when a json body is given).",
}
PATH: dict[str, Any] = {
    "type": "string",
    "pattern": "^/",
    "description": "The request path, starting with /.",
}
HEADERS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {"type": ["string", "number", "boolean"]},
    "description": "Request headers.",
}
MS: dict[str, Any] = {"type": "number", "exclusiveMinimum": 0}

EXPECT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "What the answer must be; every key given is checked.",
    "properties": {
        "status": {
            "oneOf": [
                {"type": "integer", "minimum": 100, "maximum": 599},
                {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "integer", "minimum": 100, "maximum": 599},
                },
                {"type": "string", "pattern": "^[1-5]xx$"},
            ],
            "description": "The status: a code, a list of codes, or a class like `4xx`.",
        },
        "schema": {
            "type": "object",
            "description": "A JSON Schema the body must satisfy (errors name the JSON path).",
        },
        "json": {"description": "A subset the response body must contain (objects recursively)."},
        "headers": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Response headers that must be present with these values "
            "(names case-insensitive; a value `*` only requires presence).",
        },
        "max_ms": {**MS, "description": "The slowest acceptable answer, in milliseconds."},
    },
}

REQUEST_BASE: dict[str, Any] = {
    "method": METHOD,
    "path": PATH,
    "params": {
        "type": "object",
        "additionalProperties": {"type": ["string", "number", "boolean"]},
        "description": "Query parameters.",
    },
    "headers": HEADERS,
    "timeout": {
        "type": "number",
        "exclusiveMinimum": 0,
        "default": 10,
        "description": "Seconds for the whole request — connecting, sending and every byte of "
        "the answer — before it counts as a hang.",
    },
}

REQUEST: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["path"],
    "properties": {
        "name": {"type": "string", "description": "Names the request in check ids."},
        **REQUEST_BASE,
        "json": {"description": "A JSON body."},
        "body": {"type": "string", "description": "A raw body, sent as is (instead of json)."},
        "expect": EXPECT,
        "severity": SEVERITY,
    },
}

REPLAY: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["dataset", "path"],
    "description": "Send rows of a dataset as JSON payloads and judge every answer.",
    "properties": {
        "dataset": {"type": "string", "description": "A name declared under `datasets:`."},
        "rows": {
            "type": "integer",
            "minimum": 1,
            "default": 1000,
            "description": "How many rows to send (the first ones; default 1000).",
        },
        "columns": {
            "type": "array",
            "items": {"type": "string"},
            "minItems": 1,
            "description": "The fields to send (default: every column).",
        },
        "exclude": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Columns not to send (e.g. the target).",
        },
        **REQUEST_BASE,
        "expect": EXPECT,
        "max_fail_rate": {**FRACTION, "default": 0, "description": "Tolerated failing rows."},
        "severity": SEVERITY,
    },
}

ROBUSTNESS_CASES = [
    "missing",
    "wrong_type",
    "null",
    "empty_body",
    "not_json",
    "not_object",
    "wrong_content_type",
    "extra_field",
    "huge_number",
    "long_string",
    "large_body",
]

ROBUSTNESS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["path", "example"],
    "description": "Bad requests generated from one valid example: each must answer 4xx in "
    "time, never 5xx, a hang or a dropped connection.",
    "properties": {
        "method": METHOD,
        "path": PATH,
        "headers": HEADERS,
        "example": {"type": "object", "description": "One valid JSON body."},
        "timeout": {
            "type": "number",
            "exclusiveMinimum": 0,
            "default": 5,
            "description": "Seconds each whole answer may take (every byte: a trickle is a hang).",
        },
        "cases": {
            "type": "array",
            "items": {"enum": ROBUSTNESS_CASES},
            "uniqueItems": True,
            "description": "Which kinds of bad request to send (default: all).",
        },
        "optional": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Fields of the example that may be left out (a 2xx is then fine). "
            "Also read from the OpenAPI document's request schema when there is one.",
        },
        "strict": {
            "type": "boolean",
            "default": False,
            "description": "`true`: every case must answer 4xx; by default a 2xx is accepted "
            "for null, extra_field, huge_number, long_string, large_body and "
            "wrong_content_type, which a service may legitimately accept.",
        },
        "openapi": {
            "type": ["string", "boolean"],
            "default": "/openapi.json",
            "description": "Where the service publishes its OpenAPI document; answers are "
            "checked against its response schemas. `false`: do not look.",
        },
        "severity": SEVERITY,
    },
}

LATENCY: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "Load the service and measure its latency. The request is `path`/`json` "
    "here, else the entry's first request.",
    "properties": {
        **REQUEST_BASE,
        "json": {"description": "A JSON body."},
        "requests": {
            "type": "integer",
            "minimum": 1,
            "maximum": 1000000,
            "default": 200,
            "description": "Measured requests (after the warm-up).",
        },
        "warmup": {
            "type": "integer",
            "minimum": 0,
            "default": 10,
            "description": "Requests sent first and not measured.",
        },
        "concurrency": {
            "type": "integer",
            "minimum": 1,
            "maximum": 256,
            "default": 1,
            "description": "Workers, each with its own keep-alive session.",
        },
        "rate": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "Open loop: send this many requests per second whatever the "
            "answers' speed; latency counts from the scheduled send time.",
        },
        "p50_ms": {**MS, "description": "Highest acceptable median, ms (judged by `decide`)."},
        "p95_ms": {**MS, "description": "Highest acceptable 95th percentile, ms (by `decide`)."},
        "p99_ms": {**MS, "description": "Highest acceptable 99th percentile, ms (by `decide`)."},
        "max_ms": {**MS, "description": "Highest acceptable single latency, ms."},
        "decide": {
            **DECIDE,
            "description": "How the percentile budgets are judged on their distribution-free "
            "intervals (order statistics): " + DECIDE["description"],
        },
        "confidence": CONFIDENCE,
        "min_throughput": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "Lowest acceptable requests per second.",
        },
        "max_error_rate": {
            **FRACTION,
            "default": 0,
            "description": "Tolerated fraction of errors (no answer, or a status other than "
            "the expected one).",
        },
        "status": {
            "type": "integer",
            "default": 200,
            "description": "The status a successful answer has.",
        },
        "duration_limit": {
            "type": "number",
            "exclusiveMinimum": 0,
            "default": 300,
            "description": "Seconds after which the measurement stops, whatever was sent. It "
            "also stops once the errors exceed `max_error_rate` (the verdict is then certain) "
            "and, with `rate`, once the service falls 5 s behind.",
        },
        "severity": SEVERITY,
    },
}

READY: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "How to tell the service is up (polled until `timeout`).",
    "properties": {
        "path": {**PATH, "description": "Polled until it answers 2xx (default: the port opens)."},
        "timeout": {
            "type": "number",
            "exclusiveMinimum": 0,
            "default": 30,
            "description": "Seconds to wait for the service to be ready.",
        },
        "status": {"type": "integer", "description": "The status meaning ready (default: 2xx)."},
    },
}

MOCK: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["target"],
    "properties": {
        "target": {
            "type": "string",
            "pattern": r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+$",
            "description": "The dotted name replaced during the run (e.g. service.db.fetch).",
        },
        "return": {"description": "What the replacement returns."},
        "raise": {
            "type": "string",
            "description": "An exception the replacement raises: `Name: message` with a "
            "built-in exception (`TimeoutError: db down`) or a dotted class "
            "(`service.db.DatabaseUnavailableError: down`), or just a message (RuntimeError).",
        },
    },
}

ENTRY: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "description": "Names the service in check ids."},
        "start": {
            "type": "string",
            "description": "A shell command starting the service; `{port}` is a free "
            "loopback port. Run in its own process group, stopped at the end.",
        },
        "app": {
            "type": "string",
            "pattern": r"^[\w.]+:[\w.]+$",
            "description": "In-process: `module:attribute`, an ASGI or WSGI application.",
        },
        "url": {
            "type": "string",
            "pattern": "^https?://",
            "description": "The service's base URL (default with start: http://127.0.0.1:{port}).",
        },
        "cwd": {
            "type": "string",
            "format": "path",
            "description": "Folder `start` runs in and `app` is imported from "
            "(default: the config file's folder).",
        },
        "ready": READY,
        "env": {
            "type": "object",
            "additionalProperties": {"type": ["string", "number", "boolean"]},
            "description": "Environment variables for the service (`{port}` replaced).",
        },
        "mocks": {
            "type": "array",
            "items": MOCK,
            "description": "In-process only: replace a dependency during the run.",
        },
        "requests": {
            "type": "array",
            "items": REQUEST,
            "description": "Single requests, each with what its answer must be.",
        },
        "replay": REPLAY,
        "robustness": ROBUSTNESS,
        "latency": LATENCY,
        "severity": SEVERITY,
        "timeout": TIMEOUT,
    },
}

API_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "The model's HTTP service: one entry per service.",
    "items": ENTRY,
}
