"""Drift scores between a reference and a current sample of one column (deterministic).

Numeric columns are compared on their values (KS, Wasserstein) or on the reference's quantile
bins (PSI, chi-square, Jensen-Shannon); categorical ones on their category frequencies. `auto`
follows the widely used defaults (as in Evidently): below 1,000 reference rows a KS test
(numeric) or a chi-square test (categorical) with p-value threshold 0.05; above, the
Wasserstein distance normalised by the reference's standard deviation (numeric) or the
Jensen-Shannon distance (categorical), both with threshold 0.1. A numeric column with at most
5 distinct values counts as categorical.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

DEFAULT_THRESHOLD = {
    "psi": 0.2,
    "ks": 0.05,
    "chi2": 0.05,
    "jensen_shannon": 0.1,
    "wasserstein": 0.1,
}
P_VALUE_METHODS = ("ks", "chi2")
SMALL_REFERENCE = 1000
#: The most bins the histogram in a drift result keeps (categories beyond: "other").
HISTOGRAM_BINS = 12
FEW_VALUES = 5
_EPS = 1e-4


@dataclass
class DriftResult:
    method: str
    score: float
    threshold: float
    drifted: bool
    reference_rows: int
    current_rows: int
    moved: list[dict[str, Any]] = field(default_factory=list)
    sampled: bool = False  # computed on a fixed sample of a streamed column
    #: The two distributions for the report's chart: `bins` (labels), `reference`, `current`
    #: (shares), at most `HISTOGRAM_BINS` bins.
    histogram: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def direction(self) -> str:
        return "p-value" if self.method in P_VALUE_METHODS else "score"


def choose(numeric: bool, n_ref: int, n_unique: int) -> str:
    """The `auto` method for a column."""
    continuous = numeric and n_unique > FEW_VALUES
    if n_ref <= SMALL_REFERENCE:
        return "ks" if continuous else "chi2"
    return "wasserstein" if continuous else "jensen_shannon"


def numeric_drift(
    ref: np.ndarray,
    cur: np.ndarray,
    method: str,
    threshold: float | None,
    bins: int,
    *,
    dates: bool = False,
) -> DriftResult:
    """Drift of a numeric column from its non-missing values (`dates`: seconds since the epoch,
    shown as dates in the bins that moved)."""
    ref = np.sort(ref)
    cur = np.sort(cur)
    n_unique = int(np.count_nonzero(np.diff(ref))) + 1 if len(ref) else 0
    if method == "auto":
        method = choose(True, len(ref), n_unique)
    if n_unique <= FEW_VALUES and method in ("psi", "chi2", "jensen_shannon"):
        ref_c, cur_c = _value_counts(ref), _value_counts(cur)
        if dates:
            ref_c, cur_c = _date_keys(ref_c), _date_keys(cur_c)
        return categorical_drift(ref_c, cur_c, method, threshold)
    edges = _edges(ref, bins)
    ref_n, cur_n = _counts(ref, edges), _counts(cur, edges)
    ref_share, cur_share = ref_n / max(ref_n.sum(), 1), cur_n / max(cur_n.sum(), 1)
    labels = _bin_labels(edges, _date_label if dates else _number_label)
    if method == "ks":
        from scipy.stats import ks_2samp

        score = float(ks_2samp(ref, cur).pvalue)
    elif method == "wasserstein":
        std = float(np.std(ref))
        dist = wasserstein_sorted(ref, cur)
        score = dist / std if std > 0 else (0.0 if dist == 0 else float("inf"))
    else:
        score = _binned(method, ref_n, cur_n, ref_share, cur_share)
    result = _result(method, score, threshold, len(ref), len(cur), labels, ref_share, cur_share)
    result.histogram = histogram(labels, ref_share, cur_share, ordered=True)
    return result


def wasserstein_sorted(u: np.ndarray, v: np.ndarray) -> float:
    """The 1-Wasserstein distance of two sorted samples: the area between their CDFs."""
    both = np.concatenate([u, v])
    order = np.argsort(both, kind="stable")  # two sorted runs: merged in linear time
    from_u = order < len(u)
    values = both[order]
    cdf_u = np.cumsum(from_u)[:-1] / len(u)
    cdf_v = np.cumsum(~from_u)[:-1] / len(v)
    return float(np.sum(np.abs(cdf_u - cdf_v) * np.diff(values)))


def categorical_drift(
    ref: Counter[Any], cur: Counter[Any], method: str, threshold: float | None
) -> DriftResult:
    """Drift of a categorical column from its category counts."""
    if method == "auto":
        method = choose(False, sum(ref.values()), len(ref))
    if method in ("ks", "wasserstein"):
        from mlgate.errors import CheckError

        raise CheckError(f"`{method}` needs a numeric column; use chi2, psi or jensen_shannon")
    cats = sorted(set(ref) | set(cur), key=lambda c: (str(type(c)), str(c)))
    ref_n = np.array([ref.get(c, 0) for c in cats], dtype=float)
    cur_n = np.array([cur.get(c, 0) for c in cats], dtype=float)
    ref_share = ref_n / ref_n.sum()
    cur_share = cur_n / cur_n.sum()
    score = _binned(method, ref_n, cur_n, ref_share, cur_share)
    labels = [str(c) for c in cats]
    n_ref, n_cur = int(ref_n.sum()), int(cur_n.sum())
    result = _result(method, score, threshold, n_ref, n_cur, labels, ref_share, cur_share)
    result.histogram = histogram(labels, ref_share, cur_share, ordered=False)
    return result


def histogram(
    labels: list[str], ref_share: np.ndarray, cur_share: np.ndarray, *, ordered: bool
) -> dict[str, list[Any]]:
    """At most `HISTOGRAM_BINS` bins: adjacent bins merged (`ordered`), else the largest
    categories kept and the rest summed as "other"."""
    n = len(labels)
    if n <= HISTOGRAM_BINS:
        groups = [[i] for i in range(n)]
    elif ordered:
        cuts = np.linspace(0, n, HISTOGRAM_BINS + 1).round().astype(int)
        groups = [list(range(a, b)) for a, b in pairwise(cuts.tolist()) if b > a]
    else:
        top = np.argsort(-np.maximum(ref_share, cur_share), kind="stable")
        groups = [[int(i)] for i in top[: HISTOGRAM_BINS - 1]]
        groups.append([int(i) for i in top[HISTOGRAM_BINS - 1 :]])
    names = [labels[g[0]] if len(g) == 1 else _span(labels[g[0]], labels[g[-1]]) for g in groups]
    if not ordered and n > HISTOGRAM_BINS:
        names[-1] = f"other ({len(groups[-1])})"
    return {
        "bins": names,
        "reference": [round(float(ref_share[g].sum()), 4) for g in groups],
        "current": [round(float(cur_share[g].sum()), 4) for g in groups],
    }


def _binned(
    method: str, ref_n: np.ndarray, cur_n: np.ndarray, ref_share: np.ndarray, cur_share: np.ndarray
) -> float:
    if method == "psi":
        r = np.clip(ref_share, _EPS, None)
        c = np.clip(cur_share, _EPS, None)
        return float(np.sum((c - r) * np.log(c / r)))
    if method == "chi2":
        from scipy.stats import chi2_contingency

        keep = (ref_n + cur_n) > 0
        table = np.vstack([ref_n[keep], cur_n[keep]])
        if table.shape[1] < 2:
            return 1.0
        return float(chi2_contingency(table).pvalue)
    if method == "jensen_shannon":
        from scipy.spatial.distance import jensenshannon

        return float(jensenshannon(ref_share, cur_share))
    from mlgate.errors import CheckError

    raise CheckError(f"unknown drift method {method!r}")


def _result(
    method: str,
    score: float,
    threshold: float | None,
    n_ref: int,
    n_cur: int,
    labels: list[str],
    ref_share: np.ndarray,
    cur_share: np.ndarray,
) -> DriftResult:
    thr = DEFAULT_THRESHOLD[method] if threshold is None else float(threshold)
    drifted = score < thr if method in P_VALUE_METHODS else score > thr
    delta = cur_share - ref_share
    order = np.argsort(-np.abs(delta), kind="stable")[:3]
    moved = [
        {
            "bin": labels[i],
            "reference": round(float(ref_share[i]), 4),
            "current": round(float(cur_share[i]), 4),
            "change": round(float(delta[i]), 4),
        }
        for i in order
        if delta[i] != 0
    ]
    return DriftResult(method, score, thr, bool(drifted), n_ref, n_cur, moved)


def _span(first: str, last: str) -> str:
    """Two adjacent bin labels `[a, b)` … `[c, d)` as one: `[a, d)`."""
    if first.startswith("[") and ", " in first and ", " in last:
        return first.split(", ", 1)[0] + ", " + last.split(", ", 1)[1]
    return f"{first} … {last}"


def _edges(ref: np.ndarray, bins: int) -> np.ndarray:
    """Interior bin edges: the reference's quantiles (deduplicated)."""
    qs = np.quantile(ref, np.linspace(0, 1, bins + 1)[1:-1])
    return np.unique(qs)


def _counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """How many values fall in each bin [edge_i, edge_i+1), with open ends."""
    bins = np.searchsorted(edges, values, side="right")
    return np.bincount(bins, minlength=len(edges) + 1).astype(float)


def _bin_labels(edges: np.ndarray, label: Callable[[float], str]) -> list[str]:
    bounds = ["-inf", *(label(float(e)) for e in edges), "inf"]
    return [f"[{bounds[i]}, {bounds[i + 1]})" for i in range(len(bounds) - 1)]


def _number_label(value: float) -> str:
    return f"{value:.4g}"


def _date_label(seconds: float) -> str:
    """Seconds since the epoch as a UTC date (and time, unless midnight)."""
    import datetime as dt

    stamp = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=round(seconds))
    return stamp.isoformat(sep=" ").removesuffix(" 00:00:00")


def _date_keys(counts: Counter[Any]) -> Counter[Any]:
    return Counter({_date_label(float(k)): n for k, n in counts.items()})


def _value_counts(values: np.ndarray) -> Counter[Any]:
    uniq, counts = np.unique(values, return_counts=True)
    return Counter({_plain(u): int(c) for u, c in zip(uniq, counts, strict=True)})


def _plain(value: Any) -> Any:
    f = float(value)
    return int(f) if f.is_integer() else f
