"""`baseline:` check kinds: this model against the base commit's model on the same rows."""

from __future__ import annotations

from typing import Any

from mlgate.checks import CHECKS, CheckSpec, Outcome
from mlgate.context import RunContext
from mlgate.model.kinds_perf import metric_of
from mlgate.model.metrics import LOWER_IS_BETTER, drop_of
from mlgate.model.scoring import Scored, scored
from mlgate.model.stats import fmt, pct, rate_details, rate_text


def _pair(ctx: RunContext, p: dict[str, Any]) -> tuple[Scored, Scored]:
    return scored(ctx, p["model"], p["dataset"]), scored(ctx, p["base_model"], p["dataset"])


@CHECKS.register("model.baseline_drop")
def check_drop(spec: CheckSpec, ctx: RunContext) -> Outcome:
    p = dict(spec.params)
    cur, base = _pair(ctx, p)
    metric, allowed = p["metric"], float(p["max_drop"])
    value, base_value = metric_of(cur, metric), metric_of(base, metric)
    drop = drop_of(metric, value, base_value)
    sense = "lower is better" if metric in LOWER_IS_BETTER else "higher is better"
    details = {
        "metric": metric,
        "value": value,
        "base": base_value,
        "delta": value - base_value,
        "drop": drop,
        "model": p["model"],
        "base_model": p["base_model"],
        "dataset": p["dataset"],
    }
    verdict = f"worse by {fmt(drop)}" if drop > 0 else f"better by {fmt(-drop)}"
    return Outcome.judge(
        drop <= allowed,
        f"{metric} {fmt(value)} vs base model {fmt(base_value)}: {verdict} "
        f"({sense}; allowed drop {fmt(allowed)})",
        observed=drop,
        expected=f"<= {fmt(allowed)}",
        details=details,
    )


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
    cur, base = _pair(ctx, p)
    same = np.asarray(cur.label == base.label, dtype=bool)
    k, n = int(same.sum()), len(same)
    need = float(p["min_agreement"])
    rate = k / n if n else 1.0
    diff = np.abs(cur.score - base.score)
    order = np.argsort(-(diff + 2.0) * ~same, kind="stable")[: n - k]
    return Outcome.judge(
        rate >= need,
        f"labels agree with the base model {p['base_model']!r} on "
        f"{rate_text(k, n, 'rows', f'needed >= {pct(need)}')}",
        observed=rate,
        expected=f">= {fmt(need)}",
        examples=_row_examples(cur, base, order, ctx.config.report.max_failures_shown),
        details={**rate_details(k, n), "min_agreement": need, "base_model": p["base_model"]},
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
