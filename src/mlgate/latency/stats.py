"""Latency figures with their uncertainty, and the `decide` rule for an upper limit.

- A percentile of n timings gets a distribution-free interval from order statistics: the
  number of timings below the true q-quantile is Binomial(n, q), so ranks l < u with
  P(l <= B < u) >= confidence bound it whatever the distribution of the timings. With too few
  timings a side has no bound (e.g. p99 of 100 calls has no upper bound at 95%).
- An A-vs-B ratio comes from pairs timed back to back on the same input (so a burst of load
  lands on both), the side going first alternating: the median of the per-pair ratios b_i / a_i
  within each order, combined by their geometric mean (which cancels an effect of going first),
  with a seeded paired bootstrap interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from mlgate.stats.decide import RULES, Rule
from mlgate.stats.decide import decide as shared_decide

Status = Literal["passed", "warning", "failed"]

DEFAULT_CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20261130


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its interval; `low`/`high` are None when the data cannot bound
    that side at this confidence."""

    point: float
    low: float | None
    high: float | None
    confidence: float
    n: int

    def interval_text(self, unit: str = "") -> str:
        """'95% CI 0.41–0.57 ms'; '95% CI >= 20.2 ms (no upper bound)' for a side the data
        cannot bound."""
        head = f"{_pct(self.confidence)} CI"
        if self.low is None and self.high is None:
            return f"{head}: none ({self.n:,} timings cannot bound it)"
        if self.high is None:
            return f"{head} >= {num(self.low)}{unit} (no upper bound)"
        if self.low is None:
            return f"{head} <= {num(self.high)}{unit} (no lower bound)"
        return f"{head} {num(self.low)}–{num(self.high)}{unit}"

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "point": self.point,
            "low": self.low,
            "high": self.high,
            "confidence": self.confidence,
            "n": self.n,
        }


def num(x: float | None) -> str:
    """A latency figure or ratio in a message: 4 significant digits, 3,650 not 3.65e+03."""
    if x is None:
        return "n/a"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.4g}"


def _pct(c: float) -> str:
    return f"{100 * c:g}%"


def binomial_cdf(n: int, p: float) -> list[float]:
    """P(B <= k) for k = 0..n, B ~ Binomial(n, p), computed in log space (exact up to
    floating point for any n)."""
    if p <= 0:
        return [1.0] * (n + 1)
    if p >= 1:
        return [0.0] * n + [1.0]
    lp, lq = math.log(p), math.log1p(-p)
    lgn = math.lgamma(n + 1)
    out, total = [], 0.0
    for k in range(n + 1):
        total += math.exp(lgn - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * lp + (n - k) * lq)
        out.append(min(1.0, total))
    return out


def quantile_ranks(n: int, q: float, confidence: float) -> tuple[int | None, int | None]:
    """1-based ranks (l, u) of the order statistics bounding the q-quantile (q in 0..1) with
    at least `confidence` coverage, each side at most (1 - confidence) / 2 short; None for a
    side that n timings cannot bound."""
    alpha = (1 - confidence) / 2
    cdf = binomial_cdf(n, q)  # cdf[k] = P(B <= k), B = how many timings fall below the quantile
    low = None
    for rank in range(n, 0, -1):  # P(X_(l) > quantile) = P(B <= l - 1)
        if cdf[rank - 1] <= alpha:
            low = rank
            break
    high = None
    for rank in range(1, n + 1):  # P(X_(u) < quantile) = P(B >= u) = 1 - P(B <= u - 1)
        if 1 - cdf[rank - 1] <= alpha:
            high = rank
            break
    return low, high


def nearest_rank(n: int, q: float) -> int:
    """The 1-based nearest rank of the q-quantile (q in 0..1): an observed value."""
    return min(n, max(1, math.ceil(q * n - 1e-9)))


def percentile(values: Sequence[float], q: float, confidence: float) -> Estimate:
    """The q-quantile (q in 0..1) of the timings (nearest rank) with its order-statistic
    interval."""
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        raise ValueError("no timings")
    lo, hi = quantile_ranks(n, q, confidence)
    point = ordered[nearest_rank(n, q) - 1]
    return Estimate(
        point,
        None if lo is None else min(point, ordered[lo - 1]),
        None if hi is None else max(point, ordered[hi - 1]),
        confidence,
        n,
    )


def paired_ratio(
    a: Sequence[float],
    b: Sequence[float],
    confidence: float,
    *,
    a_first: Sequence[bool] | None = None,
    seed: int = BOOTSTRAP_SEED,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> Estimate:
    """The ratio b / a from pairs timed back to back, with a seeded paired bootstrap
    percentile interval (pairs are resampled whole, so what both sides shared stays shared).

    Without `a_first` it is the median of the per-pair ratios. With it (which side went first in
    each pair), it is the geometric mean of the medians of the A-first and the B-first pairs: the
    crossover estimator, which cancels an effect of going first or second (a service that is
    slow on a second request in a row, a cache the first call warms) instead of letting the
    median fall between two modes. The bootstrap then resamples within each order."""
    import numpy as np

    if len(a) != len(b) or not len(a):
        raise ValueError("need the same number of timings on both sides, at least one")
    ratios = np.asarray(b, dtype=float) / np.maximum(np.asarray(a, dtype=float), 1e-9)
    logs = np.log(np.maximum(ratios, 1e-12))
    if a_first is None:
        groups = [logs]
    else:
        first = np.asarray(a_first, dtype=bool)
        groups = [g for g in (logs[first], logs[~first]) if len(g)]
    point = float(np.exp(np.mean([np.median(g) for g in groups])))
    rng = np.random.default_rng(seed)
    total = np.zeros(resamples)
    for g in groups:
        n = len(g)
        step = max(1, 2_000_000 // n)  # bounded memory: at most ~2M values at once
        for start in range(0, resamples, step):
            rows = min(step, resamples - start)
            draws = g[rng.integers(0, n, (rows, n))]
            total[start : start + rows] += np.median(draws, axis=1)
    estimates = np.exp(total / len(groups))
    alpha = (1 - confidence) / 2
    low, high = np.quantile(estimates, [alpha, 1 - alpha])
    return Estimate(point, min(point, float(low)), max(point, float(high)), confidence, len(a))


def decide(estimate: Estimate, limit: float, mode: str) -> Status:
    """Judge "at most `limit`": `estimate` on the point; `evidence` fails only when the whole
    interval lies above the limit (a point above it with a straddling interval is `warning`);
    `proof` passes only when the whole interval lies at or below it."""
    rules: dict[str, Rule] = {rule: rule for rule in RULES}
    if mode not in rules:
        raise ValueError(f"unknown decide mode {mode!r}")
    low = math.nan if estimate.low is None else estimate.low
    high = math.nan if estimate.high is None else estimate.high
    decision = shared_decide(
        rules[mode], estimate.point, low, high, limit, upper=True, n=estimate.n
    )
    return "warning" if decision.verdict == "inconclusive" else decision.verdict


def worst(statuses: Sequence[Status]) -> Status:
    """failed over warning over passed."""
    if "failed" in statuses:
        return "failed"
    return "warning" if "warning" in statuses else "passed"


def needed_for_decision(estimate: Estimate, limit: float, *, log_scale: bool = False) -> int | None:
    """About how many timings (or pairs) would make the interval clear `limit`, assuming its
    width shrinks as 1/sqrt(n); None when the interval has an open side or already clears."""
    if estimate.low is None or estimate.high is None:
        return None
    f = (lambda x: math.log(max(x, 1e-12))) if log_scale else (lambda x: x)
    half = (f(estimate.high) - f(estimate.low)) / 2
    gap = abs(f(estimate.point) - f(limit))
    if gap <= 0 or half <= gap:
        return None
    more: float = estimate.n * (half / gap) * (half / gap)
    return math.ceil(more)


def verdict_text(
    estimate: Estimate, limit: float, mode: str, status: Status, *, unit: str = "", per: str = ""
) -> str:
    """Why the estimate got `status` under `mode`: 'within 1.3', 'its whole interval lies above
    1.3', 'inconclusive: above 1.3 but the interval straddles it; about 420 pairs would
    decide'. `per` names what more of would decide (pairs, calls)."""
    lim = f"{limit:g}{unit}"
    if status == "passed":
        return f"its whole interval lies within {lim}" if mode == "proof" else f"within {lim}"
    if status == "warning":
        more = needed_for_decision(estimate, limit, log_scale=bool(per == "pairs"))
        tail = f"; about {more:,} {per} would decide" if more and per else ""
        return f"inconclusive: above {lim} but the interval straddles it{tail}"
    if mode == "estimate":
        return f"above {lim}"
    if mode == "evidence":
        return f"its whole interval lies above {lim}"
    if estimate.high is None:
        return f"not shown within {lim}: {estimate.n:,} timings cannot bound it from above"
    return f"not shown within {lim}: the interval reaches {num(estimate.high)}{unit}"
