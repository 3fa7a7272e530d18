"""`latency:` of a model: predict() time per call, each percentile with its distribution-free
interval; or, with `relative_to: MODEL`, the ratio to another model timed interleaved on the
same rows (the form that holds on a shared runner). Judged by `decide` (`mlgate.latency`)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from mlgate.checks import CHECKS, CheckSpec, Outcome
from mlgate.context import RunContext
from mlgate.datasets import dataset_named
from mlgate.errors import CheckError
from mlgate.latency.measure import Noise, interleaved, pairs
from mlgate.latency.stats import (
    DEFAULT_CONFIDENCE,
    Estimate,
    Status,
    decide,
    num,
    paired_ratio,
    percentile,
    verdict_text,
    worst,
)
from mlgate.model.scoring import Scorer, predict_failure, scorer
from mlgate.model.stats import fmt

if TYPE_CHECKING:
    import pandas as pd

PERCENTILES = (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))


def _batch(ctx: RunContext, dataset: str, rows: int) -> pd.DataFrame:
    """The first `rows` rows of the dataset (repeated when it has fewer)."""
    import pandas as pd

    df = dataset_named(ctx, dataset)
    if not len(df):
        raise CheckError(f"dataset {dataset!r} is empty: no rows to time predict on")
    reps = -(-rows // len(df))
    return pd.concat([df] * reps, ignore_index=True).head(rows) if reps > 1 else df.head(rows)


def _timer(sc: Scorer, x: pd.DataFrame, dataset: str) -> Any:
    """A step timing one predict call on `x`, in ms; a model that cannot predict on `x` is a
    `CheckError` saying why (as the other checks say it), found by one call before timing."""
    try:
        sc.score_batch(x)
    except CheckError:
        raise
    except Exception as exc:
        raise CheckError(
            f"model {sc.name!r} failed to predict on dataset {dataset!r}: "
            + predict_failure(exc, sc, x)
        ) from exc

    def step(_: int) -> float:
        start = time.perf_counter()
        sc.score_batch(x)
        return (time.perf_counter() - start) * 1000

    return step


def _figure(label: str, est: Estimate) -> str:
    return f"{label} {num(est.point)} ms ({est.interval_text(' ms')})"


@CHECKS.register("model.latency")
def check_latency(spec: CheckSpec, ctx: RunContext) -> Outcome:
    p = dict(spec.params)
    rows, calls, warmup = int(p.get("rows", 1)), int(p.get("calls", 100)), int(p.get("warmup", 5))
    mode = str(p.get("decide", "evidence"))
    confidence = float(p.get("confidence", DEFAULT_CONFIDENCE))
    other = p.get("relative_to")
    raw = _batch(ctx, p["dataset"], rows)
    sc = scorer(ctx, p["model"], p["dataset"])
    mine = _timer(sc, sc.frame(raw), p["dataset"])
    theirs = None
    if other is not None:
        osc = scorer(ctx, str(other), p["dataset"])
        theirs = _timer(osc, osc.frame(raw), p["dataset"])
    noise = Noise.start()
    for i in range(warmup):
        mine(i)
        if theirs is not None:
            theirs(i)
    if theirs is None:
        times = [mine(i) for i in range(calls)]
        other_times: list[float] = []
        order: list[bool] = []
    else:
        timed = pairs(*interleaved(theirs, mine, calls))
        other_times, times, order = timed.a, timed.b, timed.a_first
    noise.finish()

    statuses: list[Status] = []
    problems: list[str] = []
    notes: list[str] = []
    figures: list[str] = []
    limits: dict[str, float] = {}
    estimates: dict[str, Any] = {}
    for label, q in PERCENTILES:
        est = percentile(times, q, confidence)
        estimates[label] = est.as_dict()
        figures.append(_figure(label, est))
        if f"{label}_ms" not in p:
            continue
        budget = float(p[f"{label}_ms"])
        limits[label] = budget
        status = decide(est, budget, mode)
        statuses.append(status)
        if status != "passed":
            why = verdict_text(est, budget, mode, status, unit=" ms", per="calls")
            (notes if status == "warning" else problems).append(
                f"{label} {num(est.point)} ms: {why}"
            )
    s = "s" if rows != 1 else ""
    head = f"predict time per call at {rows:,} row{s} over {len(times)} calls "
    head += f"(after {warmup} warm-up): {', '.join(figures)}"
    expected_parts = [f"{k} <= {fmt(v)} ms" for k, v in limits.items()]
    details: dict[str, Any] = {
        **{k: v["point"] for k, v in estimates.items()},
        "intervals": estimates,
        "rows": rows,
        "calls": calls,
        "warmup": warmup,
        "limits_ms": limits,
        "decide": mode,
        "confidence": confidence,
        "machine_noise": noise.as_dict(),
    }
    observed: Any = estimates["p95"]["point"] if "p95" in limits or not limits else None
    if limits and observed is None:
        observed = estimates[next(iter(limits))]["point"]
    if other is not None:
        max_ratio = float(p["max_ratio"])
        ratio = paired_ratio(other_times, times, confidence, a_first=order)
        status = decide(ratio, max_ratio, mode)
        statuses.append(status)
        why = verdict_text(ratio, max_ratio, mode, status, per="pairs")
        other_p50 = percentile(other_times, 0.5, confidence)
        line = (
            f"{num(ratio.point)}x model {other!r} ({ratio.interval_text()}, {ratio.n} calls "
            f"timed interleaved, each model first in half; {other!r} p50 "
            f"{num(other_p50.point)} ms): {why}"
        )
        head = f"{head}; {line}"
        if status == "failed":
            problems.append(f"slower than {max_ratio:g}x model {other!r}")
        expected_parts.append(f"<= {max_ratio:g}x model {other!r}")
        details["ratio"] = {**ratio.as_dict(), "relative_to": other, "max_ratio": max_ratio}
        observed = round(ratio.point, 6)
    final = worst([*statuses, "failed" if problems else "passed"])
    message = head
    if problems:
        message += f"; too slow: {'; '.join(problems)}"
    message += "".join(f"; {x}" for x in notes) + f"; {noise.text()}"
    expected = ", ".join(expected_parts) + f" (decide: {mode})" if expected_parts else None
    return Outcome(final, message, observed=observed, expected=expected, details=details)
