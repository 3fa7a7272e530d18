"""JSON Schema fragments of the keys that choose how a comparison decides (cheap to import)."""

from __future__ import annotations

from typing import Any

from mlgate.stats.decide import DEFAULT_CONFIDENCE, DEFAULT_RULE, RULES
from mlgate.stats.multitest import CORRECTIONS

DECIDE: dict[str, Any] = {
    "enum": list(RULES),
    "default": DEFAULT_RULE,
    "description": "How the interval decides: evidence (fail only when the whole interval is "
    "past the limit; past it by the estimate alone is a warning, inconclusive), estimate "
    "(judge the point estimate), proof (pass only when the whole interval is within the limit).",
}
CONFIDENCE: dict[str, Any] = {
    "type": "number",
    "exclusiveMinimum": 0.5,
    "exclusiveMaximum": 1,
    "default": DEFAULT_CONFIDENCE,
    "description": "Confidence level of the intervals behind `decide`.",
}
CORRECTION: dict[str, Any] = {
    "enum": list(CORRECTIONS),
    "default": "holm",
    "description": "Multiple-testing correction of the p-values (ks, chi2) across the suite's "
    "drift checks: holm (family-wise), bh (Benjamini-Hochberg, false discovery rate) or none.",
}
