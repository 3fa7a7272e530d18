"""Invariance and directional tests: rates, batching, dtypes, saturation, expectations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgate.errors import CheckError
from mlgate.model import scoring
from mlgate.model.behaviour import directional, invariance
from mlgate.model.scoring import make_scorer
from mlgate.model.stats import rate_text, wilson
from tests.model.fakes import Clipped, Linear, frame


def scorer_for(model: object, df: pd.DataFrame, **params: object) -> scoring.Scorer:
    return make_scorer("m", model, {"target": "y", **params}, df.head(2))


def test_value_swaps_try_every_row_with_every_other_value_in_one_call() -> None:
    df = frame(600)
    model = Linear({"income": 1.0}, gender_bias=2.0)
    sc = scorer_for(model, df)
    result = invariance(sc, df, "gender", values=["F", "M", "X"], tolerance=0.01)
    assert result.n == 1200  # 600 rows x 2 other values
    assert model.calls == [600, 1200]  # the original rows, then every perturbed copy at once
    # only swaps to or from M move the score: F<->X pairs do not
    n_m = int((df["gender"] == "M").sum())
    assert result.k == n_m * 2 + (600 - n_m) * 1
    assert not result.ok
    assert result.message.startswith(
        "changing `gender` to another of F, M, X: the score moved by more than 0.01 on "
        f"{rate_text(result.k, 1200, 'row × value pairs', 'allowed 0%')}"
    )
    worst = result.examples[0]
    assert {worst["gender"], worst["→ gender"]} & {"M"}
    assert abs(worst["Δ"]) > 0.2


def test_a_model_that_ignores_the_feature_passes_with_a_zero_rate() -> None:
    df = frame(300)
    result = invariance(
        scorer_for(Linear({"income": 1.0}), df), df, "gender", values=["F", "M", "X"]
    )
    assert result.ok
    assert result.k == 0
    assert result.n == 600
    assert result.examples == []


def test_perturbed_copies_are_chunked_to_bound_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scoring, "CHUNK_CELLS", 4_000)  # 3 features -> 1,333 rows per call
    df = frame(1500)
    model = Linear({"income": 1.0})
    invariance(scorer_for(model, df), df, "gender", values=["F", "M", "X"])
    # the 1,500 original rows, then the 3,000 perturbed copies: never more than 1,333 at once
    assert model.calls == [1333, 167, 1333, 1333, 334]


def test_noise_keeps_integer_columns_integer_and_is_seeded() -> None:
    df = frame(400)
    model = Linear({"age": 0.01})
    sc = scorer_for(model, df)
    first = invariance(sc, df, "age", noise={"relative": 0.1, "seed": 3}, tolerance=0.5)
    perturbed = model.seen[-1]["age"]
    assert perturbed.dtype == np.int64
    assert (perturbed != df["age"]).any()
    again = invariance(sc, df, "age", noise={"relative": 0.1, "seed": 3}, tolerance=0.5)
    assert first.details == again.details
    assert first.ok
    assert first.n == 400


def test_directional_reports_saturated_rows_apart() -> None:
    df = pd.DataFrame({"x": [10.0, 50.0, 99.5, 100.0, 120.0], "y": [0, 1, 1, 1, 1]})
    sc = make_scorer("m", Clipped(), {"target": "y"}, df)
    # a score without probabilities is never "saturated": the rows at the cap fail
    res = directional(sc, df, "x", {"add": 5}, "increase")
    assert (res.k, res.n) == (2, 5)
    assert res.details["saturated"] == 0


def test_directional_saturation_with_probabilities() -> None:
    df = pd.DataFrame({"income": [-8.0, 0.0, 1.0, 9.0, 12.0], "y": [0, 1, 0, 1, 1]})
    sc = scorer_for(Linear({"income": 1.0}), df)
    res = directional(sc, df, "income", {"add": 1}, "increase", saturation=0.01)
    assert res.details["saturated"] == 2
    assert res.n == 3
    assert res.k == 0
    assert res.ok
    assert "2 rows whose score is already >= 0.99 are reported apart" in res.message
    down = directional(sc, df, "income", {"add": 1}, "decrease")
    assert down.k == 4
    assert down.details["saturated"] == 1


@settings(max_examples=40, deadline=None)
@given(
    w=st.floats(-3, 3).filter(lambda v: abs(v) > 0.05),
    amount=st.floats(-2, 2).filter(lambda v: abs(v) > 0.05),
    expect=st.sampled_from(["increase", "decrease", "no_increase", "no_decrease"]),
)
def test_directional_expectations_follow_the_sign_of_the_move(
    w: float, amount: float, expect: str
) -> None:
    df = pd.DataFrame({"income": np.linspace(-0.5, 0.5, 21), "y": [0, 1] * 10 + [0]})
    sc = scorer_for(Linear({"income": w}), df)
    res = directional(sc, df, "income", {"add": amount}, expect)
    up = w * amount > 0
    should_pass = {"increase": up, "no_decrease": up, "decrease": not up, "no_increase": not up}
    assert res.ok is should_pass[expect]
    assert res.k == (0 if should_pass[expect] else 21)


def test_directional_multiply_on_a_text_column_is_an_error() -> None:
    df = frame(20)
    with pytest.raises(CheckError, match=r"change.multiply needs a numeric column; `gender`"):
        directional(
            scorer_for(Linear({"income": 1.0}), df), df, "gender", {"multiply": 2}, "increase"
        )


def test_an_unknown_feature_is_named_with_a_suggestion() -> None:
    df = frame(20)
    with pytest.raises(CheckError, match=r"column `incme` is not in the data.*income"):
        invariance(scorer_for(Linear({"income": 1.0}), df), df, "incme", values=[1])


@given(n=st.integers(1, 5000), data=st.data())
def test_wilson_interval_contains_the_rate(n: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, n))
    lo, hi = wilson(k, n)
    assert 0 <= lo <= k / n <= hi <= 1


def test_wilson_known_values() -> None:
    lo, hi = wilson(0, 10)
    assert lo == 0
    assert math.isclose(hi, 0.2775, abs_tol=1e-4)
    lo, hi = wilson(1204, 9000)
    assert math.isclose(lo, 0.1268, abs_tol=1e-3)
    assert math.isclose(hi, 0.1409, abs_tol=1e-3)


def test_rows_the_change_leaves_as_they_were_are_not_judged() -> None:
    df = pd.DataFrame({"income": [0.0, 0.5, 1.0, np.nan], "y": [0, 1, 1, 0]})
    sc = scorer_for(Linear({"income": 1.0}), df)
    res = directional(sc, df, "income", {"set": 0.0}, "decrease", saturation=0.0)
    assert (res.k, res.n, res.details["untested"]) == (0, 2, 2)
    assert "2 rows the change leaves as they were (or missing) not tested" in res.message
    doubled = directional(sc, df, "income", {"multiply": 2}, "increase", saturation=0.0)
    assert (doubled.k, doubled.n) == (0, 2)  # 0 x 2 is still 0; NaN is not tested
    before = df.copy()
    invariance(sc, df, "income", noise={"absolute": 1.0})
    pd.testing.assert_frame_equal(df, before)  # perturbing never touches the caller's frame
