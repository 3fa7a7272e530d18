"""Bounds for numeric columns that hold for later data of the same source.

`min`/`max` say what is impossible, not what was seen; `median` says where the bulk lies. See
`numeric_checks` for the rules.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

TAIL_STRETCH = 2.0
"""How many times the reference's upper spread (median to 99th percentile) the bound adds above
the largest value seen, on the log scale for columns that are never negative."""

TAIL_SHARE = 0.05
"""The share of the largest positive values a Pareto tail is fitted to (see `_pareto_upper`)."""

RARE = 1e-7
"""The upper bound of a long-tailed column is the value a fitted tail exceeds once in this many
rows: if the tail is as fitted, a later file of a million rows stays below it 9 times in 10."""

MIN_ROWS_FOR_MEDIAN = 30
"""Fewer values than this: no `median` bound (its percentiles would mean little)."""


def numeric_checks(values: np.ndarray, integer: bool) -> dict[str, Any]:
    """`min`, `max` and `median` bounds for these finite, non-missing values.

    - Never negative in the reference: `min: 0` (a domain fact, not the smallest value seen).
      Never positive: `max: 0`.
    - Not whole numbers, all within [0, 1], and reaching 1, or at most 0.5 (1 is twice the
      largest value seen), or with a tail (below) that does not point past 1: a fraction,
      `max: 1`. (Values up to 0.94 with a tail pointing past 1 are not taken for a fraction.)
    - Otherwise the far side is extrapolated from the tail: the largest value seen plus
      `TAIL_STRETCH` times the spread from the median to the 99th percentile. For a column that
      is never negative this is done on the scale log(1 + x / c), c the median of the positive
      values, so that the tolerance is relative for long right tails (amounts, counts of rare
      events) and the rule does not depend on the unit; and it is at least the value a Pareto
      tail fitted to the largest values exceeds once in `RARE` rows (`_pareto_upper`).
    - `median` between the reference's 10th and 90th percentiles: a shift of the bulk or a change
      of unit (×100) fails it, a later window of the same source does not.
    Bounds are rounded outward to two significant digits (whole numbers for integer columns).
    """
    x = np.sort(values.astype(float))
    lo, hi = float(x[0]), float(x[-1])
    q01, q10, q50, q90, q99 = (float(q) for q in np.quantile(x, [0.01, 0.1, 0.5, 0.9, 0.99]))
    out: dict[str, Any] = {}
    if lo >= 0:
        out["min"] = 0
        upper = max(_log_upper(x, hi, q50, q99), _pareto_upper(x))
        room = upper <= 1 or hi == 1 or hi <= 0.5
        fraction = hi <= 1 and room and not (x == np.round(x)).all()
        if fraction:
            out["max"] = 1
        elif math.isfinite(upper):  # else too long a tail to bound
            out["max"] = _nice(upper, up=True, integer=integer)
    elif hi <= 0:
        out["max"] = 0
        lower = -_log_upper(-x[::-1], -lo, -q50, -q01)
        if math.isfinite(lower):
            out["min"] = _nice(lower, up=False, integer=integer)
    else:
        lower = lo - TAIL_STRETCH * _spread(q50 - q01, q50 - lo)
        upper = hi + TAIL_STRETCH * _spread(q99 - q50, hi - q50)
        out.update(
            {
                k: _nice(v, k == "max", integer)
                for k, v in (("min", lower), ("max", upper))
                if math.isfinite(v)
            }
        )
    if len(x) >= MIN_ROWS_FOR_MEDIAN:
        out["median"] = {
            "min": _nice(q10, up=False, integer=False),
            "max": _nice(q90, up=True, integer=False),
        }
    # rounding outward near the largest float can overflow: no bound rather than an infinite one
    return {k: v for k, v in out.items() if _finite(v)}


def _finite(bound: Any) -> bool:
    if isinstance(bound, dict):
        return all(_finite(v) for v in bound.values())
    return math.isfinite(bound)


def _spread(primary: float, fallback: float) -> float:
    return primary if primary > 0 else fallback if fallback > 0 else 1.0


def _log_upper(x: np.ndarray, hi: float, q50: float, q99: float) -> float:
    """The upper bound of a never-negative column, extrapolated on the log(1 + x/c) scale."""
    positive = x[x > 0]
    if not len(positive):
        return 0.0
    c = float(np.median(positive))

    def g(v: float) -> float:
        return math.log1p(v / c)

    spread = _spread(g(q99) - g(q50), g(hi) - g(q50))
    return c * _expm1(g(hi) + TAIL_STRETCH * spread)


def _pareto_upper(x: np.ndarray) -> float:
    """The value exceeded once in `RARE` rows by a Pareto tail fitted to the largest
    `TAIL_SHARE` of the positive values (Hill's estimator); 0 when there are too few."""
    positive = x[x > 0]
    k = max(10, int(len(positive) * TAIL_SHARE))
    if len(positive) <= k + 1:
        return 0.0
    threshold = float(positive[-k - 1])
    logs = float(np.log(positive[-k:] / threshold).sum())
    if threshold <= 0 or logs <= 0:
        return 0.0
    alpha = k / logs
    return threshold * _expm1(math.log(k / (len(x) * RARE)) / alpha, plus_one=True)


def _expm1(v: float, plus_one: bool = False) -> float:
    """exp(v) - 1 (or exp(v)), infinite past the largest float instead of an OverflowError."""
    if v > 700:
        return math.inf
    return math.exp(v) if plus_one else math.expm1(v)


def _nice(x: float, up: bool, integer: bool) -> int | float:
    """`x` rounded outward (up or down) to two significant digits."""
    if x == 0 or not math.isfinite(x):
        return 0 if x == 0 else x
    scale = 10.0 ** (math.floor(math.log10(abs(x))) - 1)
    if integer:
        scale = max(scale, 1.0)
    v = (math.ceil if up else math.floor)(round(x / scale, 9)) * scale
    v = float(f"{v:.12g}")  # no 0.30000000000000004
    exact = v.is_integer() and (integer or abs(v) >= 1) and abs(v) < 2**53
    return int(v) if exact else v
