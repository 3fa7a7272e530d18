"""The histogram a drift result carries for the report's chart: bounded, and the same shares."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from mlgate.data.drift import HISTOGRAM_BINS, categorical_drift, histogram, numeric_drift


@given(st.integers(1, 60), st.booleans(), st.integers(0, 2**32 - 1))
def test_histogram_keeps_at_most_12_bins_and_the_shares(n: int, ordered: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    ref = rng.dirichlet(np.ones(n))
    cur = rng.dirichlet(np.ones(n))
    labels = [f"[{i}, {i + 1})" for i in range(n)]
    h = histogram(labels, ref, cur, ordered=ordered)
    assert len(h["bins"]) == len(h["reference"]) == len(h["current"]) <= HISTOGRAM_BINS
    assert abs(sum(h["reference"]) - 1) < 1e-3
    assert abs(sum(h["current"]) - 1) < 1e-3
    if n <= HISTOGRAM_BINS:
        assert h["bins"] == labels
    elif ordered:  # adjacent bins merged: the first starts at 0, the last ends at n
        assert h["bins"][0].startswith("[0, ")
        assert h["bins"][-1].endswith(f", {n})")
    else:
        assert h["bins"][-1] == f"other ({n - HISTOGRAM_BINS + 1})"


def test_numeric_and_categorical_drift_carry_their_histogram() -> None:
    rng = np.random.default_rng(1)
    result = numeric_drift(rng.normal(size=2000), rng.normal(1, size=2000), "psi", None, 10)
    assert len(result.histogram["bins"]) == 10
    assert result.histogram["reference"] == [0.1] * 10
    cats = categorical_drift(Counter(a=50, b=50), Counter(a=90, b=10), "psi", None)
    assert cats.histogram == {"bins": ["a", "b"], "reference": [0.5, 0.5], "current": [0.9, 0.1]}
