"""`baseline:` check kinds: this model against the base commit's model on the same rows."""

from __future__ import annotations

from typing import Any

from mlgate.checks import CHECKS, CheckSpec, Outcome
from mlgate.context import RunContext
from mlgate.model.kinds_perf import metric_of
from mlgate.model.metrics import LOWER_IS_BETTER, drop_of
from mlgate.model.paired import paired_interval
from mlgate.model.scoring import Scored, scored
from mlgate.model.stats import (
    fmt,
    interval_text,
    pct,
    rate_details,
)
from mlgate.stats.decide import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RULE,
    Rule,
    decide,
    decision_outcome,
    decision_text,
)
from mlgate.stats.intervals import wilson
from mlgate.stats.paired import Interval


def _pair(ctx: RunContext, p: dict[str, Any]) -> tuple[Scored, Scored]:
    return scored(ctx, p["model"], p["dataset"]), scored(ctx, p["base_model"], p["dataset"])


def paired_delta(ctx: RunContext, p: dict[str, Any], metric: str, confidence: float) -> Interval:
    """This model's metric minus the base model's on the same rows, with its paired interval
    (computed once per run for each model pair, dataset, metric and confidence)."""

    def compute() -> Interval:
        cur, base = _pair(ctx, p)
        metric_of(cur, metric)  # the same checks and messages as a metric (truth, kind)
        metric_of(base, metric)
        assert cur.y is not None  # metric_of said why otherwise
        keep = cur.known()
        return paired_interval(
            metric,
            cur.y[keep],
            (cur.score[keep], cur.label[keep]),
            (base.score[keep], base.label[keep]),
            cur.scorer.positive_class,
            confidence,
        )

    key = ("paired", p["model"], p["base_model"], p["dataset"], metric, confidence)
    return ctx.memo(key, compute)


@CHECKS.register("model.baseline_drop")
def check_drop(spec: CheckSpec, ctx: RunContext) -> Outcome:
    p = dict(spec.params)
    metric, allowed = p["metric"], float(p["max_drop"])
    rule: Rule = p.get("decide", DEFAULT_RULE)
    confidence = float(p.get("confidence", DEFAULT_CONFIDENCE))
    cur, base = _pair(ctx, p)
    value, base_value = metric_of(cur, metric), metric_of(base, metric)
    iv = paired_delta(ctx, p, metric, confidence)
    n = int(cur.known().sum())
    worse_up = metric in LOWER_IS_BETTER
    drop = drop_of(metric, value, base_value)
    drop_ci = [iv.low, iv.high] if worse_up else [-iv.high, -iv.low]
    sense = "lower is better" if worse_up else "higher is better"
    details: dict[str, Any] = {
        "metric": metric,
        "value": value,
        "base": base_value,
        "delta": value - base_value,
        "delta_ci": [iv.low, iv.high],
        "drop": drop,
        "drop_ci": drop_ci,
        "confidence": confidence,
        "decide": rule,
        "p_value": iv.p_value,
        "method": iv.method,
        "n": n,
        "max_drop": allowed,
        "model": p["model"],
        "base_model": p["base_model"],
        "dataset": p["dataset"],
    }
    if drop != drop:
        return Outcome.failed(
            f"{metric} is undefined on dataset {p['dataset']!r} ({n:,} rows) for "
            f"{'this' if value != value else 'the base'} model: only one class present",
            observed=None,
            expected=f"<= {fmt(allowed)}",
            details=details,
        )
    decision = decide(rule, drop, drop_ci[0], drop_ci[1], allowed, upper=True, n=n)
    details["verdict"] = decision.verdict
    details["rows_to_decide"] = decision.rows_to_decide
    verdict = f"worse by {fmt(drop)}" if drop > 0 else f"better by {fmt(-drop)}"
    if drop == 0:
        verdict = "no change"
    message = (
        f"{metric} {fmt(value)} vs base model {fmt(base_value)} on {n:,} rows: {verdict} "
        f"({interval_text(drop_ci, confidence, 'of the drop')}, {_method_text(iv)}; "
        f"{sense}; allowed drop {fmt(allowed)}) — {decision_text(rule, decision, n)}"
    )
    return decision_outcome(
        decision, message, observed=drop, expected=f"<= {fmt(allowed)}", details=details
    )


def _method_text(iv: Interval) -> str:
    if iv.p_value is None:
        return iv.method
    return f"{iv.method}, p = {iv.p_value:.2g}"


def _row_examples(cur: Scored, base: Scored, order: Any, limit: int) -> list[dict[str, Any]]:
    idx = cur.frame.index.to_numpy()
    out = []
    for i in order[:limit]:
        out.append(
            {
                "row": idx[i].item() if hasattr(idx[i], "item") else idx[i],
                "label": _plain(cur.label[i]),
                "base label": _plain(base.label[i]),
                "score": round(float(cur.score[i]), 6),
                "base score": round(float(base.score[i]), 6),
                "Δ": round(float(cur.score[i] - base.score[i]), 6),
            }
        )
    return out


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


@CHECKS.register("model.baseline_agreement")
def check_agreement(spec: CheckSpec, ctx: RunContext) -> Outcome:
    import numpy as np

    p = dict(spec.params)
    rule: Rule = p.get("decide", DEFAULT_RULE)
    confidence = float(p.get("confidence", DEFAULT_CONFIDENCE))
    cur, base = _pair(ctx, p)
    same = np.asarray(cur.label == base.label, dtype=bool)
    k, n = int(same.sum()), len(same)
    need = float(p["min_agreement"])
    rate = k / n if n else 1.0
    lo, hi = wilson(k, n, confidence)
    decision = decide(rule, rate, lo, hi, need, upper=False, n=n)
    diff = np.abs(cur.score - base.score)
    order = np.argsort(-(diff + 2.0) * ~same, kind="stable")[: n - k]
    message = (
        f"labels agree with the base model {p['base_model']!r} on {k:,} of {n:,} rows "
        f"({pct(rate)}, {interval_text([lo, hi], confidence, '', pct)} (Wilson); needed "
        f">= {pct(need)}) — {decision_text(rule, decision, n)}"
    )
    return decision_outcome(
        decision,
        message,
        observed=rate,
        expected=f">= {fmt(need)}",
        examples=_row_examples(cur, base, order, ctx.config.report.max_failures_shown),
        details={
            **rate_details(k, n),
            "ci": [lo, hi],
            "confidence": confidence,
            "decide": rule,
            "verdict": decision.verdict,
            "rows_to_decide": decision.rows_to_decide,
            "min_agreement": need,
            "base_model": p["base_model"],
        },
    )


@CHECKS.register("model.baseline_score_diff")
def check_score_diff(spec: CheckSpec, ctx: RunContext) -> Outcome:
    import numpy as np

    p = dict(spec.params)
    cur, base = _pair(ctx, p)
    diff = np.abs(cur.score - base.score)
    q = (
        {
            "p50": float(np.percentile(diff, 50)),
            "p95": float(np.percentile(diff, 95)),
            "p99": float(np.percentile(diff, 99)),
            "max": float(diff.max()),
        }
        if len(diff)
        else {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    )
    bounds = p["bounds"]
    over = [f"{k} {fmt(q[k])} > {fmt(v)}" for k, v in bounds.items() if q[k] > v]
    figures = ", ".join(f"{k} {fmt(v)}" for k, v in q.items())
    expected = ", ".join(f"{k} <= {fmt(v)}" for k, v in bounds.items())
    order = np.argsort(-diff, kind="stable")
    first = next(iter(bounds))
    message = f"|score − base score| over {len(diff):,} rows: {figures}"
    return Outcome.judge(
        not over,
        message + (f"; too far: {', '.join(over)}" if over else f" (expected {expected})"),
        observed=q[first],
        expected=expected,
        examples=_row_examples(cur, base, order, ctx.config.report.max_failures_shown),
        details={**q, "bounds": dict(bounds), "base_model": p["base_model"]},
    )
