"""Drift scores between a reference and a current sample of one column (deterministic).

Numeric columns are compared on their values (KS, Wasserstein) or on the reference's quantile
bins (PSI, chi-square, Jensen-Shannon); categorical ones on their category frequencies. `auto`
follows the widely used defaults (as in Evidently): below 1,000 reference rows a KS test
(numeric) or a chi-square test (categorical) with p-value threshold 0.05; above, the
Wasserstein distance normalised by the reference's standard deviation (numeric) or the
Jensen-Shannon distance (categorical), both with threshold 0.1. A numeric column with at most
5 distinct values counts as categorical.

A numeric column's statistics are computed from two `Sample`s, whatever holds them: values in
memory (`ArraySample`, the pandas engine) or a column of a SQL engine (`mlgate.engines.drift_sql`).
Each side gives what one dataset can (order statistics, bin counts, value counts, counts of
infinities); KS and Wasserstein need both sides at once: exact when both are in memory or on one
engine connection (`Sample.joint`), else bounded from exact step summaries of each side
(`Sketch`) and the result says so with its error bound.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Protocol

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
#: Points of the step summary each side gives when the two sides are on different engines.
SKETCH_POINTS = 10_000
#: Above this size (either side) scipy's two-sided KS p-value is asymptotic (`ks_2samp`, auto).
_KS_EXACT_N = 10_000


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
    #: How far the score may be from the exact one ("" when exact): two datasets on different
    #: engines compare step summaries of each side.
    approximate: str = ""

    @property
    def direction(self) -> str:
        return "p-value" if self.method in P_VALUE_METHODS else "score"


def choose(numeric: bool, n_ref: int, n_unique: int) -> str:
    """The `auto` method for a column."""
    continuous = numeric and n_unique > FEW_VALUES
    if n_ref <= SMALL_REFERENCE:
        return "ks" if continuous else "chi2"
    return "wasserstein" if continuous else "jensen_shannon"


class Joint(Protocol):
    """Statistics of two samples together."""

    def order_statistics(self, ranks: np.ndarray) -> np.ndarray:
        """The reference's values at these 0-based ranks (computed with the distances)."""
        ...

    def ks_distance(self) -> float:
        """max |F - G| over the two empirical distribution functions."""
        ...

    def wasserstein_distance(self) -> float:
        """The area between the two empirical distribution functions (both finite)."""
        ...


class Sample(Protocol):
    """The non-missing values of one side's column, as floats (dates: seconds since the
    epoch), wherever they are held; every statistic is exact."""

    n: int

    def distinct(self, cap: int) -> int:
        """Distinct values as `np.diff` of the sorted values counts them (each infinity
        counts once per occurrence: inf - inf is NaN, not 0); more than `cap` is `cap + 1`."""
        ...

    def infinities(self) -> tuple[int, int]:
        """(how many -inf, how many +inf)."""
        ...

    def order_statistics(self, ranks: np.ndarray) -> np.ndarray:
        """The values at these 0-based ranks of the sorted values."""
        ...

    def bin_counts(self, edges: np.ndarray) -> np.ndarray:
        """How many values fall in each bin [edge_i, edge_i+1) (open ends; NaN edges last and
        empty), as floats."""
        ...

    def value_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """(distinct values ascending, their counts); -0.0 and 0.0 are one value."""
        ...

    def std(self) -> float:
        """The population standard deviation (NaN when the values hold an infinity)."""
        ...

    def sketch(self, points: int) -> Sketch:
        """The step summary of the values (exact when they have at most `points` distinct)."""
        ...

    def joint(self, other: Sample) -> Joint | None:
        """Exact two-sample statistics with `other`, or None when not computed together."""
        ...


@dataclass(frozen=True)
class Sketch:
    """Exact points of one sample's distribution function: at each of `points` (ascending,
    distinct, the smallest and the largest value among them) how many values are below and
    how many at most. Between two points the function is known to lie between them."""

    n: int
    points: np.ndarray
    below: np.ndarray
    upto: np.ndarray

    @classmethod
    def of_sorted(cls, values: np.ndarray, points: int) -> Sketch:
        """The step summary of sorted finite-or-infinite values (exact for few distinct)."""
        n = len(values)
        at = _unique_sorted(values)
        if len(at) > points:
            at = _unique_sorted(values[sketch_ranks(n, points)])
        below = np.searchsorted(values, at, side="left")
        upto = np.searchsorted(values, at, side="right")
        return cls(n, at, below.astype(float), upto.astype(float))


def sketch_ranks(n: int, points: int) -> np.ndarray:
    """The ranks a sketch of `n` values keeps when they have more distinct values."""
    return np.unique(np.round(np.linspace(0, n - 1, points + 1)).astype(np.int64))


def _unique_sorted(values: np.ndarray) -> np.ndarray:
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


class ArraySample:
    """A sample held in memory (the pandas engine): the reference computation."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = np.sort(np.asarray(values, dtype="float64"))
        self.n = len(self.values)

    def distinct(self, cap: int) -> int:
        found = int(np.count_nonzero(np.diff(self.values))) + 1 if self.n else 0
        return min(found, cap + 1)

    def infinities(self) -> tuple[int, int]:
        return int(np.count_nonzero(self.values == -np.inf)), int(
            np.count_nonzero(self.values == np.inf)
        )

    def order_statistics(self, ranks: np.ndarray) -> np.ndarray:
        return np.asarray(self.values[ranks])

    def bin_counts(self, edges: np.ndarray) -> np.ndarray:
        return _counts(self.values, edges)

    def value_counts(self) -> tuple[np.ndarray, np.ndarray]:
        uniq, counts = np.unique(self.values, return_counts=True)
        return uniq, counts

    def std(self) -> float:
        return float(np.std(self.values))

    def sketch(self, points: int) -> Sketch:
        return Sketch.of_sorted(self.values, points)

    def joint(self, other: Sample) -> Joint | None:
        return ArrayJoint(self.values, other.values) if isinstance(other, ArraySample) else None


class ArrayJoint:
    def __init__(self, ref: np.ndarray, cur: np.ndarray) -> None:
        self.ref, self.cur = ref, cur

    def order_statistics(self, ranks: np.ndarray) -> np.ndarray:
        return np.asarray(self.ref[ranks])

    def ks_distance(self) -> float:
        """As `scipy.stats.ks_2samp` computes it (the ECDFs after ties, at every value)."""
        both = np.concatenate([self.ref, self.cur])
        cdf1 = np.searchsorted(self.ref, both, side="right") / len(self.ref)
        cdf2 = np.searchsorted(self.cur, both, side="right") / len(self.cur)
        return float(np.max(np.abs(cdf1 - cdf2)))

    def wasserstein_distance(self) -> float:
        return wasserstein_sorted(self.ref, self.cur)


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
    return sample_drift(ArraySample(ref), ArraySample(cur), method, threshold, bins, dates=dates)


def sample_drift(
    ref: Sample,
    cur: Sample,
    method: str,
    threshold: float | None,
    bins: int,
    *,
    dates: bool = False,
) -> DriftResult:
    """Drift of a numeric column from its two samples (see the module's docstring)."""
    n_unique = ref.distinct(FEW_VALUES)
    if method == "auto":
        method = choose(True, ref.n, n_unique)
    if n_unique <= FEW_VALUES and method in ("psi", "chi2", "jensen_shannon"):
        ref_c, cur_c = _value_counts(*ref.value_counts()), _value_counts(*cur.value_counts())
        if dates:
            ref_c, cur_c = _date_keys(ref_c), _date_keys(cur_c)
        return categorical_drift(ref_c, cur_c, method, threshold)
    joint = ref.joint(cur) if method in ("ks", "wasserstein") else None
    edges = reference_edges(ref, bins, joint)
    ref_n, cur_n = ref.bin_counts(edges), cur.bin_counts(edges)
    ref_share, cur_share = ref_n / max(ref_n.sum(), 1), cur_n / max(cur_n.sum(), 1)
    labels = _bin_labels(edges, _date_label if dates else _number_label)
    approximate = ""
    if method == "ks":
        low, high = _ks_distance(ref, cur, joint)
        score = ks_pvalue((low + high) / 2, ref.n, cur.n)
        if high > low:
            p_lo, p_hi = ks_pvalue(high, ref.n, cur.n), ks_pvalue(low, ref.n, cur.n)
            approximate = (
                f"approximate: KS distance within ±{(high - low) / 2:.2g}, p-value between "
                f"{p_lo:.4g} and {p_hi:.4g}"
            )
    elif method == "wasserstein":
        std = ref.std()
        low, high = _wasserstein(ref, cur, joint)
        score = _wasserstein_score((low + high) / 2, std)
        if high > low:
            bound = (high - low) / 2 / std if std > 0 else float("inf")
            approximate = f"approximate: wasserstein score within ±{bound:.2g}"
    else:
        score = _binned(method, ref_n, cur_n, ref_share, cur_share)
    result = _result(method, score, threshold, ref.n, cur.n, labels, ref_share, cur_share)
    result.histogram = histogram(labels, ref_share, cur_share, ordered=True)
    if approximate:
        result.approximate = approximate + " (the two datasets are on different engines)"
    return result


def _wasserstein_score(dist: float, std: float) -> float:
    """The distance in reference standard deviations (NaN stays NaN: the check errors)."""
    if dist != dist:
        return dist
    return dist / std if std > 0 else (0.0 if dist == 0 else float("inf"))


def _ks_distance(ref: Sample, cur: Sample, joint: Joint | None) -> tuple[float, float]:
    if joint is not None:
        d = joint.ks_distance()
        return d, d
    return sketch_bounds(ref.sketch(SKETCH_POINTS), cur.sketch(SKETCH_POINTS))[0]


def _wasserstein(ref: Sample, cur: Sample, joint: Joint | None) -> tuple[float, float]:
    """The distance (low, high): NaN or inf as numpy's merged-sample sum gives it when a side
    holds an infinity (NaN when two equal infinities meet: inf - inf), else from the finite
    values."""
    (ref_ninf, ref_pinf), (cur_ninf, cur_pinf) = ref.infinities(), cur.infinities()
    if ref_ninf + ref_pinf + cur_ninf + cur_pinf:
        same = ref_ninf + cur_ninf >= 2 or ref_pinf + cur_pinf >= 2
        value = float("nan") if same else float("inf")
        return value, value
    if joint is not None:
        w = joint.wasserstein_distance()
        return w, w
    return sketch_bounds(ref.sketch(SKETCH_POINTS), cur.sketch(SKETCH_POINTS))[1]


def sketch_bounds(a: Sketch, b: Sketch) -> tuple[tuple[float, float], tuple[float, float]]:
    """Bounds ((low, high) of the KS distance, (low, high) of the Wasserstein distance) of two
    samples known by their step summaries. On every point of either summary and on every
    open interval between two consecutive ones, each distribution function lies in a known
    range; the distances' bounds follow (exact when every distinct value is a point)."""
    grid = np.union1d(a.points, b.points)
    fa = _ranges(a, grid)
    fb = _ranges(b, grid)
    # at the points, then on the open intervals after each point
    lows, highs = [], []
    for (alo, ahi), (blo, bhi) in zip(fa, fb, strict=True):
        lows.append(np.maximum(0.0, np.maximum(alo - bhi, blo - ahi)))
        highs.append(np.maximum(ahi - blo, bhi - alo))
    ks = (float(max(lows[0].max(), lows[1].max())), float(max(highs[0].max(), highs[1].max())))
    if not np.all(np.isfinite(grid)):
        return ks, (float("nan"), float("nan"))  # (infinities are handled by the caller)
    width = np.diff(grid)
    w = (float(np.sum(lows[1][:-1] * width)), float(np.sum(highs[1][:-1] * width)))
    return ks, w


def _ranges(
    s: Sketch, grid: np.ndarray
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The range of a sketch's distribution function at each grid point and on the open
    interval after it, as shares."""
    j = np.searchsorted(s.points, grid, side="right") - 1  # the last point <= the grid point
    upto = np.concatenate([[0.0], s.upto])  # index j + 1
    below = np.concatenate([s.below, [float(s.n)]])  # index j + 1: the next point's
    exact = (j >= 0) & (s.points[np.maximum(j, 0)] == grid)
    after_lo, after_hi = upto[j + 1], below[j + 1]
    at_lo = np.where(exact, upto[j + 1], after_lo)
    at_hi = np.where(exact, upto[j + 1], after_hi)
    n = max(s.n, 1)
    return (at_lo / n, at_hi / n), (after_lo / n, after_hi / n)


def ks_pvalue(d: float, n1: int, n2: int) -> float:
    """The two-sided p-value `scipy.stats.ks_2samp` (method auto) gives for the distance `d`
    between samples of `n1` and `n2` values: exact up to 10,000 values (computed by scipy on
    two samples with that distance), else Smirnov's asymptotic distribution."""
    from scipy.stats import ks_2samp, kstwo

    if max(n1, n2) <= _KS_EXACT_N:
        pair = _samples_at(d, n1, n2)
        if pair is not None:
            return float(ks_2samp(*pair).pvalue)
    m, n = sorted([float(n1), float(n2)], reverse=True)
    en = m * n / (m + n)
    return float(np.clip(kstwo.sf(d, np.round(en)), 0, 1))


def _samples_at(d: float, n1: int, n2: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Two samples of `n1` and `n2` values whose KS distance is `d` on scipy's exact grid
    (multiples of 1/lcm(n1, n2)): i/n1 - j/n2 = h/lcm, solved for whole i, j."""
    g = math.gcd(n1, n2)
    a, b = n2 // g, n1 // g
    lcm = b * n2
    h = round(d * lcm)
    i = (h * pow(a, -1, b)) % b if b > 1 else 0
    j = (i * a - h) // b
    if j < 0:
        k = -(j // a)  # the fewest steps making j whole and >= 0
        i, j = i + k * b, j + k * a
    if not (0 <= i <= n1 and 0 <= j <= n2) or i * a - j * b != h:
        return None
    ref = np.repeat([0.0, 1.0], [i, n1 - i])
    cur = np.repeat([0.0, 1.0], [j, n2 - j])
    return ref, cur


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


def reference_edges(ref: Sample, bins: int, joint: Joint | None = None) -> np.ndarray:
    """Interior bin edges: the reference's quantiles (deduplicated; -0.0 shown as 0), from
    the joint computation when there is one (its ranks come with the distances)."""
    qs = np.linspace(0, 1, bins + 1)[1:-1]
    lo, hi, gamma = quantile_positions(ref.n, qs)
    ranks = np.unique(np.concatenate([lo, hi]))
    found = (joint if joint is not None else ref).order_statistics(ranks)
    return np.unique(_interpolated(ranks, found, lo, hi, gamma)) + 0.0


def quantiles_by_rank(sample: Sample, qs: Sequence[float]) -> list[float]:
    """The q-quantiles of a sample from its order statistics, as `np.quantile` computes them
    (an engine finds the few values at those ranks; no value is pulled)."""
    lo, hi, gamma = quantile_positions(sample.n, np.asarray(qs, dtype="float64"))
    ranks = np.unique(np.concatenate([lo, hi]))
    found = sample.order_statistics(ranks)
    return [float(v) for v in _interpolated(ranks, found, lo, hi, gamma)]


def _interpolated(
    ranks: np.ndarray, found: np.ndarray, lo: np.ndarray, hi: np.ndarray, gamma: np.ndarray
) -> np.ndarray:
    """The quantiles between the values `found` at `ranks` (see `quantile_positions`)."""
    at = dict(zip(ranks.tolist(), found.tolist(), strict=True))
    a = np.array([at[r] for r in lo.tolist()], dtype="float64")
    b = np.array([at[r] for r in hi.tolist()], dtype="float64")
    return _lerp(a, b, gamma)


def quantile_positions(n: int, qs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ranks below and above each q-quantile of `n` sorted values and the weight between
    them, as `np.quantile` (method linear) computes them."""
    virtual = (n - 1) * np.asarray(qs, dtype="float64")
    prev = np.floor(virtual)
    nxt = prev + 1
    above = virtual >= n - 1
    prev[above] = -1
    nxt[above] = -1
    below = virtual < 0
    prev[below] = 0
    nxt[below] = 0
    gamma = virtual - prev
    lo = prev.astype(np.int64) % n
    hi = nxt.astype(np.int64) % n
    return lo, hi, gamma


def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """numpy's interpolation between two order statistics (`np.quantile`, method linear)."""
    with np.errstate(invalid="ignore"):  # an infinity: NaN, as numpy gives it
        diff = b - a
        out: np.ndarray = np.add(a, diff * t)
        np.subtract(b, diff * (1 - t), out=out, where=t >= 0.5)
    return out


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


def _value_counts(uniq: np.ndarray, counts: np.ndarray) -> Counter[Any]:
    return Counter({_plain(u): int(c) for u, c in zip(uniq, counts, strict=True)})


def _plain(value: Any) -> Any:
    f = float(value)
    return int(f) if f.is_integer() else f
