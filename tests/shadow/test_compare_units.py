"""The shadow family's pure parts: the agreement interval and label comparison."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from mlgate.shadow.compare import percentile, same_label
from mlgate.stats.intervals import wilson


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_wilson_interval_holds_the_rate(k: int, n: int) -> None:
    k = min(k, n)
    lo, hi = wilson(k, n)
    assert 0.0 <= lo <= k / n <= hi <= 1.0


def test_wilson_known_values() -> None:
    lo, hi = wilson(97, 100)
    assert (round(lo, 4), round(hi, 4)) == (0.9155, 0.9897)
    assert wilson(0, 0) == (0.0, 1.0)


def test_labels_compare_across_json_and_numpy() -> None:
    assert same_label(np.int64(1), 1)
    assert same_label(1.0, 1)
    assert same_label(True, 1)
    assert same_label("1", 1)
    assert same_label("yes", "yes")
    assert not same_label("yes", "no")
    assert not same_label(0, 1)


def test_percentile_nearest_rank() -> None:
    assert percentile([0.3, 0.1, 0.2], 50) == 0.2
    assert percentile([], 50) is None
