"""Shadow check kinds: agreement, score differences, latency ratio, candidate errors."""

from __future__ import annotations

from typing import Any

from mlgate.checks import CHECKS, CheckSpec, Outcome
from mlgate.context import RunContext
from mlgate.shadow.compare import Comparison, compare, percentile, wilson


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
        "score_diff": {q: _r(percentile(diffs, v)) for q, v in (("p50", 50), ("p95", 95))},
        "primary": _side(c.primary),
        "candidate": _side(c.candidate),
    }
    out["score_diff"]["max"] = _r(max(diffs) if diffs else None)
    out["latency_ratio"] = _ratio(out["candidate"]["p50_ms"], out["primary"]["p50_ms"])
    out["latency_ratio_p95"] = _ratio(out["candidate"]["p95_ms"], out["primary"]["p95_ms"])
    return out


def _side(s: Any) -> dict[str, Any]:
    n = len(s.errors)
    lat = s.latencies_ms
    out = {
        "name": s.name,
        "errors": s.error_count(),
        "error_rate": round(s.error_count() / n, 6) if n else None,
        "p50_ms": _r(percentile(lat, 50)),
        "p95_ms": _r(percentile(lat, 95)),
    }
    if s.noise is not None:
        out["noise"] = s.noise
    return out


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 6)


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else round(a / b, 4)


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
    ok: bool, message: str, c: Comparison, spec: CheckSpec, noise: bool = False, **kw: Any
) -> Outcome:
    summary = _summary(c)
    show = int(spec.params.get("show", 10))
    return Outcome.judge(
        ok,
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
    lo, hi = wilson(k, n)
    errors = c.primary.error_count() + c.candidate.error_count()
    extra = f"; {errors} answers were errors (counted as disagreements)" if errors else ""
    return _outcome(
        n > 0 and k / n >= limit,
        f"{k} of {n} requests got the same label ({k / n:.1%}, 95% CI {lo:.1%}–{hi:.1%}; "
        f"expected >= {limit:.1%}){extra}",
        c,
        spec,
        noise=True,
        observed=round(k / n, 6) if n else None,
        expected=f">= {limit}",
    )


@CHECKS.register("shadow.max_score_diff")
def check_score_diff(spec: CheckSpec, ctx: RunContext) -> Outcome:
    c = comparison(spec, ctx)
    limits: dict[str, float] = dict(spec.params["limit"])
    diffs = c.score_diffs()
    observed = {
        "p50": _r(percentile(diffs, 50)),
        "p95": _r(percentile(diffs, 95)),
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
    s = _summary(c)
    ratio = s["latency_ratio"]
    p, q = s["primary"], s["candidate"]
    return _outcome(
        ratio is not None and ratio <= limit,
        f"median latency: candidate {q['p50_ms']:.3g} ms vs primary {p['p50_ms']:.3g} ms "
        f"(ratio {ratio}, expected <= {limit:g}; p95 {q['p95_ms']:.3g} vs {p['p95_ms']:.3g} ms)"
        if ratio is not None
        else "latency could not be measured on both sides",
        c,
        spec,
        observed=ratio,
        expected=f"<= {limit}",
    )


@CHECKS.register("shadow.max_error_rate")
def check_error_rate(spec: CheckSpec, ctx: RunContext) -> Outcome:
    c = comparison(spec, ctx)
    limit = float(spec.params["limit"])
    k, n = c.candidate.error_count(), c.n
    first = next((e for e in c.candidate.errors if e), None)
    pk = c.primary.error_count()
    return _outcome(
        n > 0 and k / n <= limit,
        f"the candidate failed {k} of {n} requests ({k / n:.1%}, expected <= {limit:.1%}); "
        f"the primary failed {pk}" + (f"; first: {first}" if first else ""),
        c,
        spec,
        observed=round(k / n, 6) if n else None,
        expected=f"<= {limit}",
    )
