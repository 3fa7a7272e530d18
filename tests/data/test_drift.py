"""Drift: each method, `auto`'s choice, the minimum sample, determinism, what moved most."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp, wasserstein_distance

from mlgate.data.drift import categorical_drift, choose, numeric_drift
from mlgate.testing import assert_no_drift

rng = np.random.default_rng(11)
REF = rng.normal(50, 10, 5000)
SAME = rng.normal(50, 10, 5000)
SHIFTED = rng.normal(58, 10, 5000)


def test_auto_follows_the_common_defaults() -> None:
    assert choose(True, 500, 100) == "ks"
    assert choose(False, 500, 3) == "chi2"
    assert choose(True, 500, 4) == "chi2"  # few distinct values: categorical
    assert choose(True, 5000, 100) == "wasserstein"
    assert choose(False, 5000, 3) == "jensen_shannon"


@pytest.mark.parametrize(
    ("method", "same_ok", "threshold"),
    [
        ("psi", True, 0.2),
        ("ks", True, 0.05),
        ("chi2", True, 0.05),
        ("jensen_shannon", True, 0.1),
        ("wasserstein", True, 0.1),
    ],
)
def test_each_method_separates_same_from_shifted(
    method: str, same_ok: bool, threshold: float
) -> None:
    same = numeric_drift(REF, SAME, method, None, 10)
    shifted = numeric_drift(REF, SHIFTED, method, None, 10)
    assert (same.method, same.threshold) == (method, threshold)
    assert not same.drifted
    assert shifted.drifted
    assert shifted.moved[0]["change"] != 0
    assert (shifted.reference_rows, shifted.current_rows) == (5000, 5000)


def test_scores_match_scipy_and_are_deterministic() -> None:
    r = numeric_drift(REF, SHIFTED, "ks", None, 10)
    assert r.score == ks_2samp(REF, SHIFTED).pvalue
    w = numeric_drift(REF, SHIFTED, "wasserstein", None, 10)
    assert w.score == pytest.approx(wasserstein_distance(REF, SHIFTED) / REF.std())
    again = numeric_drift(REF.copy(), SHIFTED.copy(), "psi", None, 10)
    assert again.score == numeric_drift(REF, SHIFTED, "psi", None, 10).score
    assert again.moved == numeric_drift(REF, SHIFTED, "psi", None, 10).moved


def test_categorical_drift_names_the_categories_that_moved() -> None:
    ref = Counter({"F": 460, "M": 460, "X": 80})
    cur = Counter({"F": 300, "M": 460, "X": 240})
    r = categorical_drift(ref, cur, "auto", None)
    assert r.method == "jensen_shannon" or r.method == "chi2"
    assert r.drifted
    assert {m["bin"] for m in r.moved[:2]} == {"F", "X"}
    psi = categorical_drift(ref, cur, "psi", 0.2)
    assert psi.moved[0] == {"bin": "F", "reference": 0.46, "current": 0.3, "change": -0.16}


def test_a_new_category_counts_as_drift() -> None:
    r = categorical_drift(
        Counter({"a": 500, "b": 500}),
        Counter({"a": 400, "b": 400, "c": 200}),
        "jensen_shannon",
        None,
    )
    assert r.drifted
    assert r.moved[0]["bin"] == "c"


def test_wasserstein_needs_numbers() -> None:
    from mlgate.errors import CheckError

    with pytest.raises(CheckError, match="needs a numeric column"):
        categorical_drift(Counter({"a": 1}), Counter({"a": 1}), "wasserstein", None)


def test_assert_no_drift_passes_skips_and_fails_like_the_gate() -> None:
    ref = pd.DataFrame({"x": REF, "g": rng.choice(["a", "b"], 5000)})
    assert_no_drift(pd.DataFrame({"x": SAME, "g": rng.choice(["a", "b"], 5000)}), ref)
    assert_no_drift(pd.DataFrame({"x": SHIFTED[:10]}), ref, ["x"])  # too few rows: skipped
    with pytest.raises(AssertionError) as err:
        assert_no_drift(pd.DataFrame({"x": SHIFTED}), ref, ["x"], method="psi", threshold=0.1)
    text = str(err.value)
    assert text.startswith("1 data check failed:\n  drift/x: psi score ")
    assert "(drift if above 0.1) · reference 5,000 rows · current 5,000 rows · moved most:" in text


def test_a_wasserstein_distance_between_equal_infinities_errors_instead_of_passing() -> None:
    from mlgate.testing.data import _judge_suite

    values = np.append(rng.normal(0, 1, 500), [np.inf, np.inf])
    ref, cur = pd.DataFrame({"x": values}), pd.DataFrame({"x": values[::-1].copy()})
    assert np.isnan(wasserstein_distance(ref["x"], cur["x"]))  # scipy: inf - inf
    entry = {
        "dataset": "frame",
        "drift": {"reference": "reference", "columns": ["x"], "method": "wasserstein"},
    }
    [(cid, outcome)] = _judge_suite(entry, cur, ref)
    assert (cid, outcome.status) == ("drift/x", "error")
    assert outcome.message == (
        "the wasserstein score is undefined: both datasets hold the same infinity, and a "
        "distance between infinities has no value (inf - inf); drop the infinite values or "
        "use `method: psi` or `ks`"
    )
    one_side = pd.DataFrame({"x": np.append(rng.normal(0, 1, 500), [np.inf])})
    [(_, outcome)] = _judge_suite(entry, one_side, ref.iloc[:500])
    assert outcome.status == "failed"  # an infinity on one side only is an infinite distance
