"""Schema pieces shared by the core and the families."""

from __future__ import annotations

from typing import Any

from mlgate.runner.budget import DEFAULT_CHECK_TIMEOUT, DEFAULT_GATE_TIMEOUT, MAX_TIMEOUT

SEVERITY: dict[str, Any] = {
    "enum": ["error", "warning"],
    "description": "`warning`: reported, but fails the gate only with fail_on: warning.",
}
FRACTION: dict[str, Any] = {"type": "number", "minimum": 0, "maximum": 1}
NAME: dict[str, Any] = {"type": "string", "pattern": r"^[A-Za-z0-9_.\-]+$"}
TIMEOUT: dict[str, Any] = {
    "type": "number",
    "exclusiveMinimum": 0,
    "maximum": int(MAX_TIMEOUT),
    "default": int(DEFAULT_CHECK_TIMEOUT),
    "description": "Wall-clock budget of each check of this entry, in seconds; a check still "
    "running then is an `error` naming the budget, and the other checks still run.",
}
GATE_TIMEOUT: dict[str, Any] = {
    "type": "number",
    "exclusiveMinimum": 0,
    "maximum": int(MAX_TIMEOUT),
    "default": int(DEFAULT_GATE_TIMEOUT),
    "description": "Wall-clock budget of the whole run, in seconds; checks not finished then "
    'are `error` ("not run: gate.timeout of N s reached") and the report is written.',
}
ENGINE: dict[str, Any] = {
    "enum": ["duckdb", "pandas"],
    "description": "Where data checks compute: `duckdb` (default for files: SQL over the files "
    "in place, out of core) or `pandas` (in memory). Verdicts are the same on both.",
}
