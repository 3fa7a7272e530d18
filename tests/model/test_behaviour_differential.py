"""Differential tests: mlgate's batched behavioural tests against a slow row-by-row reference.

Random frames (seeded numpy, parameters from hypothesis) and random scikit-learn models
(trees, forests, gradient boosting, logistic regression, a regressor), including models that
ignore the perturbed column, which must report no row moved. Counts of moved rows, the largest
move and direction counts must agree; `EPS` only absorbs last-digit float differences between
a one-row and a batched predict call.
"""

from __future__ import annotations

import functools
import json
import textwrap
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from mlgate.cli import main
from mlgate.model.behaviour import Behaviour, directional, invariance
from mlgate.model.scoring import make_scorer
from tests.model import reference as ref

EPS = 1e-9
KINDS = ("tree", "forest", "boosting", "logreg", "tree_regressor")
FEATURES = ("a", "b", "s")
LABELS = {"01": [0, 1], "text": ["no", "yes"], "three": [0, 1, 2]}
SETTINGS = settings(max_examples=10, deadline=None)


def _frame(rng: np.random.Generator, n: int, nan: bool) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "a": rng.normal(0, 1, n).round(2),
            "b": rng.integers(0, 10, n).astype(np.int64),
            "s": rng.integers(0, 2, n).astype(np.int64),
        }
    )
    if nan:
        df.loc[rng.random(n) < 0.2, "a"] = np.nan
    return df


@functools.cache
def _model(kind: str, seed: int, ignore: str | None, labels: str) -> tuple[Any, bool]:
    """A fitted model and whether it handles missing values; `ignore`: a column held
    constant in training, so the model never uses it."""
    rng = np.random.default_rng(seed)
    nan_ok = kind in ("tree", "forest", "tree_regressor")
    train = _frame(rng, 300, nan=nan_ok)
    if ignore:
        train[ignore] = 0.0 if ignore == "a" else 0
    z = (
        rng.normal(0, 1.5) * train["a"].fillna(0)
        + rng.normal(0, 0.5) * (train["b"] - 4.5)
        + rng.normal(0, 2) * (train["s"] - 0.5)
        + rng.normal(0, 0.7, len(train))
    )
    if kind == "tree_regressor":
        return DecisionTreeRegressor(max_depth=4, random_state=seed).fit(train, z), nan_ok
    classes = LABELS[labels]
    cuts = np.quantile(z, np.linspace(0, 1, len(classes) + 1)[1:-1])
    y = np.asarray(classes, dtype=object)[np.searchsorted(cuts, z)]
    y = y.astype(int) if labels != "text" else y.astype(str)
    x: Any = train if rng.random() < 0.5 else train.to_numpy()  # with and without names
    depth = int(rng.integers(1, 6))
    model = {
        "tree": lambda: DecisionTreeClassifier(max_depth=depth, random_state=seed),
        "forest": lambda: RandomForestClassifier(4, max_depth=depth, random_state=seed),
        "boosting": lambda: GradientBoostingClassifier(
            n_estimators=8, max_depth=2, random_state=seed
        ),
        "logreg": lambda: LogisticRegression(C=float(rng.uniform(0.1, 10))),
    }[kind]()
    return model.fit(x, y), nan_ok


@st.composite
def scenarios(draw: st.DrawFn, ignore: bool = False) -> dict[str, Any]:
    kinds = [k for k in KINDS if k != "logreg"] if ignore else list(KINDS)
    kind = draw(st.sampled_from(kinds))
    feature = draw(st.sampled_from(FEATURES))
    labels = draw(st.sampled_from(sorted(LABELS)))
    model, nan_ok = _model(kind, draw(st.integers(0, 1)), feature if ignore else None, labels)
    rows = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    df = _frame(rows, draw(st.integers(1, 12)), nan=nan_ok)
    df["y"] = 0
    positive = None
    if kind != "tree_regressor" and draw(st.booleans()):
        positive = draw(st.sampled_from(list(model.classes_)))
        positive = positive.item() if hasattr(positive, "item") else positive
    return {"model": model, "df": df, "feature": feature, "positive": positive, "kind": kind}


def _scorer(s: dict[str, Any]) -> Any:
    params = {"target": "y", "positive_class": s["positive"]}
    return make_scorer("m", s["model"], params, s["df"].head(2))


def _assert_moves_match(res: Behaviour, want: ref.RefResult, tolerance: float) -> None:
    d = np.abs(want.delta)
    assert res.n == len(d)
    lo, hi = int((d > tolerance + EPS).sum()), int((d > tolerance - EPS).sum())
    assert lo <= res.k <= hi, (res.k, lo, hi, res.message)
    assert res.details["max_abs_delta"] == pytest.approx(d.max() if len(d) else 0.0, abs=EPS)


@SETTINGS
@given(s=scenarios(), tolerance=st.sampled_from([0.0, 0.01, 0.1, 0.3]), data=st.data())
def test_value_swaps_match_the_row_by_row_reference(
    s: dict[str, Any], tolerance: float, data: st.DataObject
) -> None:
    feature = s["feature"]
    domain = {"a": [-1.0, 0.0, 0.5, 2.0], "b": [*range(10), 2.5], "s": [0, 1]}[feature]
    values = data.draw(st.lists(st.sampled_from(domain), min_size=1, max_size=3))
    if feature == "s" and data.draw(st.booleans()):
        values = [0, 1] if data.draw(st.booleans()) else [1, 0]  # the two-value swap
    want = ref.invariance_values(s["model"], s["df"], feature, values, "y", s["positive"])
    if not want.before:
        return  # every row already holds the only value: an error, tested elsewhere
    res = invariance(_scorer(s), s["df"], feature, values=values, tolerance=tolerance)
    _assert_moves_match(res, want, tolerance)


@SETTINGS
@given(
    s=scenarios(),
    noise=st.sampled_from(
        [{"absolute": 0.5, "seed": 1}, {"relative": 0.3, "seed": 7}, {"absolute": 3.0}]
    ),
    tolerance=st.sampled_from([0.0, 0.05]),
)
def test_noise_matches_the_row_by_row_reference(
    s: dict[str, Any], noise: dict[str, Any], tolerance: float
) -> None:
    want = ref.invariance_noise(s["model"], s["df"], s["feature"], noise, "y", s["positive"])
    res = invariance(_scorer(s), s["df"], s["feature"], noise=noise, tolerance=tolerance)
    _assert_moves_match(res, want, tolerance)
    assert res.details["missing"] == want.untested


@SETTINGS
@given(
    s=scenarios(),
    change=st.sampled_from(
        [
            {"add": 1},
            {"add": -0.5},
            {"multiply": 2},
            {"multiply": -1},
            {"set": 0},
            {"set": 1},
            {"set": 2.5},
        ]
    ),
    expect=st.sampled_from(["increase", "decrease", "no_increase", "no_decrease"]),
    tolerance=st.sampled_from([0.0, 0.02]),
    saturation=st.sampled_from([0.0, 0.01, 0.2]),
)
def test_directional_matches_the_row_by_row_reference(
    s: dict[str, Any],
    change: dict[str, Any],
    expect: str,
    tolerance: float,
    saturation: float,
) -> None:
    sc = _scorer(s)
    want = ref.directional_rows(s["model"], s["df"], s["feature"], change, "y", s["positive"])
    res = directional(
        sc, s["df"], s["feature"], change, expect, tolerance=tolerance, saturation=saturation
    )
    before, delta = np.asarray(want.before), want.delta
    sat_level = saturation if sc.proba_column is not None else None
    bad_lo, sat = ref.judge(expect, before, delta - EPS, tolerance, sat_level)
    bad_hi, _ = ref.judge(expect, before, delta + EPS, tolerance, sat_level)
    bad_min = int((bad_lo & bad_hi).sum())
    bad_max = int((bad_lo | bad_hi).sum())
    assert res.details["untested"] == want.untested
    assert res.details["saturated"] == int(sat.sum())
    assert res.n == len(delta) - int(sat.sum())
    assert bad_min <= res.k <= bad_max, (res.k, bad_min, bad_max, res.message)


@SETTINGS
@given(s=scenarios(ignore=True), data=st.data())
def test_a_model_that_ignores_the_column_moves_no_row_and_says_so(
    s: dict[str, Any], data: st.DataObject
) -> None:
    feature = s["feature"]
    sc = _scorer(s)
    domain = {"a": [-3.0, 0.0, 4.0], "b": [0, 5, 9], "s": [0, 1]}[feature]
    values = data.draw(st.lists(st.sampled_from(domain), min_size=1, max_size=3, unique=True))
    if feature == "s":
        values = [0, 1]
    if not (s["df"][feature].isin(values).all() and len(values) == 1):
        res = invariance(sc, s["df"], feature, values=values)
        assert (res.k, res.details["max_abs_delta"]) == (0, 0.0)
        assert res.ok
        assert (
            f"the score did not change on any row: this change of `{feature}` does not affect"
            in (res.message)
        )
    noisy = invariance(sc, s["df"], feature, noise={"absolute": 2.0})
    assert (noisy.k, noisy.details["max_abs_delta"]) == (0, 0.0)
    down = directional(sc, s["df"], feature, {"add": 3}, "no_decrease")
    assert down.k == 0
    if down.n:
        assert "did not change on any row" in down.message


def test_the_issue_example_a_yes_no_swap_on_a_column_the_model_drops() -> None:
    """`invariance: {feature: selfemp, values: [yes, no]}` reported 257 of 411 moved."""
    rng = np.random.default_rng(0)
    n = 411
    df = pd.DataFrame(
        {
            "income": rng.normal(size=n),
            "selfemp": rng.choice(["yes", "no"], n),
            "card": rng.integers(0, 2, n),
        }
    )
    drop = ColumnTransformer([("num", "passthrough", ["income"])], remainder="drop")
    model = make_pipeline(drop, LogisticRegression()).fit(df, df["card"])
    sc = make_scorer("m", model, {"target": "card"}, df.head(2))
    res = invariance(sc, df, "selfemp", values=["yes", "no"], tolerance=0.05)
    assert (res.k, res.n, res.details["max_abs_delta"]) == (0, 411, 0.0)
    assert res.ok
    # and a model that does use it: each row is compared with itself, changed
    onehot = ColumnTransformer([("c", OneHotEncoder(), ["selfemp"])], remainder="passthrough")
    uses = make_pipeline(onehot, LogisticRegression()).fit(
        df[["income", "selfemp"]], df["selfemp"].eq("yes") ^ (df["income"] > 1)
    )
    sc = make_scorer("m", uses, {"target": "card"}, df.head(2))
    res = invariance(sc, df, "selfemp", values=["no", "yes"], tolerance=0.05)
    small = df.head(25)
    want = ref.invariance_values(uses, small, "selfemp", ["no", "yes"], "card")
    _assert_moves_match(
        invariance(sc, small, "selfemp", values=["no", "yes"], tolerance=0.05), want, 0.05
    )
    assert res.n == 411


def _typical(df: pd.DataFrame) -> dict[str, Any]:
    """The contract's typical row, the slow way: median of numbers, else the most frequent."""
    out: dict[str, Any] = {}
    for col in df.columns:
        values = df[col].dropna()
        if pd.api.types.is_integer_dtype(values):
            out[col] = round(float(np.median(values)))
        elif pd.api.types.is_float_dtype(values):
            out[col] = float(np.median(values))
        else:
            out[col] = values.value_counts().sort_index().idxmax()
    return out


def test_cases_match_one_case_at_a_time(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    df = _frame(rng, 200, nan=False)
    model, _ = _model("logreg", 5, None, "01")
    df["y"] = model.predict(df[list(FEATURES)].to_numpy())
    joblib.dump(model, tmp_path / "m.joblib")
    df.to_csv(tmp_path / "d.csv", index=False)
    inputs = [
        {"a": round(float(rng.normal()), 2), "b": int(rng.integers(0, 10))} for _ in range(6)
    ] + [{"s": 1}, {"s": 0, "a": -2.0}]
    cases = [{"input": i, "expect": {"score": {"min": 0.5}}} for i in inputs]
    (tmp_path / "mlgate.yml").write_text(
        textwrap.dedent(
            f"""
            version: 1
            datasets: {{d: {{path: d.csv}}}}
            models: {{m: {{path: m.joblib, target: y, features: [a, b, s]}}}}
            model:
              - model: m
                dataset: d
                cases: {json.dumps(cases)}
            """
        ),
        encoding="utf-8",
    )
    main(["run", "--config", str(tmp_path / "mlgate.yml"), "--report-dir", str(tmp_path / "r")])
    report = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    checks = {c["id"]: c for c in report["checks"]}
    typical = _typical(df[list(FEATURES)])
    for i, case in enumerate(inputs):
        row = pd.DataFrame([{**typical, **case}], columns=list(FEATURES))
        want = ref.ref_score(model, row)
        got = checks[f"model/m/cases/{i}"]
        assert got["details"]["score"] == pytest.approx(want, abs=EPS)
        assert got["status"] == ("passed" if want >= 0.5 else "failed")
