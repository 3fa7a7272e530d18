"""Calibration: seeded simulations that check the paired intervals and the `evidence` rule do
what they claim, at the gate's own settings (95%, 2,000 bootstrap resamples).

- no real difference (two models drawn alike; and, harder, a true drop exactly at the margin):
  `evidence` fails at most at the rate its confidence allows (2.5%, one side of a 95% interval);
- a real drop of three times the margin: `evidence` fails in at least 80% of repetitions;
- the intervals cover the true difference within a few points of 95%.

Each scenario is 200-250 repetitions, each interval vectorised; the module takes about 20 s of
CPU (measured 20.5 s user; up to 100 s of wall time on the loaded 2-core CI box). Nothing here
depends on speed: only on the seeds.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from mlgate.model.paired import paired_interval
from mlgate.stats.decide import decide

REPS = 250
CONF = 0.95
# Monte Carlo slack: 250 repetitions of a 2.5% event have sd 1 point; coverage sd 1.4
FAIL_RATE_MAX = 0.025 + 0.03
COVERAGE_TOL = 0.04


def auc_models(n: int, rng: np.random.Generator, mu_a: float, mu_b: float) -> tuple:
    """Scores = mu * y + shared + own noise: AUC = Phi(mu / sqrt(2 * 2)) exactly."""
    y = rng.integers(0, 2, n)
    shared = rng.normal(0, 1, n)
    sa = mu_a * y + shared + rng.normal(0, 1, n)
    sb = mu_b * y + shared + rng.normal(0, 1, n)
    return y, (sa, (sa > 0).astype(int)), (sb, (sb > 0).astype(int))


def true_auc(mu: float) -> float:
    return float(norm.cdf(mu / 2))


def mu_for(auc: float) -> float:
    return float(2 * norm.ppf(auc))


def accuracy_models(n: int, rng: np.random.Generator, acc_a: float, acc_b: float) -> tuple:
    """Each model right with its own probability, errors correlated through a shared draw."""
    y = rng.integers(0, 2, n)
    u = rng.random(n)
    v = np.where(rng.random(n) < 0.5, u, rng.random(n))  # half the rows share the draw
    la = np.where(u < acc_a, y, 1 - y)
    lb = np.where(v < acc_b, y, 1 - y)
    return y, (la.astype(float), la), (lb.astype(float), lb)


def brier_models(n: int, rng: np.random.Generator, noise_a: float) -> tuple:
    """Probabilities: the true one plus noise (model a noisier when noise_a > 0.1)."""
    p = rng.uniform(0.05, 0.95, n)
    y = (rng.random(n) < p).astype(int)
    sa = np.clip(p + rng.normal(0, noise_a, n), 0, 1)
    sb = np.clip(p + rng.normal(0, 0.1, n), 0, 1)
    return y, (sa, (sa > 0.5).astype(int)), (sb, (sb > 0.5).astype(int))


def true_brier_gap(noise_a: float) -> float:
    """E[brier_a - brier_b] from one large sample (the clipping makes it non-analytic)."""
    rng = np.random.default_rng(12345)
    y, a, b = brier_models(400_000, rng, noise_a)
    return float(np.mean((a[0] - y) ** 2) - np.mean((b[0] - y) ** 2))


def run(metric: str, make, reps: int, margin: float, seed: int) -> tuple[float, list]:
    """Share of repetitions `evidence` fails (drop > margin shown) and the intervals of a-b."""
    rng = np.random.default_rng(seed)
    fails, intervals = 0, []
    for _ in range(reps):
        y, a, b = make(rng)
        iv = paired_interval(metric, y, a, b, 1, CONF)
        lower_better = metric == "brier"
        drop = iv.delta if lower_better else -iv.delta
        lo, hi = (iv.low, iv.high) if lower_better else (-iv.high, -iv.low)
        fails += decide("evidence", drop, lo, hi, margin, upper=True, n=len(y)).verdict == "failed"
        intervals.append((iv.low, iv.high))
    return fails / reps, intervals


def coverage(intervals: list, truth: float) -> float:
    return float(np.mean([lo <= truth <= hi for lo, hi in intervals]))


N_AUC, MARGIN_AUC = 1000, 0.025


def test_roc_auc_delong_no_difference_and_drop_at_the_margin() -> None:
    mu = mu_for(0.80)
    rate, ivs = run("roc_auc", lambda r: auc_models(N_AUC, r, mu, mu), REPS, MARGIN_AUC, 1)
    assert rate <= 0.01  # far from the margin: essentially never
    assert abs(coverage(ivs, 0.0) - CONF) <= COVERAGE_TOL
    at = mu_for(0.80 - MARGIN_AUC)
    rate, ivs = run("roc_auc", lambda r: auc_models(N_AUC, r, at, mu), REPS, MARGIN_AUC, 2)
    assert rate <= FAIL_RATE_MAX
    assert abs(coverage(ivs, true_auc(at) - true_auc(mu)) - CONF) <= COVERAGE_TOL


def test_roc_auc_a_real_drop_of_three_margins_fails() -> None:
    mu, worse = mu_for(0.80), mu_for(0.80 - 3 * MARGIN_AUC)
    rate, ivs = run("roc_auc", lambda r: auc_models(N_AUC, r, worse, mu), REPS, MARGIN_AUC, 3)
    assert rate >= 0.80
    assert abs(coverage(ivs, true_auc(worse) - true_auc(mu)) - CONF) <= COVERAGE_TOL


N_ACC, MARGIN_ACC = 1500, 0.02


def test_accuracy_no_difference_drop_at_the_margin_and_three_margins() -> None:
    same = run("accuracy", lambda r: accuracy_models(N_ACC, r, 0.8, 0.8), REPS, MARGIN_ACC, 4)
    assert same[0] <= 0.01
    assert abs(coverage(same[1], 0.0) - CONF) <= COVERAGE_TOL
    at = run(
        "accuracy", lambda r: accuracy_models(N_ACC, r, 0.8 - MARGIN_ACC, 0.8), REPS, MARGIN_ACC, 5
    )
    assert at[0] <= FAIL_RATE_MAX
    assert abs(coverage(at[1], -MARGIN_ACC) - CONF) <= COVERAGE_TOL
    drop = 3 * MARGIN_ACC
    real = run(
        "accuracy", lambda r: accuracy_models(N_ACC, r, 0.8 - drop, 0.8), REPS, MARGIN_ACC, 6
    )
    assert real[0] >= 0.80


N_BRIER = 400


@pytest.mark.parametrize(("noise_a", "seed"), [(0.1, 7), (0.25, 8)])
def test_brier_paired_bootstrap_covers_and_evidence_stays_quiet(noise_a: float, seed: int) -> None:
    """Two models alike (0.1) and one clearly worse (0.25): the bootstrap interval covers the
    true gap; with the margin at the true gap, `evidence` fails at most at the nominal rate."""
    truth = true_brier_gap(noise_a)
    rate, ivs = run("brier", lambda r: brier_models(N_BRIER, r, noise_a), 200, truth, seed)
    assert abs(coverage(ivs, truth) - CONF) <= COVERAGE_TOL + 0.01
    assert rate <= FAIL_RATE_MAX + 0.01
