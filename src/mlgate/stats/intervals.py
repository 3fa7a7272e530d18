"""Intervals of rates: Wilson for one proportion, Newcombe's hybrid score interval for the
difference of two independent proportions, and the normal quantile of a confidence level."""

from __future__ import annotations

import math
from statistics import NormalDist


def z_of(confidence: float) -> float:
    """The two-sided normal quantile: 0.95 -> 1.96."""
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of the proportion k/n at `confidence` (0..1 when n is 0)."""
    return wilson_z(k, n, z_of(confidence))


def wilson_z(k: int, n: int, z: float) -> tuple[float, float]:
    """The Wilson score interval of k/n for the normal quantile `z`; it always holds k/n."""
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if k <= 0 else max(0.0, min(p, centre - half))
    hi = 1.0 if k >= n else min(1.0, max(p, centre + half))
    return lo, hi


def newcombe(k1: int, n1: int, k2: int, n2: int, confidence: float = 0.95) -> tuple[float, float]:
    """Newcombe's (1998, method 10) interval of p1 - p2 for independent samples, from the two
    Wilson intervals; good coverage down to small samples."""
    p1, p2 = (k1 / n1 if n1 else 0.0), (k2 / n2 if n2 else 0.0)
    l1, u1 = wilson(k1, n1, confidence)
    l2, u2 = wilson(k2, n2, confidence)
    d = p1 - p2
    lo = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    hi = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return max(-1.0, lo), min(1.0, hi)
