"""Figures in messages: rates with their uncertainty (k of n with a 95% Wilson score
interval), intervals, and the words of a decision (`mlgate.stats.decide`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from mlgate.stats.intervals import wilson_z

if TYPE_CHECKING:
    pass

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of the proportion k/n (0..1 when n is 0)."""
    return wilson_z(k, n, z)


def pct(x: float) -> str:
    """A fraction as a short percentage: 0.134 -> '13.4%'."""
    v = 100 * x
    if abs(v) < 1e-9:
        v = 0.0
    if abs(v - 100) < 1e-9:
        v = 100.0
    if v == 0 or v == 100:
        return f"{v:.0f}%"
    if abs(v) < 0.1:
        return f"{v:.3f}%"
    return f"{v:.1f}%"


def rate_text(k: int, n: int, unit: str = "", allowed: str = "") -> str:
    """'1,204 of 9,000 pairs (13.4%, 95% CI 12.7–14.1%; allowed 0%)'."""
    lo, hi = wilson(k, n)
    share = pct(k / n) if n else "n/a"
    tail = f"; {allowed}" if allowed else ""
    unit = f" {unit}" if unit else ""
    return f"{k:,} of {n:,}{unit} ({share}, 95% CI {pct(lo).rstrip('%')}–{pct(hi)}{tail})"


def rate_details(k: int, n: int) -> dict[str, Any]:
    """The figures of a rate for `details`: k, n, rate and the Wilson interval."""
    lo, hi = wilson(k, n)
    return {"k": k, "n": n, "rate": (k / n) if n else None, "ci95": [lo, hi]}


def fmt(x: Any) -> str:
    """A number in a message: 4 significant digits, thousands separators."""
    if x is None:
        return "n/a"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return f"{x:,}"
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if v != v:
        return "NaN"
    if v == 0:
        return "0"
    if abs(v) >= 1e6 or abs(v) < 1e-3:
        return f"{v:.3g}"
    return f"{v:,.4g}" if abs(v) >= 1000 else f"{v:.4g}"


def bounds_text(lo: Any, hi: Any) -> str:
    """'>= 0.85', '<= 0.1', '>= 0.1 and <= 0.9'."""
    parts = []
    if lo is not None:
        parts.append(f">= {fmt(lo)}")
    if hi is not None:
        parts.append(f"<= {fmt(hi)}")
    return " and ".join(parts) or "any"


def within(value: float, lo: Any, hi: Any) -> bool:
    """Inclusive bounds; NaN is never within."""
    if value != value:
        return False
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def interval_text(
    ci: Sequence[float], confidence: float, what: str = "", show: Callable[[float], str] = fmt
) -> str:
    """'95% CI of the drop −0.0021 to 0.012' (or why there is none)."""
    level = f"{100 * confidence:g}% CI" + (f" {what}" if what else "")
    lo, hi = ci
    if lo != lo or hi != hi:
        return f"{level}: none (the metric is undefined in too many resamples)"
    return f"{level} {show(lo)} to {show(hi)}"
