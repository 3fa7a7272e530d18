"""Schema pieces shared by the core and the families."""

from __future__ import annotations

from typing import Any

SEVERITY: dict[str, Any] = {
    "enum": ["error", "warning"],
    "description": "`warning`: reported, but fails the gate only with fail_on: warning.",
}
FRACTION: dict[str, Any] = {"type": "number", "minimum": 0, "maximum": 1}
NAME: dict[str, Any] = {"type": "string", "pattern": r"^[A-Za-z0-9_.\-]+$"}
ENGINE: dict[str, Any] = {
    "enum": ["duckdb", "pandas"],
    "description": "Where data checks compute: `duckdb` (default for files: SQL over the files "
    "in place, out of core) or `pandas` (in memory). Verdicts are the same on both.",
}
