"""Adjusted p-values for a family of tests: Holm (family-wise error) and Benjamini-Hochberg
(false discovery rate). Compare each adjusted p-value with the usual threshold."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

Correction = Literal["holm", "bh", "none"]
CORRECTIONS: tuple[Correction, ...] = ("holm", "bh", "none")


def holm(p: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment: the i-th smallest of m p-values times (m - i), made
    monotone and capped at 1."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def bh(p: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg: the i-th smallest of m p-values times m / i, made monotone from the
    largest down and capped at 1."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i], reverse=True)
    out = [0.0] * m
    running = 1.0
    for k, i in enumerate(order):
        rank = m - k  # 1-based rank from the smallest
        running = min(running, m * p[i] / rank)
        out[i] = min(1.0, running)
    return out


def adjust(p: Sequence[float], method: Correction) -> list[float]:
    """Adjusted p-values of `p` by `method` (`none`: unchanged)."""
    if method == "holm":
        return holm(p)
    if method == "bh":
        return bh(p)
    if method == "none":
        return [float(x) for x in p]
    raise ValueError(f"unknown correction {method!r} (known: {', '.join(CORRECTIONS)})")


CORRECTION_TEXT = {"holm": "Holm", "bh": "Benjamini-Hochberg", "none": "no correction"}
