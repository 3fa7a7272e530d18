"""The paired intervals against slow references: DeLong against the O(n^2) Mann-Whitney
placements and a brute-force bootstrap, McNemar against scipy's binomial test, the bootstrap
statistics against scikit-learn at the observed (and at integer) weights."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest, norm
from sklearn.metrics import average_precision_score, roc_auc_score

from mlgate.model import paired as pm
from mlgate.model.metrics import METRICS, REGRESSION_METRICS, compute_metric
from mlgate.stats.paired import delong, mcnemar_exact, paired_bootstrap, resample_weights


def placements(y: np.ndarray, s: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """AUC and DeLong's structural components by brute force over all pairs."""
    pos, neg = s[y == 1], s[y == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    return float(psi.mean()), psi.mean(axis=1), psi.mean(axis=0)


def delong_reference(y: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    auc_a, v10a, v01a = placements(y, a)
    auc_b, v10b, v01b = placements(y, b)
    m, n = len(v10a), len(v01a)
    s10 = np.cov(np.vstack([v10a, v10b]))
    s01 = np.cov(np.vstack([v01a, v01b]))
    var = (s10[0, 0] + s10[1, 1] - 2 * s10[0, 1]) / m + (s01[0, 0] + s01[1, 1] - 2 * s01[0, 1]) / n
    return auc_a - auc_b, float(np.sqrt(var))


def scores(n: int, seed: int, ties: bool = False) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    shared = rng.normal(0, 1, n)
    a = 0.9 * y + shared + rng.normal(0, 0.7, n)
    b = 0.7 * y + shared + rng.normal(0, 0.7, n)
    if ties:
        a, b = np.round(a), np.round(b)
    return y, a, b


@pytest.mark.parametrize(("n", "seed", "ties"), [(40, 0, False), (200, 1, False), (150, 2, True)])
def test_delong_matches_the_quadratic_reference(n: int, seed: int, ties: bool) -> None:
    y, a, b = scores(n, seed, ties)
    iv = delong(y, a, b, 0.95)
    delta, se = delong_reference(y, a, b)
    assert iv.delta == pytest.approx(delta, abs=1e-12)
    assert iv.delta == pytest.approx(roc_auc_score(y, a) - roc_auc_score(y, b), abs=1e-12)
    z = norm.ppf(0.975)
    assert (iv.low, iv.high) == pytest.approx((delta - z * se, delta + z * se), abs=1e-12)
    assert iv.p_value == pytest.approx(2 * norm.sf(abs(delta) / se))


def test_delong_agrees_with_a_brute_force_bootstrap_on_small_data() -> None:
    """The bootstrap's standard error of the AUC difference (2,000 resamples of 120 rows,
    every pair compared on each) is DeLong's within 15%."""
    y, a, b = scores(120, 5)
    rng = np.random.default_rng(9)
    deltas = []
    for _ in range(2000):
        i = rng.integers(0, len(y), len(y))
        if y[i].min() == y[i].max():
            continue
        deltas.append(placements(y[i], a[i])[0] - placements(y[i], b[i])[0])
    _, se = delong_reference(y, a, b)
    assert np.std(deltas) == pytest.approx(se, rel=0.15)


def test_delong_edge_cases() -> None:
    y = np.array([0, 1, 0, 1])
    same = delong(y, np.array([0.1, 0.9, 0.2, 0.8]), np.array([0.1, 0.9, 0.2, 0.8]), 0.95)
    assert (same.delta, same.low, same.high, same.p_value) == (0.0, 0.0, 0.0, 1.0)
    one_class = delong(np.ones(4), np.arange(4.0), np.arange(4.0), 0.95)
    assert np.isnan(one_class.delta)


@pytest.mark.parametrize(("a", "b"), [(0, 0), (3, 10), (10, 3), (25, 25), (0, 12), (40, 61)])
def test_mcnemar_is_the_two_sided_binomial_test(a: int, b: int) -> None:
    expected = 1.0 if a + b == 0 else binomtest(a, a + b, 0.5).pvalue
    assert mcnemar_exact(a, b) == pytest.approx(min(1.0, expected))


def test_resampling_is_seeded_and_sums_to_the_rows() -> None:
    one = np.concatenate(resample_weights(np.ones(300), 50, seed=3))
    two = np.concatenate(resample_weights(np.ones(300), 50, seed=3))
    assert np.array_equal(one, two)
    assert set(one.sum(axis=1)) == {300.0}
    cells = np.concatenate(resample_weights(np.array([5.0, 0.0, 90.0, 5.0]), 40, seed=1))
    assert set(cells.sum(axis=1)) == {100.0}
    assert cells[:, 1].max() == 0


def test_bootstrap_percentile_interval_of_a_mean_difference() -> None:
    rng = np.random.default_rng(0)
    d = rng.normal(0.3, 1, 400)
    iv = paired_bootstrap(lambda w: (w @ d / 400, np.zeros(len(w))), np.ones(400), d.mean(), 0.9)
    half = norm.ppf(0.95) * d.std(ddof=1) / np.sqrt(400)
    assert iv.low == pytest.approx(d.mean() - half, abs=0.015)
    assert iv.high == pytest.approx(d.mean() + half, abs=0.015)
    assert iv.method == "paired bootstrap (2,000 resamples)"


def classification(n: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    sa = np.clip(0.3 * y + rng.uniform(0, 0.7, n), 0, 1)
    sb = np.round(np.clip(0.2 * y + rng.uniform(0, 0.8, n), 0, 1), 1)  # ties
    return y, sa, (sa > 0.5).astype(int), sb, (sb > 0.5).astype(int)


@pytest.mark.parametrize("metric", [m for m in METRICS if m not in REGRESSION_METRICS])
def test_classification_statistics_equal_the_metric_at_the_observed_weights(metric: str) -> None:
    y, sa, la, sb, lb = classification(300, 4)
    iv = pm.paired_interval(metric, y, (sa, la), (sb, lb), 1, 0.95)
    expected = compute_metric(metric, y, sa, la, 1) - compute_metric(metric, y, sb, lb, 1)
    assert iv.delta == pytest.approx(expected, abs=1e-12)
    assert iv.low <= iv.high
    if metric == "roc_auc":
        return
    if metric in ("log_loss", "brier", "average_precision"):
        stat = pm._row_statistic(metric, y, sa, 1)
        got = stat(np.ones((1, len(y))))[0]
    else:
        freq, stat_a, _, _ = pm._label_cells(metric, y, la, lb, 1)
        got = stat_a(freq[None, :])[0]
    assert got == pytest.approx(compute_metric(metric, y, sa, la, 1), abs=1e-12)


@pytest.mark.parametrize("metric", REGRESSION_METRICS)
def test_regression_statistics_equal_the_metric(metric: str) -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(10, 3, 250)
    pred = y + rng.normal(0, 1, 250)
    stat = pm._row_statistic(metric, y, pred, None)
    assert stat(np.ones((1, 250)))[0] == pytest.approx(
        compute_metric(metric, y, pred, pred, None), rel=1e-12
    )
    other = y + rng.normal(0.5, 1.2, 250)
    iv = pm.paired_interval(metric, y, (pred, pred), (other, other), None, 0.95)
    assert iv.low <= iv.delta <= iv.high or metric == "mape"


@settings(deadline=None, max_examples=60)
@given(
    st.lists(
        st.tuples(st.integers(0, 1), st.integers(0, 6), st.integers(0, 3)), min_size=2, max_size=40
    )
)
def test_weighted_average_precision_equals_scikit_learn_with_sample_weights(
    rows: list[tuple[int, int, int]],
) -> None:
    y = np.array([r[0] for r in rows], dtype=float)
    s = np.array([r[1] for r in rows], dtype=float) / 6  # ties on purpose
    w = np.array([r[2] for r in rows], dtype=float)
    got = pm._weighted_ap(y, s)(w[None, :])[0]
    if (w * y).sum() == 0:
        assert np.isnan(got)
        return
    keep = w > 0
    expected = average_precision_score(y[keep], s[keep], sample_weight=w[keep])
    assert got == pytest.approx(expected, abs=1e-12)


def test_balanced_accuracy_with_three_classes() -> None:
    rng = np.random.default_rng(8)
    y = rng.choice(["a", "b", "c"], 300)
    la = np.where(rng.random(300) < 0.8, y, "a")
    lb = np.where(rng.random(300) < 0.7, y, "b")
    freq, stat_a, stat_b, _ = pm._label_cells("balanced_accuracy", y, la, lb, "a")
    assert stat_a(freq[None])[0] == pytest.approx(
        compute_metric("balanced_accuracy", y, la, la, "a")
    )
    assert stat_b(freq[None])[0] == pytest.approx(
        compute_metric("balanced_accuracy", y, lb, lb, "a")
    )
