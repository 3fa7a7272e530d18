"""Assertion helpers for the team's own pytest tests, with the gate's semantics and messages.

Import from here: `from mlgate.testing import assert_schema, assert_invariant`. Each helper
lives with its family (`mlgate.testing.data`, `mlgate.testing.model`) and is loaded lazily, so
importing this package costs nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "assert_schema": "mlgate.testing.data",
    "assert_no_drift": "mlgate.testing.data",
    "assert_invariant": "mlgate.testing.model",
    "assert_directional": "mlgate.testing.model",
    "assert_metric": "mlgate.testing.model",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'mlgate.testing' has no attribute {name!r}")
