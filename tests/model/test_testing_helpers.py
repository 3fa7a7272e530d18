"""`mlgate.testing` model assertions: same semantics and messages as the gate."""

from __future__ import annotations

import pytest

from mlgate.testing import assert_directional, assert_invariant, assert_metric
from mlgate.testing.model import VacuousTestWarning
from tests.model.fakes import Linear, frame


def test_assert_invariant_passes_and_fails_with_the_gates_message() -> None:
    df = frame(200)
    with pytest.warns(VacuousTestWarning):  # the model ignores gender: it passes, but says so
        ok = assert_invariant(Linear({"income": 1.0}), df, "gender", values=["F", "M"], target="y")
    # F and M rows are tried with the other; X rows (not in the list) with both
    assert ok.k == 0
    assert ok.n == 200 + int((df["gender"] == "X").sum())
    with pytest.raises(AssertionError) as err:
        assert_invariant(
            Linear({"income": 1.0}, gender_bias=1.0),
            df,
            "gender",
            values=["F", "M"],
            tolerance=0.01,
            target="y",
        )
    text = str(err.value)
    assert "changing `gender` to another of F, M: the score moved by more than 0.01 on" in text
    assert "rows that violated it most:" in text
    assert "→ gender" in text


def test_assert_directional_reports_the_expectation() -> None:
    df = frame(100)
    assert_directional(Linear({"income": 2.0}), df, "income", {"add": 1}, "increase", target="y")
    with pytest.raises(
        AssertionError,
        match=r"`income` \+ 1 should decrease the score; it did "
        r"not decrease on 100 of 100 rows",
    ):
        assert_directional(
            Linear({"income": 2.0}),
            df,
            "income",
            {"add": 1},
            "decrease",
            target="y",
            saturation=0.0,
        )


def test_assert_metric_bounds() -> None:
    df = frame(500)
    df["y"] = (df["income"] > 0).astype(int)
    value = assert_metric(Linear({"income": 1.0}), df, "roc_auc", target="y", min=0.99)
    assert value == pytest.approx(1.0)
    with pytest.raises(AssertionError, match=r"accuracy 0(\.\d+)? on 500 rows \(expected >= 0.9\)"):
        assert_metric(Linear({"income": -1.0}), df, "accuracy", target="y", min=0.9)
    with pytest.raises(TypeError):
        assert_metric(Linear({"income": 1.0}), df, "accuracy", target="y")


def test_an_assertion_on_a_column_the_model_does_not_use_warns_that_it_shows_nothing() -> None:
    df = frame(40)
    with pytest.warns(VacuousTestWarning, match="this change of `gender` does not affect it"):
        assert_invariant(Linear({"income": 1.0}), df, "gender", values=["F", "M"], target="y")
    with pytest.warns(VacuousTestWarning, match="this change of `age` does not affect it"):
        assert_directional(Linear({"income": 1.0}), df, "age", {"add": 1}, "no_increase")
