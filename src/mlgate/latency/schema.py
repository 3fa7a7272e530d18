"""The keys every latency check shares: how to decide and how sure to be."""

from __future__ import annotations

from typing import Any

DECIDE_MODES = ("evidence", "estimate", "proof")

DECIDE: dict[str, Any] = {
    "enum": list(DECIDE_MODES),
    "default": "evidence",
    "description": "`evidence` fails only when "
    "the whole interval lies above the limit (a point estimate above it with an interval "
    "straddling it is a warning, inconclusive); `estimate` judges the point estimate; `proof` "
    "passes only when the whole interval lies below the limit.",
}
CONFIDENCE: dict[str, Any] = {
    "type": "number",
    "exclusiveMinimum": 0.5,
    "exclusiveMaximum": 1,
    "default": 0.95,
    "description": "The confidence of the latency intervals behind `decide`.",
}
