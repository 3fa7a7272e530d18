"""`metrics:`, `slices:` and `fairness:` check kinds: rates and metrics over many rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlgate.checks import CHECKS, CheckSpec, Outcome
from mlgate.context import RunContext, SkipCheck
from mlgate.errors import CheckError, MlgateError
from mlgate.model.groups import group_labels
from mlgate.model.metrics import (
    LABEL_METRICS,
    LOWER_IS_BETTER,
    REGRESSION_METRICS,
    SCORE_METRICS,
    compute_metric,
)
from mlgate.model.paired import metric_interval
from mlgate.model.scoring import Scored, scored
from mlgate.model.stats import (
    bounds_text,
    fmt,
    interval_text,
    pct,
    rate_details,
    within,
)
from mlgate.stats.decide import (
    DEFAULT_CONFIDENCE,
    Decision,
    Rule,
    decide,
    decision_outcome,
    decision_text,
)
from mlgate.stats.intervals import newcombe
from mlgate.stats.intervals import wilson as wilson_at
from mlgate.stats.paired import mover

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


def _rule(p: dict[str, Any]) -> tuple[Rule, float]:
    """The `decide` rule and `confidence` of a slice or fairness entry (default: the estimate)."""
    return p.get("decide", "estimate"), float(p.get("confidence", DEFAULT_CONFIDENCE))


def _slices(ctx: RunContext, p: dict[str, Any]) -> list[dict[str, Any]]:
    """Every slice with its size, the metric's value and interval; `judged` when big enough
    and defined."""
    s = scored(ctx, p["model"], p["dataset"])
    names, order = group_labels(s.frame, p["by"], p.get("bins"))
    min_rows = int(p.get("min_rows", DEFAULT_MIN_ROWS))
    _, confidence = _rule(p)
    known = s.known() if s.y is not None else True
    out = []
    for g in order:
        rows = names == g
        n = int((rows & known).sum())
        value = metric_of(s, p["metric"], rows) if n >= min_rows else float("nan")
        ci: list[float | None] = [None, None]
        if value == value:
            keep = rows & s.known()
            assert s.y is not None
            lo, hi = metric_interval(
                p["metric"],
                s.y[keep],
                s.score[keep],
                s.label[keep],
                s.scorer.positive_class,
                confidence,
            )
            ci = [None if lo != lo else lo, None if hi != hi else hi]
        out.append(
            {
                "slice": g,
                "rows": n,
                "value": None if value != value else value,
                "ci": ci,
                "judged": n >= min_rows and value == value,
                "note": "" if n >= min_rows else f"fewer than {min_rows} rows",
            }
        )
    for r in out:
        if not r["note"] and not r["judged"]:
            r["note"] = "undefined (one class)"
    return out


def _nan(x: float | None) -> float:
    return float("nan") if x is None else float(x)


def bounds_decision(
    rule: Rule, value: float, ci: Any, lo: float | None, hi: float | None, n: int
) -> Decision:
    """The rule against inclusive bounds `lo` / `hi`: the worse of the two verdicts."""
    low, high = _nan(ci[0]), _nan(ci[1])
    found = []
    if lo is not None:
        found.append(decide(rule, value, low, high, lo, upper=False, n=n))
    if hi is not None:
        found.append(decide(rule, value, low, high, hi, upper=True, n=n))
    rank = {"failed": 2, "inconclusive": 1, "passed": 0}
    return max(found, key=lambda d: rank[d.verdict], default=Decision("passed", "no bound"))


def _ci_text(ci: Any) -> str:
    if ci[0] is None or ci[1] is None:
        return "no interval"
    return f"{fmt(ci[0])} to {fmt(ci[1])}"


def _slice_details(p: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    rule, confidence = _rule(p)
    return {
        "by": p["by"],
        "metric": p["metric"],
        "slices": rows,
        "model": p["model"],
        "decide": rule,
        "confidence": confidence,
    }


def _beyond(value: float, lo: float | None, hi: float | None) -> float:
    """How far `value` is past the bounds (the larger overshoot when both are set)."""
    return max(
        lo - value if lo is not None else float("-inf"),
        value - hi if hi is not None else float("-inf"),
    )


def worst_slice(metric: str, judged: list[dict[str, Any]]) -> tuple[dict[str, Any], str]:
    """The slice where `metric` is worst, and the word for it: the highest error
    (mae, log_loss, …) or the lowest score (accuracy, roc_auc, r2, …)."""
    if metric in LOWER_IS_BETTER:
        return max(judged, key=lambda r: r["value"]), "highest"
    return min(judged, key=lambda r: r["value"]), "lowest"


@CHECKS.register("model.slice")
def check_slice(spec: CheckSpec, ctx: RunContext) -> Outcome:
    p = dict(spec.params)
    metric, by = p["metric"], p["by"]
    rule, confidence = _rule(p)
    lo, hi = p["bounds"].get("min"), p["bounds"].get("max")
    expected = bounds_text(lo, hi)
    rows = _slices(ctx, p)
    judged = [r for r in rows if r["judged"]]
    for r in judged:
        d = bounds_decision(rule, r["value"], r["ci"], lo, hi, r["rows"])
        r["verdict"] = d.verdict
    bad = [r for r in judged if r["verdict"] == "failed"]
    unsure = [r for r in judged if r["verdict"] == "inconclusive"]
    unjudged = [r for r in rows if not r["judged"]]
    level = f"{100 * confidence:g}% CI"
    extra = ""
    if unjudged:
        extra = "; not judged: " + ", ".join(
            f"{r['slice']} ({r['rows']:,} rows, {r['note']})" for r in unjudged
        )
    details = _slice_details(p, rows)
    words = {"passed": "ok", "failed": "out of bounds", "inconclusive": "inconclusive"}
    examples = [
        {
            "slice": r["slice"],
            "rows": r["rows"],
            metric: r["value"],
            level: _ci_text(r["ci"]) if r["judged"] else "",
            "verdict": words[r["verdict"]] if r["judged"] else r["note"],
        }
        for r in rows
    ]
    if not judged:
        return Outcome.skipped(
            f"no slice of `{by}` is big enough to judge {metric}{extra}", details=details
        )

    def listed(group: list[dict[str, Any]]) -> str:
        return ", ".join(
            f"{r['slice']} {fmt(r['value'])} ({level} {_ci_text(r['ci'])}, {r['rows']:,} rows)"
            for r in group
        )

    tail = f" (decide: {rule})" if rule != "estimate" else ""
    if bad or unsure:
        group = bad or unsure
        observed = max(group, key=lambda r: _beyond(r["value"], lo, hi))["value"]
        what = "is outside" if bad else "may be outside (inconclusive)"
        message = (
            f"{metric} {what} {expected} on {len(group)} of {len(judged)} slices of `{by}`: "
            f"{listed(group)}{tail}{extra}"
        )
        kw: dict[str, Any] = {
            "observed": observed,
            "expected": expected,
            "examples": examples,
            "details": details,
        }
        return Outcome.failed(message, **kw) if bad else Outcome.warning(message, **kw)
    worst, word = worst_slice(metric, judged)
    return Outcome.passed(
        f"{metric} {expected} on all {len(judged)} judged slices of `{by}` ({word} "
        f"{listed([worst])}){tail}{extra}",
        observed=worst["value"],
        expected=expected,
        examples=examples,
        details=details,
    )


@CHECKS.register("model.slice_gap")
def check_slice_gap(spec: CheckSpec, ctx: RunContext) -> Outcome:
    p = dict(spec.params)
    metric, by, allowed = p["metric"], p["by"], p["max_gap"]
    rule, confidence = _rule(p)
    rows = _slices(ctx, p)
    judged = [r for r in rows if r["judged"]]
    details = _slice_details(p, rows)
    if len(judged) < 2:
        return Outcome.skipped(
            f"fewer than 2 slices of `{by}` are big enough to compare {metric}", details=details
        )
    best = max(judged, key=lambda r: r["value"])
    worst = min(judged, key=lambda r: r["value"])
    gap = best["value"] - worst["value"]
    ci = list(
        mover(
            (best["value"], _nan(best["ci"][0]), _nan(best["ci"][1])),
            (worst["value"], _nan(worst["ci"][0]), _nan(worst["ci"][1])),
        )
    )
    n = min(best["rows"], worst["rows"])
    decision = decide(rule, gap, ci[0], ci[1], float(allowed), upper=True, n=n)
    details.update(gap=gap, gap_ci=ci, verdict=decision.verdict)
    level = f"{100 * confidence:g}% CI"
    examples = [
        {"slice": r["slice"], "rows": r["rows"], metric: r["value"], level: _ci_text(r["ci"])}
        for r in judged
    ]
    message = (
        f"{metric} gap between slices of `{by}`: {fmt(gap)} ({interval_text(ci, confidence)}; "
        f"{best['slice']} {fmt(best['value'])} vs {worst['slice']} {fmt(worst['value'])}; "
        f"allowed {fmt(allowed)})"
    )
    if rule != "estimate":
        message += f" — {decision_text(rule, decision, n)}"
    return decision_outcome(
        decision,
        message,
        observed=gap,
        expected=f"<= {fmt(allowed)}",
        examples=examples,
        details=details,
    )


MEASURE_TEXT = {
    "demographic_parity_difference": "demographic parity difference",
    "equalized_odds_difference": "equalized odds difference",
    "disparate_impact_ratio": "disparate impact ratio",
}


def group_rates(
    s: Scored, names: np.ndarray, order: list[str], min_rows: int
) -> list[dict[str, Any]]:
    """Per group: positive-label rate (k of n, Wilson CI), and TPR/FPR (with their counts) when
    the truth is known."""
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
            r["tpr_k"], r["tpr_n"] = int(lab[pos].sum()), int(pos.sum())
            r["fpr_k"], r["fpr_n"] = int(lab[neg].sum()), int(neg.sum())
        r["judged"] = n >= min_rows
        out.append(r)
    return out


def ratio_interval(k1: int, n1: int, k2: int, n2: int, confidence: float) -> list[float]:
    """Katz's log interval of the ratio of two independent rates (k1/n1) / (k2/n2)."""
    import math

    from mlgate.stats.intervals import z_of

    if not (k1 and k2 and n1 and n2):
        return [float("nan"), float("nan")]
    ratio = (k1 / n1) / (k2 / n2)
    se = math.sqrt(1 / k1 - 1 / n1 + 1 / k2 - 1 / n2)
    z = z_of(confidence)
    return [ratio * math.exp(-z * se), ratio * math.exp(z * se)]


@CHECKS.register("model.fairness")
def check_fairness(spec: CheckSpec, ctx: RunContext) -> Outcome:
    p = dict(spec.params)
    measure, attr = p["measure"], p["protected"]
    rule, confidence = _rule(p)
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
    details: dict[str, Any] = {
        "protected": attr,
        "measure": measure,
        "groups": groups,
        "decide": rule,
        "confidence": confidence,
    }
    if len(judged) < 2:
        return Outcome.skipped(
            f"fewer than 2 groups of `{attr}` have {min_rows}+ rows{extra}", details=details
        )
    level = f"{100 * confidence:g}% CI"
    examples = []
    for g in groups:
        lo_ci, hi_ci = wilson_at(g["positive"], g["rows"], confidence)
        row = {
            "group": g["group"],
            "rows": g["rows"],
            "positive labels": f"{g['positive']:,} ({pct(g['rate'] or 0)})",
            level: f"{pct(lo_ci)}–{pct(hi_ci)}",
        }
        if "tpr" in g:
            row["TPR"] = None if g["tpr"] is None else round(g["tpr"], 4)
            row["FPR"] = None if g["fpr"] is None else round(g["fpr"], 4)
        examples.append(row)
    by_name = {g["group"]: g for g in judged}
    rates = {g["group"]: g["rate"] for g in judged}
    hi_g = max(rates, key=lambda k: rates[k])
    lo_g = min(rates, key=lambda k: rates[k])
    top, bottom = by_name[hi_g], by_name[lo_g]
    n = min(top["rows"], bottom["rows"])
    if measure == "demographic_parity_difference":
        value = rates[hi_g] - rates[lo_g]
        ci = _rate_gap(top["positive"], top["rows"], bottom["positive"], bottom["rows"], confidence)
        why = f"{hi_g} {pct(rates[hi_g])} vs {lo_g} {pct(rates[lo_g])} positive labels"
    elif measure == "disparate_impact_ratio":
        value = rates[lo_g] / rates[hi_g] if rates[hi_g] else float("nan")
        ci = ratio_interval(
            bottom["positive"], bottom["rows"], top["positive"], top["rows"], confidence
        )
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
                t, b = max(vals, key=lambda k: vals[k]), min(vals, key=lambda k: vals[k])
                gaps[key] = (vals[t] - vals[b], t, b, vals[t], vals[b])
        if not gaps:
            raise CheckError(f"no two groups of `{attr}` have both classes of the target")
        key = max(gaps, key=lambda k: gaps[k][0])
        value, t, b, vt, vb = gaps[key]
        gt, gb = by_name[t], by_name[b]
        ci = _rate_gap(gt[f"{key}_k"], gt[f"{key}_n"], gb[f"{key}_k"], gb[f"{key}_n"], confidence)
        n = min(gt[f"{key}_n"], gb[f"{key}_n"])
        why = f"{key.upper()} {t} {pct(vt)} vs {b} {pct(vb)}"
    decision = bounds_decision(rule, value, ci, lo, hi, n)
    details.update(value=value, ci=ci, verdict=decision.verdict)
    message = (
        f"{MEASURE_TEXT[measure]} across `{attr}`: {fmt(value)} "
        f"({interval_text(ci, confidence)}; {why}; expected {expected}){extra}"
    )
    if rule != "estimate":
        message += f" — {decision_text(rule, decision, n)}"
    if value != value:
        decision = Decision("failed", "undefined")
    return decision_outcome(
        decision,
        message,
        observed=value,
        expected=expected,
        examples=examples,
        details=details,
    )


def _rate_gap(k1: int, n1: int, k2: int, n2: int, confidence: float) -> list[float]:
    """Newcombe's interval of k1/n1 - k2/n2 (independent groups)."""
    return list(newcombe(k1, n1, k2, n2, confidence))
