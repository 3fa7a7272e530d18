"""The evidence / estimate / proof rule on every side of the limit, and the rows that decide."""

from __future__ import annotations

import math

import pytest

from mlgate.stats.decide import decide, round_2, rows_needed

NAN = float("nan")


@pytest.mark.parametrize(
    ("rule", "estimate", "low", "high", "verdict"),
    [
        # limit 0.01 on a drop: clearly fine, straddling with the estimate inside, straddling
        # with the estimate past, clearly past
        ("estimate", 0.000, -0.01, 0.008, "passed"),
        ("estimate", 0.005, -0.01, 0.02, "passed"),
        ("estimate", 0.015, 0.005, 0.025, "failed"),
        ("estimate", 0.030, 0.020, 0.040, "failed"),
        ("evidence", 0.000, -0.01, 0.008, "passed"),
        ("evidence", 0.005, -0.01, 0.02, "passed"),
        ("evidence", 0.015, 0.005, 0.025, "inconclusive"),
        ("evidence", 0.030, 0.020, 0.040, "failed"),
        ("evidence", 0.030, 0.010, 0.040, "inconclusive"),  # the limit is inclusive
        ("proof", 0.000, -0.01, 0.008, "passed"),
        ("proof", 0.000, -0.01, 0.010, "passed"),
        ("proof", 0.005, -0.01, 0.02, "failed"),
        ("proof", 0.015, 0.005, 0.025, "failed"),
        ("proof", 0.030, 0.020, 0.040, "failed"),
        ("evidence", 0.015, NAN, NAN, "inconclusive"),
        ("proof", 0.000, NAN, NAN, "failed"),
    ],
)
def test_rule_table(rule: str, estimate: float, low: float, high: float, verdict: str) -> None:
    d = decide(rule, estimate, low, high, 0.01, upper=True, n=1000)  # type: ignore[arg-type]
    assert d.verdict == verdict


def test_at_least_bounds_mirror_at_most_bounds() -> None:
    # agreement 0.94 needed >= 0.95: interval 0.93-0.96 straddles -> inconclusive
    assert decide("evidence", 0.94, 0.93, 0.96, 0.95, upper=False, n=500).verdict == (
        "inconclusive"
    )
    assert decide("evidence", 0.90, 0.88, 0.92, 0.95, upper=False, n=500).verdict == "failed"
    assert decide("proof", 0.97, 0.955, 0.98, 0.95, upper=False, n=500).verdict == "passed"
    assert decide("proof", 0.97, 0.94, 0.98, 0.95, upper=False, n=500).verdict == "failed"
    assert decide("estimate", 0.95, 0.90, 0.99, 0.95, upper=False, n=500).verdict == "passed"


def test_rows_that_would_decide() -> None:
    # estimate 0.015, low 0.005: half-width 0.01 must shrink below the margin 0.005:
    # (0.01 / 0.005)^2 = 4x the rows
    d = decide("evidence", 0.015, 0.005, 0.025, 0.01, upper=True, n=1114)
    assert d.rows_to_decide == 4500  # 4,456 rounded up to 2 significant digits
    proof = decide("proof", 0.0, -0.01, 0.02, 0.01, upper=True, n=1000)
    assert proof.rows_to_decide == 4000
    assert decide("proof", 0.02, 0.0, 0.04, 0.01, upper=True, n=1000).rows_to_decide is None
    assert rows_needed(1000, 0.0, 0.1) is None
    assert rows_needed(1000, math.inf, 0.1) is None
    assert rows_needed(1000, 0.01, 0.5) == 1100  # more rows than now, always
    assert round_2(4731) == 4800
    assert round_2(99.2) == 100
    assert round_2(12) == 12


def test_unknown_rule() -> None:
    with pytest.raises(ValueError, match="unknown rule"):
        decide("vibes", 0, 0, 0, 0, upper=True, n=1)  # type: ignore[arg-type]
