"""JSON Schema of the `model:` section: one entry per model under test."""

from __future__ import annotations

from typing import Any

from mlgate.config.schema_parts import FRACTION, SEVERITY, TIMEOUT
from mlgate.stats.schema import CONFIDENCE, DECIDE

METRIC_NAMES = [
    "accuracy",
    "balanced_accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "average_precision",
    "log_loss",
    "brier",
    "mae",
    "rmse",
    "r2",
    "mape",
]
NUMBER: dict[str, Any] = {"type": "number"}
SCALAR: dict[str, Any] = {"type": ["string", "number", "integer", "boolean", "null"]}
MIN_ROWS: dict[str, Any] = {
    "type": "integer",
    "minimum": 1,
    "default": 30,
    "description": "Groups with fewer rows are reported, not judged.",
}
SAMPLE: dict[str, Any] = {
    "type": "integer",
    "minimum": 1,
    "description": "Test at most this many rows (a seeded random sample); default: all rows.",
}


def _obj(properties: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "properties": properties, **kw}


BOUNDS = _obj(
    {
        "min": {**NUMBER, "description": "Inclusive lower bound."},
        "max": {**NUMBER, "description": "Inclusive upper bound."},
        "severity": SEVERITY,
    },
    minProperties=1,
)
METRIC_LIST = ", ".join(METRIC_NAMES)
METRIC_KEYS: dict[str, Any] = {"enum": METRIC_NAMES}
METRIC_BOUNDS: dict[str, Any] = {
    "type": "object",
    "propertyNames": METRIC_KEYS,
    "additionalProperties": BOUNDS,
    "description": f"Metric name ({METRIC_LIST}) -> {{min: }} and/or {{max: }}.",
}


def _per_metric(description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "propertyNames": METRIC_KEYS,
        "additionalProperties": {**NUMBER, "minimum": 0},
        "description": description,
    }


GROUP_DECIDE: dict[str, Any] = {
    **DECIDE,
    "default": "estimate",
    "description": "How each slice's (or the gap's, the measure's) interval decides: estimate "
    "(default: the point estimate), evidence (fail only when the whole interval is past the "
    "bound; past it by the estimate alone is a warning), proof (pass only when the whole "
    "interval is within).",
}
BINS: dict[str, Any] = {
    "oneOf": [
        {"type": "array", "items": NUMBER, "minItems": 2, "description": "Bin edges, [lo, hi)."},
        {"type": "integer", "minimum": 2, "description": "This many quantile bins."},
    ],
    "description": "Cut a numeric column into bins (edges, or a number of quantile bins).",
}
SLICE = _obj(
    {
        "name": {"type": "string", "description": "Names the check in its id."},
        "by": {"type": "string", "description": "The column whose groups are the slices."},
        "bins": BINS,
        "metrics": METRIC_BOUNDS,
        "max_gap": _per_metric(
            "Metric name -> largest allowed gap between the best and the worst judged slice."
        ),
        "min_rows": MIN_ROWS,
        "decide": GROUP_DECIDE,
        "confidence": CONFIDENCE,
        "severity": SEVERITY,
    },
    required=["by"],
)
FAIRNESS = _obj(
    {
        "name": {"type": "string", "description": "Names the check in its id."},
        "protected": {"type": "string", "description": "The protected attribute's column."},
        "bins": BINS,
        "demographic_parity_difference": {
            **BOUNDS,
            "description": "Largest minus smallest positive-label rate across groups.",
        },
        "equalized_odds_difference": {
            **BOUNDS,
            "description": "Largest gap across groups of the true- or false-positive rate.",
        },
        "disparate_impact_ratio": {
            **BOUNDS,
            "description": "Smallest over largest positive-label rate across groups "
            "(e.g. min: 0.8).",
        },
        "min_rows": MIN_ROWS,
        "decide": GROUP_DECIDE,
        "confidence": CONFIDENCE,
        "severity": SEVERITY,
    },
    required=["protected"],
)
NOISE = _obj(
    {
        "relative": {**NUMBER, "exclusiveMinimum": 0, "description": "sd = this x |value|."},
        "absolute": {**NUMBER, "exclusiveMinimum": 0, "description": "sd = this."},
        "seed": {"type": "integer", "default": 0},
    },
    description="Gaussian noise; integer columns stay integers.",
    oneOf=[{"required": ["relative"]}, {"required": ["absolute"]}],
)
INVARIANCE = _obj(
    {
        "name": {"type": "string", "description": "Names the check in its id."},
        "feature": {"type": "string", "description": "The column that is changed."},
        "values": {
            "type": "array",
            "items": SCALAR,
            "minItems": 1,
            "description": "Every row is tried with every other value of this list.",
        },
        "noise": NOISE,
        "tolerance": {
            **NUMBER,
            "minimum": 0,
            "default": 0,
            "description": "A row fails when its score moves by more than this.",
        },
        "max_fail_rate": {**FRACTION, "default": 0, "description": "Tolerated failing share."},
        "sample": SAMPLE,
        "severity": SEVERITY,
    },
    required=["feature"],
    oneOf=[{"required": ["values"]}, {"required": ["noise"]}],
)
CHANGE = _obj(
    {
        "add": {**NUMBER, "description": "Add this to the (numeric) feature."},
        "multiply": {**NUMBER, "description": "Multiply the (numeric) feature by this."},
        "set": {**SCALAR, "description": "Set the feature to this value."},
    },
    minProperties=1,
    maxProperties=1,
    description="How the feature is changed: add, multiply or set.",
)
DIRECTIONAL = _obj(
    {
        "name": {"type": "string", "description": "Names the check in its id."},
        "feature": {"type": "string", "description": "The column that is changed."},
        "change": CHANGE,
        "expect": {
            "enum": ["increase", "decrease", "no_increase", "no_decrease"],
            "description": "How the score must move.",
        },
        "tolerance": {
            **NUMBER,
            "minimum": 0,
            "default": 0,
            "description": "increase/decrease: the score must move by more than this; "
            "no_increase/no_decrease: a move the wrong way up to this is forgiven.",
        },
        "max_fail_rate": {**FRACTION, "default": 0},
        "saturation": {
            **FRACTION,
            "default": 0.01,
            "description": "Probability scores within this of 1 (increase) or 0 (decrease) "
            "cannot move the expected way: such rows are reported apart, not judged.",
        },
        "sample": SAMPLE,
        "severity": SEVERITY,
    },
    required=["feature", "change", "expect"],
)
CASE = _obj(
    {
        "name": {"type": "string", "description": "Names the check in its id."},
        "input": {
            "type": "object",
            "description": "Feature values; features left out take the dataset's typical "
            "value (median, or the most frequent).",
        },
        "expect": _obj(
            {
                "label": {**SCALAR, "description": "The expected `predict` label."},
                "score": _obj(
                    {"min": BOUNDS["properties"]["min"], "max": BOUNDS["properties"]["max"]},
                    minProperties=1,
                    description="Bounds on the score.",
                ),
            },
            minProperties=1,
            description="What the model must answer: `label` and/or `score` bounds.",
        ),
        "severity": SEVERITY,
    },
    required=["input", "expect"],
)
BASELINE = _obj(
    {
        "model": {"type": "string", "description": "The base model (usually `ref: base`)."},
        "max_drop": _per_metric(
            "Metric name -> largest allowed worsening against the base model (for log_loss, "
            "brier, mae, rmse, mape: a rise)."
        ),
        "min_agreement": {
            **FRACTION,
            "description": "Share of rows with the same label (judged on its Wilson interval).",
        },
        "score_diff": _obj(
            {
                "p50": {**NUMBER, "minimum": 0, "description": "Bound on the median."},
                "p95": {**NUMBER, "minimum": 0, "description": "Bound on the 95th percentile."},
                "p99": {**NUMBER, "minimum": 0, "description": "Bound on the 99th percentile."},
                "max": {**NUMBER, "minimum": 0, "description": "Bound on the largest."},
            },
            minProperties=1,
            description="Bounds on quantiles of |score - base score| over the rows.",
        ),
        "decide": DECIDE,
        "confidence": CONFIDENCE,
        "severity": SEVERITY,
    },
    required=["model"],
    description="Against the model as of the PR's base commit.",
)
LATENCY = _obj(
    {
        "rows": {"type": "integer", "minimum": 1, "default": 1, "description": "Rows per call."},
        "calls": {"type": "integer", "minimum": 1, "default": 100},
        "warmup": {"type": "integer", "minimum": 0, "default": 5},
        "p50_ms": {**NUMBER, "exclusiveMinimum": 0, "description": "Bound on the median, ms."},
        "p95_ms": {**NUMBER, "exclusiveMinimum": 0, "description": "Bound on p95, ms."},
        "p99_ms": {**NUMBER, "exclusiveMinimum": 0, "description": "Bound on p99, ms."},
        "relative_to": {
            "type": "string",
            "description": "Another declared model (typically the `ref: base` one) timed "
            "interleaved with this one on the same rows; with `max_ratio`. Recommended on "
            "shared runners: a busy machine slows both alike.",
        },
        "max_ratio": {
            **NUMBER,
            "exclusiveMinimum": 0,
            "description": "Highest ratio of this model's predict time to `relative_to`'s "
            "(per-call ratios, either model going first in half of the calls, with a paired "
            "bootstrap interval).",
        },
        "decide": {
            **DECIDE,
            "description": "How the budgets and `max_ratio` are judged on their intervals: "
            + DECIDE["description"],
        },
        "confidence": CONFIDENCE,
        "severity": SEVERITY,
    },
    dependentRequired={"relative_to": ["max_ratio"], "max_ratio": ["relative_to"]},
    description="predict() time per call, after a warm-up: each percentile with its "
    "distribution-free interval, or the ratio to another model timed interleaved.",
)
ENTRY = _obj(
    {
        "name": {"type": "string", "description": "Names the entry in check ids (default: model)."},
        "model": {"type": "string", "description": "A model declared under `models:`."},
        "dataset": {"type": "string", "description": "A dataset declared under `datasets:`."},
        "severity": SEVERITY,
        "metrics": METRIC_BOUNDS,
        "slices": {
            "type": "array",
            "items": SLICE,
            "description": "The metrics on each group of a column (or bin of a numeric one).",
        },
        "fairness": {
            "type": "array",
            "items": FAIRNESS,
            "description": "Group fairness of the predicted labels across a protected attribute.",
        },
        "invariance": {
            "type": "array",
            "items": INVARIANCE,
            "description": "Changing this feature must not move the score.",
        },
        "directional": {
            "type": "array",
            "items": DIRECTIONAL,
            "description": "Changing this feature must move the score this way.",
        },
        "cases": {
            "type": "array",
            "items": CASE,
            "description": "Minimum functionality: fixed inputs, fixed expectations.",
        },
        "baseline": BASELINE,
        "latency": LATENCY,
        "timeout": TIMEOUT,
    },
    required=["model"],
)
MODEL_SECTION: dict[str, Any] = {
    "type": "array",
    "description": "Model behaviour: one entry per model under test.",
    "items": ENTRY,
}
DEFINITIONS: dict[str, Any] = {}
