"""Sums an engine adds up in parallel are rounded, so two runs give the same report."""

from __future__ import annotations

import math

from mlgate.engines.sql import steady


def test_sums_in_another_order_read_the_same() -> None:
    a = 0.1 + 0.2 + 0.3
    b = 0.3 + 0.2 + 0.1
    assert a != b
    assert steady(a) == steady(b) == 0.6
    assert steady(27314.41779909734) == steady(27314.4177990973)


def test_steady_keeps_what_is_not_a_finite_number_and_twelve_digits() -> None:
    assert math.isnan(steady(math.nan))
    assert steady(math.inf) == math.inf
    assert steady(-0.0) == 0.0
    assert steady(123456789.123456789) == 123456789.123
    assert steady(1e-300) == 1e-300
