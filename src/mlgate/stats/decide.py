"""The rule that turns an estimate and its interval into a verdict against a limit.

`estimate` judges the point estimate; `evidence` fails only when the whole interval is on the
wrong side of the limit and calls a wrong-side estimate whose interval straddles the limit
*inconclusive*; `proof` passes only when the whole interval is on the right side. The same
rule serves every bound: `upper=True` for "at most" (a drop, a latency), `upper=False` for
"at least" (an agreement rate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from mlgate.checks import Outcome

Rule = Literal["evidence", "estimate", "proof"]
RULES: tuple[Rule, ...] = ("evidence", "estimate", "proof")
DEFAULT_RULE: Rule = "evidence"
DEFAULT_CONFIDENCE = 0.95
Verdict = Literal["passed", "failed", "inconclusive"]


@dataclass(frozen=True)
class Decision:
    """A verdict and, when more rows would change or settle it, about how many would."""

    verdict: Verdict
    reason: str
    rows_to_decide: int | None = None


def decide(
    rule: Rule,
    estimate: float,
    low: float,
    high: float,
    limit: float,
    *,
    upper: bool,
    n: int,
) -> Decision:
    """The verdict of `rule` for a quantity that must be <= `limit` (`upper`) or >= `limit`.

    `low`/`high` is the interval of the estimate (NaN when none could be computed); `n` the
    number of rows behind it, from which the rows that would decide are extrapolated (an
    interval's half-width shrinks as 1/sqrt(rows)).
    """
    if not upper:  # mirror "at least" onto "at most"
        estimate, low, high, limit = -estimate, -high, -low, -limit
    side = "above" if upper else "below"
    right = "below" if upper else "above"
    bad_point = estimate > limit
    if rule == "estimate":
        if bad_point:
            return Decision("failed", f"the estimate is {side} the limit")
        return Decision("passed", "the estimate is within the limit")
    # a side may be unbounded (NaN): an order-statistic interval of a high percentile from few
    # timings has a lower bound but no upper one; each rule needs only the side it judges
    if rule == "evidence":
        if not bad_point:
            return Decision("passed", "the estimate is within the limit")
        if not math.isnan(low) and low > limit:
            return Decision("failed", f"the whole interval is {side} the limit")
        rows = None if math.isnan(low) else rows_needed(n, estimate - low, estimate - limit)
        return Decision("inconclusive", "the interval straddles the limit", rows)
    if rule == "proof":
        if not math.isnan(high) and high <= limit:
            return Decision("passed", f"the whole interval is {right} the limit")
        rows = None
        if not math.isnan(high) and not bad_point:
            rows = rows_needed(n, high - estimate, limit - estimate)
        why = (
            f"the estimate is {side} the limit"
            if bad_point
            else "the interval reaches past the limit (not shown within it)"
        )
        return Decision("failed", why, rows)
    raise ValueError(f"unknown rule {rule!r} (known: {', '.join(RULES)})")


def rows_needed(n: int, half_width: float, margin: float) -> int | None:
    """About how many rows would make an interval of this half-width (now from `n` rows) narrow
    enough to clear `margin`, rounded to 2 significant digits; None when it cannot be told."""
    if n <= 0 or margin <= 0 or not half_width > 0 or math.isinf(half_width):
        return None
    need = n * (half_width / margin) ** 2
    if need > 1e12:
        return None
    return round_2(max(need, n + 1))


def round_2(x: float) -> int:
    """2 significant digits, rounded up: 4,731 -> 4,800."""
    if x < 100:
        return math.ceil(x)
    scale = 10 ** (int(math.log10(x)) - 1)
    return int(math.ceil(x / scale) * scale)


VERDICT_WORDS = {"passed": "passes", "failed": "fails", "inconclusive": "inconclusive"}


def decision_text(rule: str, decision: Decision, n: int) -> str:
    """'inconclusive: the interval straddles the limit (decide: evidence); about 4,800 rows
    would decide (1,114 now)'."""
    out = f"{VERDICT_WORDS[decision.verdict]}: {decision.reason} (decide: {rule})"
    if decision.rows_to_decide:
        what = "would decide" if decision.verdict == "inconclusive" else "could show it within"
        out += f"; about {decision.rows_to_decide:,} rows {what} ({n:,} now)"
    return out


def decision_outcome(decision: Decision, message: str, **kw: Any) -> Outcome:
    """passed / failed, and `warning` for an inconclusive comparison (whatever the severity)."""
    from mlgate.checks import Outcome

    if decision.verdict == "inconclusive":
        return Outcome.warning(message, **kw)
    return Outcome.judge(decision.verdict == "passed", message, **kw)
