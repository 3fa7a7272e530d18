"""`metrics:`, `slices:` and `fairness:` check kinds: rates and metrics over many rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlgate.checks import CHECKS, CheckSpec, Outcome
from mlgate.context import RunContext, SkipCheck
from mlgate.errors import CheckError, MlgateError
from mlgate.model.groups import group_labels
from mlgate.model.metrics import (
    LABEL_METRICS,
    REGRESSION_METRICS,
    SCORE_METRICS,
    compute_metric,
)
from mlgate.model.scoring import Scored, scored
from mlgate.model.stats import bounds_text, fmt, pct, rate_details, wilson, within

if TYPE_CHECKING:
    import numpy as np

DEFAULT_MIN_ROWS = 30


def metric_of(s: Scored, metric: str, rows: np.ndarray | None = None) -> float:
    """`metric` of a scored dataset (or of the rows selected by the boolean mask `rows`);
    rows whose truth is missing are left out."""
    if s.y is None:
        raise CheckError(
            f"`{metric}` compares with the truth: "
            + (s.no_truth or f"set `target:` on model {s.scorer.name!r}")
        )
    if metric in LABEL_METRICS + SCORE_METRICS and not s.is_classifier:
        raise CheckError(f"`{metric}` needs a classifier; model {s.scorer.name!r} is a regressor")
    if metric in REGRESSION_METRICS and s.scorer.is_classifier:
        raise CheckError(
            f"`{metric}` is a regression metric; model {s.scorer.name!r} is a classifier "
            f"(classification metrics: {', '.join(LABEL_METRICS + SCORE_METRICS)})"
        )
    keep = s.known() if rows is None else rows & s.known()
    return compute_metric(metric, s.y[keep], s.score[keep], s.label[keep], s.scorer.positive_class)


def missing_truth_note(s: Scored) -> str:
    """'; 21 rows with a missing `target` left out' (or nothing)."""
    if s.y is None:
        return ""
    missing = int(len(s.y) - s.known().sum())
    if not missing:
        return ""
    return f"; {missing:,} rows with a missing `{s.scorer.target}` left out"


def base_metric(ctx: RunContext, p: dict[str, Any]) -> tuple[float | None, str]:
    """The base model's value of the metric (when `baseline:` is set), or None and why not."""
    if not p.get("base_model"):
        return None, ""
    try:
        value = metric_of(scored(ctx, p["base_model"], p["dataset"]), p["metric"])
    except (SkipCheck, MlgateError) as exc:
        return None, str(exc)
    return (None if value != value else value), ""


@CHECKS.register("model.metric")
def check_metric(spec: CheckSpec, ctx: RunContext) -> Outcome:
    p = dict(spec.params)
    s = scored(ctx, p["model"], p["dataset"])
    metric = p["metric"]
    value = metric_of(s, metric)
    lo, hi = p.get("min"), p.get("max")
    expected = bounds_text(lo, hi)
    base, why = base_metric(ctx, p)
    n = int(s.known().sum())
    details: dict[str, Any] = {
        "metric": metric,
        "value": value,
        "base": base,
        "delta": (value - base) if base is not None else None,
        "model": p["model"],
        "dataset": p["dataset"],
        "n": n,
    }
    if why:
        details["base_note"] = why
    if base is not None:
        details.update(_delta_interval(ctx, p))
    tail = ""
    if base is not None:
        tail = f"; base model {fmt(base)} (Δ {value - base:+.4g})"
    tail += missing_truth_note(s)
    if value != value:
        return Outcome.failed(
            f"{metric} is undefined on dataset {p['dataset']!r} ({n:,} rows): "
            "only one class present" + missing_truth_note(s),
            observed=None,
            expected=expected,
            details=details,
        )
    ok = within(value, lo, hi)
    return Outcome.judge(
        ok,
        f"{metric} {fmt(value)} on {n:,} rows of {p['dataset']!r} (expected {expected}){tail}",
        observed=value,
        expected=expected,
        examples=[] if ok else worst_rows(s, ctx.config.report.max_failures_shown),
        details=details,
    )


def _delta_interval(ctx: RunContext, p: dict[str, Any]) -> dict[str, Any]:
    """The paired interval of (this model - the base model) for the report's table."""
    from mlgate.model.kinds_compare import paired_delta
    from mlgate.stats.decide import DEFAULT_CONFIDENCE

    try:
        iv = paired_delta(ctx, p, p["metric"], DEFAULT_CONFIDENCE)
    except (SkipCheck, MlgateError):
        return {}
    return {"delta_ci": [iv.low, iv.high], "confidence": DEFAULT_CONFIDENCE}


def worst_rows(s: Scored, limit: int) -> list[dict[str, Any]]:
    """The rows the model gets most wrong: truth, score and label, largest error first."""
    import numpy as np

    if s.y is None or not len(s.score):
        return []
    known = s.known()
    if s.is_classifier:
        err = np.abs(s.y_binary() - s.score)
    else:
        try:
            err = np.abs(np.where(known, s.y, np.nan).astype(float) - s.score)
        except (TypeError, ValueError):
            return []
    err = np.where(known & ~np.isnan(err), err, -1.0)
    order = np.argsort(-err, kind="stable")[: min(limit, int((err >= 0).sum()))]
    idx = s.frame.index
    return [
        {
            "row": _plain(idx[i]),
            "truth": _plain(s.y[i]),
            "score": round(float(s.score[i]), 6),
            "label": _plain(s.label[i]),
            "error": round(float(err[i]), 6),
        }
        for i in order
    ]


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


def _slices(ctx: RunContext, p: dict[str, Any]) -> list[dict[str, Any]]:
    """Every slice with its size and the metric's value; `judged` when big enough and defined."""
    s = scored(ctx, p["model"], p["dataset"])
    names, order = group_labels(s.frame, p["by"], p.get("bins"))
    min_rows = int(p.get("min_rows", DEFAULT_MIN_ROWS))
    known = s.known() if s.y is not None else True
    out = []
    for g in order:
        rows = names == g
        n = int((rows & known).sum())
        value = metric_of(s, p["metric"], rows) if n >= min_rows else float("nan")
        out.append(
            {
                "slice": g,
                "rows": n,
                "value": None if value != value else value,
                "judged": n >= min_rows and value == value,
                "note": "" if n >= min_rows else f"fewer than {min_rows} rows",
            }
        )
    for r in out:
        if not r["note"] and not r["judged"]:
            r["note"] = "undefined (one class)"
    return out


@CHECKS.register("model.slice")
def check_slice(spec: CheckSpec, ctx: RunContext) -> Outcome:
    p = dict(spec.params)
    metric, by = p["metric"], p["by"]
    lo, hi = p["bounds"].get("min"), p["bounds"].get("max")
    expected = bounds_text(lo, hi)
    rows = _slices(ctx, p)
    judged = [r for r in rows if r["judged"]]
    bad = [r for r in judged if not within(r["value"], lo, hi)]
    unjudged = [r for r in rows if not r["judged"]]
    extra = ""
    if unjudged:
        extra = "; not judged: " + ", ".join(
            f"{r['slice']} ({r['rows']:,} rows, {r['note']})" for r in unjudged
        )
    details = {"by": by, "metric": metric, "slices": rows, "model": p["model"]}
    examples = [
        {
            "slice": r["slice"],
            "rows": r["rows"],
            metric: r["value"],
            "verdict": ("ok" if within(r["value"], lo, hi) else "out of bounds")
            if r["judged"]
            else r["note"],
        }
        for r in rows
    ]
    if not judged:
        return Outcome.skipped(
            f"no slice of `{by}` is big enough to judge {metric}{extra}", details=details
        )
    if bad:
        worst = ", ".join(f"{r['slice']} {fmt(r['value'])} ({r['rows']:,} rows)" for r in bad)
        return Outcome.failed(
            f"{metric} is outside {expected} on {len(bad)} of {len(judged)} slices of `{by}`: "
            f"{worst}{extra}",
            observed=min(r["value"] for r in bad)
            if lo is not None
            else max(r["value"] for r in bad),
            expected=expected,
            examples=examples,
            details=details,
        )
    low = min(judged, key=lambda r: r["value"])
    return Outcome.passed(
        f"{metric} {expected} on all {len(judged)} judged slices of `{by}` (lowest {low['slice']} "
        f"{fmt(low['value'])}, {low['rows']:,} rows){extra}",
        observed=low["value"],
        expected=expected,
        examples=examples,
        details=details,
    )


@CHECKS.register("model.slice_gap")
def check_slice_gap(spec: CheckSpec, ctx: RunContext) -> Outcome:
    p = dict(spec.params)
    metric, by, allowed = p["metric"], p["by"], p["max_gap"]
    rows = _slices(ctx, p)
    judged = [r for r in rows if r["judged"]]
    details = {"by": by, "metric": metric, "slices": rows, "model": p["model"]}
    if len(judged) < 2:
        return Outcome.skipped(
            f"fewer than 2 slices of `{by}` are big enough to compare {metric}", details=details
        )
    best = max(judged, key=lambda r: r["value"])
    worst = min(judged, key=lambda r: r["value"])
    gap = best["value"] - worst["value"]
    examples = [{"slice": r["slice"], "rows": r["rows"], metric: r["value"]} for r in judged]
    return Outcome.judge(
        gap <= allowed,
        f"{metric} gap between slices of `{by}`: {fmt(gap)} ({best['slice']} {fmt(best['value'])} "
        f"vs {worst['slice']} {fmt(worst['value'])}; allowed {fmt(allowed)})",
        observed=gap,
        expected=f"<= {fmt(allowed)}",
        examples=examples,
        details={**details, "gap": gap},
    )


MEASURE_TEXT = {
    "demographic_parity_difference": "demographic parity difference",
    "equalized_odds_difference": "equalized odds difference",
    "disparate_impact_ratio": "disparate impact ratio",
}


def group_rates(
    s: Scored, names: np.ndarray, order: list[str], min_rows: int
) -> list[dict[str, Any]]:
    """Per group: positive-label rate (k of n, Wilson CI), and TPR/FPR when the truth is known."""
    lab = s.label_binary()
    yb = s.y_binary() if s.y is not None else None
    known = s.known()
    out = []
    for g in order:
        rows = names == g
        n = int(rows.sum())
        k = int(lab[rows].sum())
        r: dict[str, Any] = {"group": g, "rows": n, "positive": k, **rate_details(k, n)}
        if yb is not None:
            pos, neg = rows & known & (yb == 1), rows & known & (yb == 0)
            r["tpr"] = float(lab[pos].mean()) if pos.any() else None
            r["fpr"] = float(lab[neg].mean()) if neg.any() else None
        r["judged"] = n >= min_rows
        out.append(r)
    return out


@CHECKS.register("model.fairness")
def check_fairness(spec: CheckSpec, ctx: RunContext) -> Outcome:
    p = dict(spec.params)
    measure, attr = p["measure"], p["protected"]
    s = scored(ctx, p["model"], p["dataset"])
    if not s.is_classifier:
        raise CheckError(
            f"fairness measures need a classifier; model {p['model']!r} is a regressor"
        )
    names, order = group_labels(s.frame, attr, p.get("bins"))
    min_rows = int(p.get("min_rows", DEFAULT_MIN_ROWS))
    groups = group_rates(s, names, order, min_rows)
    judged = [g for g in groups if g["judged"]]
    lo, hi = p["bounds"].get("min"), p["bounds"].get("max")
    expected = bounds_text(lo, hi)
    small = [g for g in groups if not g["judged"]]
    extra = ""
    if small:
        extra = f"; not judged (fewer than {min_rows} rows): " + ", ".join(
            f"{g['group']} ({g['rows']:,})" for g in small
        )
    details: dict[str, Any] = {"protected": attr, "measure": measure, "groups": groups}
    if len(judged) < 2:
        return Outcome.skipped(
            f"fewer than 2 groups of `{attr}` have {min_rows}+ rows{extra}", details=details
        )
    examples = []
    for g in groups:
        lo_ci, hi_ci = wilson(g["positive"], g["rows"])
        row = {
            "group": g["group"],
            "rows": g["rows"],
            "positive labels": f"{g['positive']:,} ({pct(g['rate'] or 0)})",
            "95% CI": f"{pct(lo_ci)}–{pct(hi_ci)}",
        }
        if "tpr" in g:
            row["TPR"] = None if g["tpr"] is None else round(g["tpr"], 4)
            row["FPR"] = None if g["fpr"] is None else round(g["fpr"], 4)
        examples.append(row)
    rates = {g["group"]: g["rate"] for g in judged}
    hi_g = max(rates, key=lambda k: rates[k])
    lo_g = min(rates, key=lambda k: rates[k])
    if measure == "demographic_parity_difference":
        value = rates[hi_g] - rates[lo_g]
        why = f"{hi_g} {pct(rates[hi_g])} vs {lo_g} {pct(rates[lo_g])} positive labels"
    elif measure == "disparate_impact_ratio":
        value = rates[lo_g] / rates[hi_g] if rates[hi_g] else float("nan")
        why = f"{lo_g} {pct(rates[lo_g])} / {hi_g} {pct(rates[hi_g])} positive labels"
    else:
        if s.y is None:
            raise CheckError(
                "equalized_odds_difference compares with the truth: "
                + (s.no_truth or f"set `target:` on model {s.scorer.name!r}")
            )
        gaps = {}
        for key in ("tpr", "fpr"):
            vals = {g["group"]: g[key] for g in judged if g[key] is not None}
            if len(vals) >= 2:
                top, bottom = max(vals, key=lambda k: vals[k]), min(vals, key=lambda k: vals[k])
                gaps[key] = (vals[top] - vals[bottom], top, bottom, vals[top], vals[bottom])
        if not gaps:
            raise CheckError(f"no two groups of `{attr}` have both classes of the target")
        key = max(gaps, key=lambda k: gaps[k][0])
        value, top, bottom, vt, vb = gaps[key]
        why = f"{key.upper()} {top} {pct(vt)} vs {bottom} {pct(vb)}"
    details["value"] = value
    return Outcome.judge(
        within(value, lo, hi),
        f"{MEASURE_TEXT[measure]} across `{attr}`: {fmt(value)} ({why}; "
        f"expected {expected}){extra}",
        observed=value,
        expected=expected,
        examples=examples,
        details=details,
    )
