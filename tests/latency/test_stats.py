"""Latency statistics against references and seeded simulations (no clock anywhere)."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from mlgate.latency.stats import (
    Estimate,
    binomial_cdf,
    decide,
    needed_for_decision,
    paired_ratio,
    percentile,
    quantile_ranks,
    verdict_text,
    worst,
)


@settings(deadline=None, max_examples=60)
@given(st.integers(1, 400), st.floats(0.01, 0.99))
def test_binomial_cdf_matches_scipy(n: int, p: float) -> None:
    ours = binomial_cdf(n, p)
    ref = binom.cdf(np.arange(n + 1), n, p)
    assert np.allclose(ours, ref, atol=1e-9)


def _slow_ranks(n: int, q: float, confidence: float) -> tuple[int | None, int | None]:
    """Reference: the widest-tail search written out with scipy's binomial."""
    alpha = (1 - confidence) / 2
    lows = [r for r in range(1, n + 1) if binom.cdf(r - 1, n, q) <= alpha]
    highs = [r for r in range(1, n + 1) if binom.sf(r - 1, n, q) <= alpha]
    return (max(lows) if lows else None), (min(highs) if highs else None)


@settings(deadline=None, max_examples=60)
@given(st.integers(1, 300), st.sampled_from([0.5, 0.9, 0.95, 0.99]), st.sampled_from([0.9, 0.95]))
def test_ranks_match_a_slow_reference_and_cover(n: int, q: float, confidence: float) -> None:
    low, high = quantile_ranks(n, q, confidence)
    assert (low, high) == _slow_ranks(n, q, confidence)
    # exact coverage of [X_(l), X_(u)] for a continuous distribution: P(l <= B <= u - 1)
    below = 0.0 if low is None else binom.cdf(low - 1, n, q)
    above = 0.0 if high is None else binom.sf(high - 1, n, q)
    assert 1 - below - above >= confidence - 1e-9


def test_known_ranks() -> None:
    assert quantile_ranks(100, 0.5, 0.95) == (40, 61)  # the textbook interval of the median
    assert quantile_ranks(100, 0.99, 0.95)[1] is None  # 100 calls cannot bound p99 from above
    assert quantile_ranks(5, 0.5, 0.95) == (None, None)


def _exp_q(q: float) -> float:
    return -math.log1p(-q)


def _lognormal_q(q: float) -> float:
    return math.exp(0.5 * NormalDist().inv_cdf(q))


def _bursty_q(q: float) -> float:
    """The q-quantile of 0.8 Exp(1) + 0.2 Exp(1/6) (a fifth of the calls hit by a burst)."""

    def cdf(x: float) -> float:
        return 0.8 * (1 - math.exp(-x)) + 0.2 * (1 - math.exp(-x / 6))

    lo, hi = 0.0, 200.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf(mid) < q else (lo, mid)
    return (lo + hi) / 2


def _draw(kind: str, rng: np.random.Generator, n: int) -> np.ndarray:
    if kind == "exponential":
        return rng.exponential(1.0, n)
    if kind == "lognormal":
        return rng.lognormal(0.0, 0.5, n)
    burst = rng.random(n) < 0.2
    return np.where(burst, rng.exponential(6.0, n), rng.exponential(1.0, n))


TRUE_Q = {"exponential": _exp_q, "lognormal": _lognormal_q, "bursty": _bursty_q}


@pytest.mark.parametrize("kind", sorted(TRUE_Q))
@pytest.mark.parametrize(("n", "q"), [(20, 0.5), (60, 0.95), (200, 0.95), (500, 0.99)])
def test_percentile_interval_covers_at_the_promised_rate(kind: str, n: int, q: float) -> None:
    rng = np.random.default_rng([sorted(TRUE_Q).index(kind), n, int(1000 * q)])
    truth = TRUE_Q[kind](q)
    reps, covered, open_side = 1500, 0, 0
    for _ in range(reps):
        est = percentile(list(_draw(kind, rng, n)), q, 0.95)
        low = -math.inf if est.low is None else est.low
        high = math.inf if est.high is None else est.high
        covered += low <= truth <= high
        open_side += est.low is None or est.high is None
        assert low <= est.point <= high
    se = math.sqrt(0.95 * 0.05 / reps)
    assert covered / reps >= 0.95 - 3 * se, (covered, reps)
    assert open_side == 0 or n * (1 - q) < 5


def test_paired_ratio_is_seeded_and_covers() -> None:
    a = [1.0 + 0.01 * i for i in range(50)]
    b = [2 * x for x in a]
    first, second = paired_ratio(a, b, 0.95), paired_ratio(a, b, 0.95)
    assert first == second
    assert first.point == pytest.approx(2.0)
    rng = np.random.default_rng(5)
    covered, reps = 0, 300
    for _ in range(reps):
        base = rng.lognormal(0, 0.5, 80)
        ratio = 1.25 * rng.lognormal(0, 0.2, 80)  # the median of the ratios is 1.25
        est = paired_ratio(list(base), list(base * ratio), 0.95, seed=int(rng.integers(1 << 30)))
        assert est.low is not None
        assert est.high is not None
        covered += est.low <= 1.25 <= est.high
    assert covered / reps >= 0.95 - 3 * math.sqrt(0.95 * 0.05 / reps)


def _est(point: float, low: float | None, high: float | None) -> Estimate:
    return Estimate(point, low, high, 0.95, 100)


@pytest.mark.parametrize(
    ("est", "mode", "status"),
    [
        (_est(1.0, 0.9, 1.1), "evidence", "passed"),
        (_est(1.2, 1.0, 1.5), "evidence", "passed"),  # point within: no evidence of a breach
        (_est(1.4, 1.2, 1.6), "evidence", "warning"),  # point above, interval straddles
        (_est(1.6, 1.35, 1.9), "evidence", "failed"),  # whole interval above
        (_est(1.6, None, 1.9), "evidence", "warning"),  # no lower bound: never evidence
        (_est(1.4, 1.2, 1.6), "estimate", "failed"),
        (_est(1.2, 1.0, 1.5), "estimate", "passed"),
        (_est(1.3, 1.0, 1.3), "estimate", "passed"),  # bounds are inclusive
        (_est(1.2, 1.0, 1.5), "proof", "failed"),
        (_est(1.0, 0.9, 1.3), "proof", "passed"),
        (_est(1.0, 0.9, None), "proof", "failed"),
    ],
)
def test_decide(est: Estimate, mode: str, status: str) -> None:
    assert decide(est, 1.3, mode) == status


def test_verdict_texts() -> None:
    straddling = _est(1.4, 1.2, 1.6)
    text = verdict_text(straddling, 1.3, "evidence", "warning", per="pairs")
    assert text.startswith("inconclusive: above 1.3 but the interval straddles it; about ")
    assert text.endswith(" pairs would decide")
    assert verdict_text(_est(1.6, 1.4, 1.8), 1.3, "evidence", "failed") == (
        "its whole interval lies above 1.3"
    )
    assert verdict_text(_est(1.0, 0.9, None), 1.3, "proof", "failed") == (
        "not shown within 1.3: 100 timings cannot bound it from above"
    )
    assert needed_for_decision(_est(1.0, 0.5, 1.5), 1.0) is None  # the point sits on the limit
    assert needed_for_decision(_est(1.5, 1.25, 1.75), 1.375) == 400  # half-width 2x the gap
    assert worst(["passed", "warning"]) == "warning"
    assert worst(["warning", "failed", "passed"]) == "failed"
    assert worst([]) == "passed"


def test_percentile_needs_timings() -> None:
    with pytest.raises(ValueError, match="no timings"):
        percentile([], 0.5, 0.95)
    assert percentile([3.0], 0.5, 0.95).point == 3.0
