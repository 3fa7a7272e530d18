"""Intervals of the difference between two models scored on the same rows.

- `delong`: DeLong, DeLong & Clarke-Pearson (1988) for the difference of two correlated ROC
  AUCs, in the O(n log n) form of Sun & Xu (2014);
- `mcnemar_exact`: the exact (binomial) McNemar test on the discordant pairs;
- `paired_bootstrap`: a seeded percentile bootstrap of any statistic of resample weights,
  vectorised (each replicate is a row of a count matrix, computed in bounded blocks).

Everything here is deterministic: the same inputs and seed give the same interval.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mlgate.stats.intervals import z_of

#: The bootstrap's default number of replicates, and the most weights drawn at once (memory).
REPS = 2000
MIN_REPS = 200
DRAW_BUDGET = 50_000_000
BLOCK_CELLS = 4_000_000


@dataclass(frozen=True)
class Interval:
    """A difference (candidate minus base) with its interval and how it was obtained."""

    delta: float
    low: float
    high: float
    confidence: float
    method: str
    p_value: float | None = None


def midranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n along the last axis, ties sharing their average rank."""
    from scipy.stats import rankdata

    return np.asarray(rankdata(x, method="average", axis=-1), dtype=float)


def _delong_parts(y: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The AUC of each row of `scores` and their covariance (None without both classes)."""
    pos, neg = scores[:, y], scores[:, ~y]
    m, n = pos.shape[1], neg.shape[1]
    if m == 0 or n == 0:
        return None
    tx, ty = midranks(pos), midranks(neg)
    tz = midranks(np.hstack([pos, neg]))
    auc = (tz[:, :m].sum(axis=1) / m - (m + 1) / 2) / n
    v10 = (tz[:, :m] - tx) / n  # per positive: share of negatives ranked below it
    v01 = 1 - (tz[:, m:] - ty) / m  # per negative: share of positives ranked above it
    k = len(scores)
    s10 = np.atleast_2d(np.cov(v10)) if m > 1 else np.zeros((k, k))
    s01 = np.atleast_2d(np.cov(v01)) if n > 1 else np.zeros((k, k))
    return auc, s10 / m + s01 / n


def delong(y: np.ndarray, score_a: np.ndarray, score_b: np.ndarray, confidence: float) -> Interval:
    """AUC(a) - AUC(b) on the same rows, with DeLong's interval and two-sided p-value.

    `y` is 0/1. Needs both classes; the interval collapses to the estimate when the two
    models order every pair alike (zero variance).
    """
    y = np.asarray(y).astype(bool)
    scores = np.vstack([np.asarray(score_a, float), np.asarray(score_b, float)])
    parts = _delong_parts(y, scores)
    if parts is None:
        nan = float("nan")
        return Interval(nan, nan, nan, confidence, "DeLong", None)
    auc, cov = parts
    var = float(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1])
    delta = float(auc[0] - auc[1])
    if not var > 1e-18:
        return Interval(delta, delta, delta, confidence, "DeLong", 1.0 if delta == 0 else 0.0)
    se = math.sqrt(var)
    z = z_of(confidence)
    from scipy.stats import norm

    p = float(2 * norm.sf(abs(delta) / se))
    return Interval(delta, delta - z * se, delta + z * se, confidence, "DeLong", p)


def auc_interval(y: np.ndarray, score: np.ndarray, confidence: float) -> tuple[float, float]:
    """DeLong's interval of one ROC AUC, kept within [0, 1] (NaN without both classes)."""
    parts = _delong_parts(np.asarray(y).astype(bool), np.asarray(score, float)[None, :])
    if parts is None:
        return float("nan"), float("nan")
    auc, cov = float(parts[0][0]), float(parts[1][0, 0])
    half = z_of(confidence) * math.sqrt(max(cov, 0.0))
    return max(0.0, auc - half), min(1.0, auc + half)


def mover(a: tuple[float, float, float], b: tuple[float, float, float]) -> tuple[float, float]:
    """Interval of a - b for independent estimates from their own (estimate, low, high)
    intervals (the MOVER of Zou & Donner 2008; Newcombe's interval for Wilson intervals)."""
    (va, la, ua), (vb, lb, ub) = a, b
    d = va - vb
    return (
        d - math.sqrt((va - la) ** 2 + (ub - vb) ** 2),
        d + math.sqrt((ua - va) ** 2 + (vb - lb) ** 2),
    )


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """Two-sided exact McNemar p-value: `only_a` rows only model a gets right, `only_b` rows
    only model b gets right (under no difference each discordant row is a fair coin)."""
    k = only_a + only_b
    if k == 0:
        return 1.0
    from scipy.stats import binom

    return float(min(1.0, 2 * binom.cdf(min(only_a, only_b), k, 0.5)))


def reps_for(units: int, reps: int = REPS) -> int:
    """Replicates for `units` resampled units: `reps`, fewer for very many rows (never below
    MIN_REPS) so that one bootstrap draws at most about DRAW_BUDGET weights."""
    return max(MIN_REPS, min(reps, DRAW_BUDGET // max(units, 1)))


def resample_weights(freq: np.ndarray, reps: int, seed: int) -> list[np.ndarray]:
    """Bootstrap replicates as count matrices (blocks of rows), one row per replicate.

    `freq` holds how many of the n rows fall in each unit: all ones to resample rows, or the
    counts of a few cells (e.g. right/wrong x right/wrong) to resample them exactly and fast.
    """
    freq = np.asarray(freq, dtype=float)
    units = len(freq)
    n = round(float(freq.sum()))
    rng = np.random.default_rng(seed)
    rows = bool(np.all(freq == 1))
    block = max(1, BLOCK_CELLS // max(units, n if rows else 1, 1))
    out = []
    done = 0
    while done < reps:
        size = min(block, reps - done)
        if rows:  # n draws with replacement per replicate, counted (fast, exact)
            idx = rng.integers(0, n, size=(size, n))
            flat = (idx + np.arange(size)[:, None] * n).ravel()
            counts = np.bincount(flat, minlength=size * n).reshape(size, n)
        else:
            counts = rng.multinomial(n, freq / freq.sum(), size=size)
        out.append(counts.astype(float))
        done += size
    return out


Statistic = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def paired_bootstrap(
    stat: Statistic,
    freq: np.ndarray,
    estimate: float,
    confidence: float,
    *,
    reps: int = REPS,
    seed: int = 0,
    method: str = "paired bootstrap",
    p_value: float | None = None,
) -> Interval:
    """Percentile interval of stat_a - stat_b, where `stat(W)` gives both models' statistic
    for every replicate (row of W: resample weights over the units of `freq`).

    Replicates where the statistic is undefined (NaN: e.g. no positive in a resample) are left
    out; with fewer than half of them defined the interval is NaN (cannot be told).
    """
    reps = reps_for(len(freq), reps)
    parts = []
    for w in resample_weights(freq, reps, seed):
        a, b = stat(w)
        parts.append(np.asarray(a, float) - np.asarray(b, float))
    deltas = np.concatenate(parts)
    deltas = deltas[np.isfinite(deltas)]
    label = f"{method} ({reps:,} resamples)"
    if len(deltas) < reps / 2:
        nan = float("nan")
        return Interval(estimate, nan, nan, confidence, label, p_value)
    alpha = 1 - confidence
    lo, hi = np.quantile(deltas, [alpha / 2, 1 - alpha / 2])
    return Interval(estimate, float(lo), float(hi), confidence, label, p_value)
