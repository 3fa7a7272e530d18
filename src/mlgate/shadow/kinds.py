"""Shadow check kinds: agreement, score differences, latency ratio, candidate errors."""

from __future__ import annotations

from typing import Any

from mlgate.checks import CHECKS, CheckSpec, Outcome
from mlgate.context import RunContext
from mlgate.latency.stats import Status, decide, num, percentile, verdict_text
from mlgate.shadow.compare import Comparison, SideResult, compare
from mlgate.shadow.compare import percentile as nearest_percentile
from mlgate.stats.decide import DEFAULT_RULE, Rule, decision_text
from mlgate.stats.decide import decide as decide_rate
from mlgate.stats.intervals import wilson


def comparison(spec: CheckSpec, ctx: RunContext) -> Comparison:
    """The entry's comparison, computed once for all its checks."""
    return ctx.memo(("shadow", spec.params["shadow"]), lambda: compare(spec.params, ctx))


def _summary(c: Comparison) -> dict[str, Any]:
    k, n = c.agree(), c.n
    lo, hi = wilson(k, n)
    diffs = c.score_diffs()
    out: dict[str, Any] = {
        "requests": n,
        "agreement": {
            "k": k,
            "n": n,
            "rate": round(k / n, 6) if n else None,
            "ci95": [round(lo, 4), round(hi, 4)],
        },
        "score_diff": {q: _r(nearest_percentile(diffs, v)) for q, v in (("p50", 50), ("p95", 95))},
        "primary": _side(c.primary, c.confidence),
        "candidate": _side(c.candidate, c.confidence),
    }
    out["score_diff"]["max"] = _r(max(diffs) if diffs else None)
    ratio = c.latency_ratio
    out["latency_ratio"] = _r(ratio.point) if ratio else None
    out["latency_ratio_ci"] = [_r(ratio.low), _r(ratio.high)] if ratio else None
    out["latency_pairs"] = ratio.n if ratio else 0
    out["confidence"] = c.confidence
    if c.noise is not None:
        out["machine_noise"] = c.noise.as_dict()
    return out


def _side(s: SideResult, confidence: float) -> dict[str, Any]:
    n = len(s.errors)
    lat = s.timed()
    out: dict[str, Any] = {
        "name": s.name,
        "errors": s.error_count(),
        "error_rate": round(s.error_count() / n, 6) if n else None,
        "timed": len(lat),
    }
    for key, q in (("p50_ms", 0.5), ("p95_ms", 0.95)):
        est = percentile(lat, q, confidence) if lat else None
        out[key] = _r(est.point) if est else None
        out[f"{key}_ci"] = [_r(est.low), _r(est.high)] if est else None
    if s.not_sent:
        out["not_sent"] = s.not_sent
        out["stopped"] = s.stopped
    if s.noise is not None:
        out["noise"] = s.noise
    return out


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 6)


def _noise_note(summary: dict[str, Any]) -> str:
    noise = summary["primary"].get("noise")
    if not noise:
        return ""
    if noise["label_flips"] == 0 and noise["max_score_diff"] == 0:
        return "; the primary run twice gave identical answers (no noise)"
    return (
        f"; the primary run twice changed {noise['label_flips']} labels and scores by up to "
        f"{noise['max_score_diff']:.4g} (noise, not a real difference)"
    )


def _outcome(
    ok: bool | Status,
    message: str,
    c: Comparison,
    spec: CheckSpec,
    noise: bool = False,
    **kw: Any,
) -> Outcome:
    summary = _summary(c)
    show = int(spec.params.get("show", 10))
    status = ok if isinstance(ok, str) else ("passed" if ok else "failed")
    return Outcome(
        status,
        message + (_noise_note(summary) if noise else ""),
        examples=c.worst(show),
        details={"shadow": summary},
        **kw,
    )


@CHECKS.register("shadow.min_agreement")
def check_agreement(spec: CheckSpec, ctx: RunContext) -> Outcome:
    c = comparison(spec, ctx)
    limit = float(spec.params["limit"])
    k, n = c.agree(), c.n
    errors = c.primary.error_count() + c.candidate.error_count()
    extra = f"; {errors} answers were errors (counted as disagreements)" if errors else ""
    extra += _not_sent(c)
    status, figures, verdict = _rate_verdict(spec, c, k, limit, upper=False)
    return _outcome(
        status,
        f"{k} of {n} requests got the same label ({figures}; expected >= {limit:.1%})"
        f"{verdict}{extra}",
        c,
        spec,
        noise=True,
        observed=round(k / n, 6) if n else None,
        expected=f">= {limit}",
    )


def _rate_verdict(
    spec: CheckSpec, c: Comparison, k: int, limit: float, *, upper: bool
) -> tuple[Status, str, str]:
    """The verdict of the rate k / requests against `limit` by the entry's `decide` rule on its
    Wilson interval, the rate's figures and the verdict's words (" — inconclusive: ...");
    no request compared is a failure."""
    n = c.n
    if n == 0:
        return "failed", "no request was compared", ""
    rule: Rule = spec.params.get("decide", DEFAULT_RULE)
    lo, hi = wilson(k, n, c.confidence)
    decision = decide_rate(rule, k / n, lo, hi, limit, upper=upper, n=n)
    status: Status = "warning" if decision.verdict == "inconclusive" else decision.verdict
    figures = f"{k / n:.1%}, {c.confidence:.0%} CI {lo:.1%}–{hi:.1%}"
    words = decision_text(rule, decision, n).replace(" rows ", " requests ")
    return (
        status,
        figures,
        "" if decision.reason.startswith("the estimate is within") else f" — {words}",
    )


@CHECKS.register("shadow.max_score_diff")
def check_score_diff(spec: CheckSpec, ctx: RunContext) -> Outcome:
    c = comparison(spec, ctx)
    limits: dict[str, float] = dict(spec.params["limit"])
    diffs = c.score_diffs()
    observed = {
        "p50": _r(nearest_percentile(diffs, 50)),
        "p95": _r(nearest_percentile(diffs, 95)),
        "max": _r(max(diffs) if diffs else None),
    }
    problems = [
        f"{key} {observed[key]} > {limit:g}"
        for key, limit in limits.items()
        if observed[key] is None or observed[key] > limit  # type: ignore[operator]
    ]
    shown = ", ".join(f"{k} {v:.4g}" for k, v in observed.items() if v is not None)
    message = f"|score difference| over {len(diffs)} of {c.n} requests: {shown or 'none'}"
    if problems:
        message += f" — {'; '.join(problems)}"
    return _outcome(
        not problems and bool(diffs),
        message,
        c,
        spec,
        noise=True,
        observed={k: observed[k] for k in limits},
        expected=", ".join(f"{k} <= {v:g}" for k, v in limits.items()),
    )


@CHECKS.register("shadow.max_latency_ratio")
def check_latency_ratio(spec: CheckSpec, ctx: RunContext) -> Outcome:
    c = comparison(spec, ctx)
    limit = float(spec.params["limit"])
    mode = str(spec.params.get("decide", "evidence"))
    ratio = c.latency_ratio
    expected = f"<= {limit:g} (decide: {mode})"
    if ratio is None:
        why = [f"{s.name}: {s.stopped}" for s in (c.primary, c.candidate) if s.stopped]
        return _outcome(
            False,
            "latency could not be measured on both sides: no request was answered properly by "
            "both" + (f" ({'; '.join(why)})" if why else ""),
            c,
            spec,
            observed=None,
            expected=expected,
        )
    status = decide(ratio, limit, mode)
    p, q = _side(c.primary, c.confidence), _side(c.candidate, c.confidence)
    noise = f"; {c.noise.text()}" if c.noise is not None else ""
    return _outcome(
        status,
        f"latency ratio candidate / primary {num(ratio.point)} ({ratio.interval_text()}, "
        f"{ratio.n:,} requests timed interleaved, each side first in half; "
        f"expected <= {limit:g}, decide: {mode}): "
        f"{verdict_text(ratio, limit, mode, status, per='pairs')}; p50 candidate "
        f"{num(q['p50_ms'])} ms vs primary {num(p['p50_ms'])} ms{noise}",
        c,
        spec,
        observed=round(ratio.point, 6),
        expected=expected,
    )


def _not_sent(c: Comparison) -> str:
    """'; the candidate stopped: the service stopped answering (...): 28 of 30 not sent'."""
    return "".join(
        f"; the {role} stopped, {s.stopped}: {s.not_sent:,} of {c.n:,} requests not sent"
        for role, s in (("primary", c.primary), ("candidate", c.candidate))
        if s.not_sent
    )


@CHECKS.register("shadow.max_error_rate")
def check_error_rate(spec: CheckSpec, ctx: RunContext) -> Outcome:
    c = comparison(spec, ctx)
    limit = float(spec.params["limit"])
    k, n = c.candidate.error_count(), c.n
    first = next((e for e in c.candidate.errors if e), None)
    pk = c.primary.error_count()
    status, figures, verdict = _rate_verdict(spec, c, k, limit, upper=True)
    return _outcome(
        status,
        f"the candidate failed {k} of {n} requests ({figures}; expected <= {limit:.1%})"
        f"{verdict}; the primary failed {pk}"
        + (f"; first: {first}" if first else "")
        + _not_sent(c),
        c,
        spec,
        observed=round(k / n, 6) if n else None,
        expected=f"<= {limit}",
    )
