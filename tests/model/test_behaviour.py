"""Invariance and directional tests: rates, batching, dtypes, saturation, expectations."""

from __future__ import annotations

import math
import re

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
    sc = scorer_for(Linear({"income": 1.0}, missing=2.0), df)
    res = directional(sc, df, "income", {"set": 0.0}, "decrease", saturation=0.0)
    assert (res.k, res.n, res.details["untested"]) == (0, 3, 1)  # setting a missing value
    assert "1 row the change leaves as it was (or missing) not tested" in res.message
    doubled = directional(sc, df, "income", {"multiply": 2}, "increase", saturation=0.0)
    assert (doubled.k, doubled.n) == (0, 2)  # 0 x 2 is still 0; NaN is not tested
    before = df.copy()
    invariance(sc, df, "income", noise={"absolute": 1.0})
    pd.testing.assert_frame_equal(df, before)  # perturbing never touches the caller's frame


@pytest.mark.parametrize(
    ("w", "expect", "said"),
    [
        (-1.0, "increase", "should increase the score; it did not increase by more than 0.01 on"),
        (1.0, "decrease", "should decrease the score; it did not decrease by more than 0.01 on"),
        (1.0, "no_increase", "should not increase the score; it increased by more than 0.01 on"),
        (-1.0, "no_decrease", "should not decrease the score; it decreased by more than 0.01 on"),
    ],
)
def test_directional_messages_count_what_the_failing_rows_did(
    w: float, expect: str, said: str
) -> None:
    """The count names what the failing rows did ("it decreased on 21 rows"), never a
    double negative ("should not decrease; it did not on 21 rows" counted rows that did)."""
    df = pd.DataFrame({"income": np.linspace(-0.5, 0.5, 21), "y": [0, 1] * 10 + [0]})
    res = directional(
        scorer_for(Linear({"income": w}), df), df, "income", {"add": 1}, expect, tolerance=0.01
    )
    assert res.k == 21
    assert f"`income` + 1 {said} 21 of 21 rows" in res.message


class NanAbove:
    """P(1) = x / 10, but NaN once x exceeds 5 (a model that breaks on values it never saw)."""

    classes_ = np.array([0, 1])

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        p = x["x"].to_numpy(dtype=float) / 10
        p = np.where(p > 0.5, np.nan, p)
        return np.column_stack([1 - p, p])

    def predict(self, x: pd.DataFrame) -> np.ndarray:
        return (x["x"].to_numpy(dtype=float) > 5).astype(int)


def test_a_perturbed_score_that_is_not_a_number_fails_and_is_counted() -> None:
    df = pd.DataFrame({"x": [1.0, 2.0, 4.5, 5.0], "y": [0, 0, 1, 1]})
    sc = make_scorer("m", NanAbove(), {"target": "y"}, df)
    inv = invariance(sc, df, "x", values=[5.0, 9.0], tolerance=0.9)
    # 9.0 gives NaN on all 4 rows; 5.0 moves 3 rows by less than 0.9
    assert (inv.k, inv.n) == (4, 7)
    assert "4 of them got a score that is not a number (NaN), counted as failing" in inv.message
    assert inv.details["nan_scores"] == 4
    assert inv.details["max_abs_delta"] == pytest.approx(0.4)
    up = directional(sc, df, "x", {"add": 1}, "increase", saturation=0.0)
    assert (up.k, up.n) == (2, 4)  # 4.5 and 5 go past 5: NaN, not an increase
    assert "2 of them got a score that is not a number (NaN)" in up.message
    assert [e["row"] for e in up.examples] == [2, 3]


def test_a_base_score_that_is_not_a_number_is_an_error_naming_the_rows() -> None:
    df = pd.DataFrame({"x": [1.0, 7.0, 2.0, 9.0], "y": [0, 1, 0, 1]})
    sc = make_scorer("m", NanAbove(), {"target": "y"}, df)
    with pytest.raises(CheckError) as err:
        invariance(sc, df, "x", values=[1.0])
    assert str(err.value).startswith(
        "model 'm' gave a score that is not a finite number (NaN or infinite) on 2 of 4 rows "
        "(rows 1, 3; predict_proba returned nan)"
    )


def test_a_feature_the_model_is_not_given_makes_the_test_say_it_shows_nothing() -> None:
    df = frame(50)
    sc = scorer_for(Linear({"income": 1.0}), df, features=["income", "age"])
    res = invariance(sc, df, "gender", values=["F", "M"])
    assert res.ok
    assert res.details["vacuous"] is True
    assert res.message.endswith(
        "; the model is not given `gender` (it is not among its columns), so this test shows "
        "nothing"
    )
    down = directional(sc, df, "age", {"add": 5}, "no_decrease")
    assert down.ok
    assert (
        "the score did not change on any row: this change of `age` does not affect it"
        in down.message
    )
    used = invariance(sc, df, "income", noise={"absolute": 1.0})
    assert "shows nothing" not in used.message
    assert used.details["vacuous"] is False


@pytest.mark.parametrize("returned", [(10,), (10, 1), (5, 2)])
def test_wrong_shaped_probabilities_name_the_model_and_the_shape(
    returned: tuple[int, ...],
) -> None:
    class Bad(Linear):
        def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
            return np.full(returned, 0.5)

    df = frame(10)
    sc = scorer_for(Bad({"income": 1.0}), df)
    shape = "(" + ", ".join(map(str, returned)) + ("," if len(returned) == 1 else "") + ")"
    message = f"model 'm': predict_proba returned an array of shape {shape} for 10 rows; "
    with pytest.raises(CheckError, match=re.escape(message + "expected (10, number of classes)")):
        sc.scores(df)


@pytest.mark.parametrize("returned", [(10, 2), (9,), ()])
def test_wrong_shaped_predictions_name_the_model_and_the_shape(returned: tuple[int, ...]) -> None:
    df = frame(10)
    sc = make_scorer("m", Const(returned), {"target": "y"}, df.head(2))
    shape = "(" + ", ".join(map(str, returned)) + ("," if len(returned) == 1 else "") + ")"
    with pytest.raises(
        CheckError,
        match=re.escape(
            f"model 'm': predict returned an array of shape {shape} for 10 rows; expected one "
            "value per row, shape (10,)"
        ),
    ):
        sc.scores_and_labels(df)


class Const:
    """`predict` answers an array of a fixed shape, whatever it is given."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def predict(self, x: pd.DataFrame) -> np.ndarray:
        return np.zeros(self.shape)


class NoClasses:
    """Probabilities without `classes_`: the score is the last column (or positive_class's)."""

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        a = x["income"].to_numpy(dtype=float)
        return np.column_stack([np.full(len(a), 0.2), np.full(len(a), 0.3), np.full(len(a), 0.5)])

    def predict(self, x: pd.DataFrame) -> np.ndarray:
        return np.full(len(x), 2)


def test_probabilities_without_classes_score_the_last_column_or_positive_class() -> None:
    df = frame(6)
    assert (scorer_for(NoClasses(), df).scores(df) == 0.5).all()
    assert (scorer_for(NoClasses(), df, positive_class=1).scores(df) == 0.3).all()
    assert (scorer_for(NoClasses(), df.head(0)).scores(df) == 0.5).all()  # without a sample
    with pytest.raises(CheckError, match="give positive_class as the column's number"):
        scorer_for(NoClasses(), df, positive_class="yes")


def test_a_value_a_categorical_column_has_not_seen_is_tried_not_made_missing() -> None:
    df = pd.DataFrame({"g": pd.Categorical(["F", "M", "F"]), "y": [0, 1, 0]})

    class Seen(Linear):
        def _z(self, x: pd.DataFrame) -> np.ndarray:
            assert x["g"].notna().all()  # never a silently missing value
            return (x["g"].astype(str).to_numpy() == "X").astype(float)

    sc = make_scorer("m", Seen({}), {"target": "y", "features": ["g"]}, df)
    res = invariance(sc, df, "g", values=["X"], tolerance=0.1)
    assert (res.k, res.n) == (3, 3)
    up = directional(sc, df, "g", {"set": "X"}, "increase", saturation=0.0)
    assert (up.k, up.n) == (0, 3)


def test_a_fraction_swapped_into_an_integer_column_stays_a_fraction() -> None:
    df = pd.DataFrame({"b": np.array([1, 2, 3], dtype=np.int64), "y": [0, 1, 0]})

    class Frac(Linear):
        def _z(self, x: pd.DataFrame) -> np.ndarray:
            return 10 * (x["b"].to_numpy(dtype=float) % 1)

    sc = make_scorer("m", Frac({}), {"target": "y"}, df)
    res = invariance(sc, df, "b", values=[2.5], tolerance=0.1)
    assert (res.k, res.n) == (3, 3)  # 2.5, not a truncated 2


def test_dates_given_as_text_are_swapped_in_as_dates() -> None:
    df = pd.DataFrame(
        {"d": pd.to_datetime(["2020-01-01", "2021-06-01", "2022-01-01"]), "y": [0, 1, 0]}
    )

    class Year(Linear):
        def _z(self, x: pd.DataFrame) -> np.ndarray:
            assert pd.api.types.is_datetime64_any_dtype(x["d"])
            return (x["d"].dt.year.to_numpy() - 2021).astype(float)

    sc = make_scorer("m", Year({}), {"target": "y"}, df)
    res = invariance(sc, df, "d", values=["2020-01-01"], tolerance=0.01)
    assert (res.k, res.n) == (2, 2)
