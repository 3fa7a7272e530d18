"""The paired interval of a metric's difference between two models scored on the same rows.

ROC AUC: DeLong. Accuracy: the exact McNemar p-value and a bootstrap of the four
right/wrong cells. Balanced accuracy, precision, recall, f1: a bootstrap of the cells of truth
x label a x label b. Log loss, Brier, average precision and the regression metrics: a
bootstrap of the rows. Every bootstrap is seeded and vectorised (`mlgate.stats.paired`); each
statistic below is the metric written as a function of resample weights, and equals
`compute_metric` at the observed weights (the tests hold them to it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from mlgate.model.metrics import comparable, compute_metric
from mlgate.model.scoring import as_binary
from mlgate.stats.paired import (
    Interval,
    auc_interval,
    delong,
    mcnemar_exact,
    paired_bootstrap,
)

SEED = 0
LOG_CLIP = 1e-15
MAPE_EPS = float(np.finfo(np.float64).eps)

Side = tuple[np.ndarray, np.ndarray]  # (score, label) of one model
Weighted = Callable[[np.ndarray], np.ndarray]  # resample weights (reps x units) -> (reps,)


def paired_interval(
    metric: str,
    y: np.ndarray,
    a: Side,
    b: Side,
    pos: Any,
    confidence: float,
    *,
    seed: int = SEED,
) -> Interval:
    """`metric`(a) - `metric`(b) on rows with known truth `y`, with its paired interval."""
    value_a = compute_metric(metric, y, a[0], a[1], pos)
    value_b = compute_metric(metric, y, b[0], b[1], pos)
    estimate = value_a - value_b
    if estimate != estimate:
        nan = float("nan")
        return Interval(nan, nan, nan, confidence, "undefined")
    if metric == "roc_auc":
        return delong(as_binary(y, pos), a[0], b[0], confidence)
    if metric in ("accuracy", "balanced_accuracy", "precision", "recall", "f1"):
        freq, stat_a, stat_b, p = _label_cells(metric, y, a[1], b[1], pos)
        method = "paired bootstrap of the right/wrong cells"
    else:
        freq = np.ones(len(y))
        stat_a, stat_b = _row_statistic(metric, y, a[0], pos), _row_statistic(metric, y, b[0], pos)
        p, method = None, "paired bootstrap"
    out = paired_bootstrap(
        lambda w: (stat_a(w), stat_b(w)), freq, estimate, confidence, seed=seed, method=method
    )
    return out if p is None else replace(out, method=out.method + "; exact McNemar test", p_value=p)


def metric_interval(
    metric: str,
    y: np.ndarray,
    score: np.ndarray,
    label: np.ndarray,
    pos: Any,
    confidence: float,
    *,
    seed: int = SEED,
) -> tuple[float, float]:
    """The interval of one model's `metric` on these rows: DeLong for ROC AUC, else the same
    seeded bootstrap as the paired one (NaN when it cannot be told)."""
    value = compute_metric(metric, y, score, label, pos)
    if value != value:
        return float("nan"), float("nan")
    if metric == "roc_auc":
        return auc_interval(as_binary(y, pos), score, confidence)
    if metric in ("accuracy", "balanced_accuracy", "precision", "recall", "f1"):
        freq, stat, _, _ = _label_cells(metric, y, label, label, pos)
    else:
        freq, stat = np.ones(len(y)), _row_statistic(metric, y, score, pos)
    iv = paired_bootstrap(lambda w: (stat(w), np.zeros(len(w))), freq, value, confidence, seed=seed)
    return iv.low, iv.high


def _label_cells(
    metric: str, y: np.ndarray, la: np.ndarray, lb: np.ndarray, pos: Any
) -> tuple[np.ndarray, Weighted, Weighted, float | None]:
    """Cell counts of the rows and the metric of each model as a function of cell weights."""
    if metric in ("accuracy", "balanced_accuracy"):
        yt, pa = comparable(y, la)
        _, pb = comparable(y, lb)
        ok_a, ok_b = (yt == pa).astype(int), (yt == pb).astype(int)
        classes, cls = np.unique(yt, return_inverse=True)
        k = len(classes) if metric == "balanced_accuracy" else 1
        code = (cls if k > 1 else 0) * 4 + ok_a * 2 + ok_b
        freq = np.bincount(code, minlength=4 * k).astype(float)
        only_a = int(((ok_a == 1) & (ok_b == 0)).sum())
        only_b = int(((ok_a == 0) & (ok_b == 1)).sum())
        p = mcnemar_exact(only_a, only_b) if metric == "accuracy" else None
        return freq, _recall_mean(k, (2, 3)), _recall_mean(k, (1, 3)), p
    yb, ab, bb = as_binary(y, pos), as_binary(la, pos), as_binary(lb, pos)
    freq = np.bincount(yb * 4 + ab * 2 + bb, minlength=8).astype(float)
    # cells: y*4 + a*2 + b; model a predicts positive in cells 2,3,6,7, model b in 1,3,5,7
    stat_a = _binary_metric(metric, tp=(6, 7), fp=(2, 3), fn=(4, 5))
    stat_b = _binary_metric(metric, tp=(5, 7), fp=(1, 3), fn=(4, 6))
    p = None
    if metric == "recall":  # among the positives, a paired right/wrong comparison
        p = mcnemar_exact(int(freq[6]), int(freq[5]))
    return freq, stat_a, stat_b, p


def _recall_mean(k: int, right: tuple[int, int]) -> Weighted:
    """Mean over the classes present of the share predicted right (accuracy when k is 1)."""

    def stat(w: np.ndarray) -> np.ndarray:
        cells = w.reshape(len(w), k, 4)
        n_k = cells.sum(axis=2)
        hit = cells[:, :, right[0]] + cells[:, :, right[1]]
        with np.errstate(invalid="ignore", divide="ignore"):
            rec = np.where(n_k > 0, hit / np.where(n_k > 0, n_k, 1), np.nan)
        present = np.isfinite(rec).sum(axis=1)
        total = np.nansum(rec, axis=1)
        return np.where(present > 0, total / np.maximum(present, 1), np.nan)

    return stat


def _binary_metric(
    metric: str, tp: tuple[int, int], fp: tuple[int, int], fn: tuple[int, int]
) -> Weighted:
    def stat(w: np.ndarray) -> np.ndarray:
        t = w[:, tp[0]] + w[:, tp[1]]
        f_p = w[:, fp[0]] + w[:, fp[1]]
        f_n = w[:, fn[0]] + w[:, fn[1]]
        num, den = {
            "precision": (t, t + f_p),
            "recall": (t, t + f_n),
            "f1": (2 * t, 2 * t + f_p + f_n),
        }[metric]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)

    return stat


def _row_statistic(metric: str, y: np.ndarray, score: np.ndarray, pos: Any) -> Weighted:
    """The metric of one model as a function of row weights (each row sums to n)."""
    s = np.asarray(score, dtype=float)
    if metric in ("log_loss", "brier", "average_precision"):
        yb = as_binary(y, pos).astype(float)
        if metric == "average_precision":
            return _weighted_ap(yb, s)
        if metric == "brier":
            loss = (s - yb) ** 2
        else:
            p = np.clip(s, LOG_CLIP, 1 - LOG_CLIP)
            loss = -(yb * np.log(p) + (1 - yb) * np.log(1 - p))
        return _weighted_mean(loss)
    yt = np.asarray(y, dtype=float)
    err = yt - s
    if metric == "mae":
        return _weighted_mean(np.abs(err))
    if metric == "mape":
        return _weighted_mean(np.abs(err) / np.maximum(np.abs(yt), MAPE_EPS))
    sq = err**2
    if metric == "rmse":
        mean_sq = _weighted_mean(sq)
        return lambda w: np.sqrt(mean_sq(w))
    if metric == "r2":
        return _weighted_r2(yt, sq)
    raise ValueError(f"no paired statistic for metric {metric!r}")


def _weighted_mean(values: np.ndarray) -> Weighted:
    return lambda w: (w @ values) / w.sum(axis=1)


def _weighted_r2(y: np.ndarray, sq: np.ndarray) -> Weighted:
    def stat(w: np.ndarray) -> np.ndarray:
        total = w.sum(axis=1)
        sse = w @ sq
        sst = w @ (y * y) - (w @ y) ** 2 / total
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(sst > 1e-12 * np.maximum(w @ (y * y), 1), 1 - sse / sst, np.nan)

    return stat


def _weighted_ap(yb: np.ndarray, s: np.ndarray) -> Weighted:
    """Average precision (scikit-learn's step-wise sum over thresholds) of weighted rows."""
    order = np.argsort(-s, kind="stable")
    ys, ss = yb[order], s[order]
    ends = np.flatnonzero(np.r_[ss[1:] != ss[:-1], True])  # last row of each distinct score

    def stat(w: np.ndarray) -> np.ndarray:
        ws = w[:, order]
        tp = np.cumsum(ws * ys, axis=1)[:, ends]
        seen = np.cumsum(ws, axis=1)[:, ends]
        positives = tp[:, -1:]
        with np.errstate(invalid="ignore", divide="ignore"):
            precision = np.where(seen > 0, tp / np.where(seen > 0, seen, 1), 0.0)
            recall = tp / positives
        step = np.diff(recall, axis=1, prepend=0.0)
        out = (step * precision).sum(axis=1)
        return np.where(positives[:, 0] > 0, out, np.nan)

    return stat
