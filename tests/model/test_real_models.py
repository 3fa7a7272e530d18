"""Real scikit-learn models the way users save them: text classes, no `predict_proba`, no
feature names, a target with gaps or missing, a bad case, a predict-only class."""

from __future__ import annotations

import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.svm import LinearSVC

from mlgate.model.scoring import make_scorer
from mlgate.testing import assert_metric
from tests.model.test_kinds import gate


def credit(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "income": rng.normal(0, 1, n),
            "debt": rng.normal(0, 1, n),
            "gender": rng.choice(["F", "M"], n),
        }
    )
    noisy = df["income"] - df["debt"] + rng.normal(0, 0.7, n)
    df["approved"] = np.where(noisy > 0, "yes", "no")
    return df


def text_model(df: pd.DataFrame) -> LogisticRegression:
    return LogisticRegression().fit(df[["income", "debt"]], df["approved"])


def test_a_regression_metric_on_a_classifier_says_so(tmp_path: Path) -> None:
    df = credit()
    joblib.dump(text_model(df), tmp_path / "m.joblib")
    df.to_csv(tmp_path / "d.csv", index=False)
    checks = gate(
        tmp_path,
        """
        version: 1
        datasets: {d: {path: d.csv}}
        models: {m: {path: m.joblib, target: approved, positive_class: "yes"}}
        model:
          - {model: m, dataset: d, metrics: {mae: {max: 0.5}, roc_auc: {min: 0.5}}}
        """,
    )
    mae = checks["model/m/metrics/mae"]
    assert mae["status"] == "error"
    assert mae["message"].startswith("`mae` is a regression metric; model 'm' is a classifier")
    assert checks["model/m/metrics/roc_auc"]["status"] == "passed"


def test_rows_with_a_missing_target_are_left_out_not_counted_as_negatives(
    tmp_path: Path,
) -> None:
    df = credit()
    model = text_model(df)
    joblib.dump(model, tmp_path / "m.joblib")
    gappy = df.copy()
    gappy.loc[:39, "approved"] = np.nan
    gappy.to_csv(tmp_path / "d.csv", index=False)
    checks = gate(
        tmp_path,
        """
        version: 1
        datasets: {d: {path: d.csv}}
        models: {m: {path: m.joblib, target: approved, positive_class: "yes"}}
        model:
          - model: m
            dataset: d
            metrics: {accuracy: {min: 0.5}, roc_auc: {min: 0.5}}
            fairness: [{protected: gender, equalized_odds_difference: {max: 1}}]
        """,
    )
    known = df.iloc[40:]
    x = known[["income", "debt"]]
    acc = checks["model/m/metrics/accuracy"]
    assert acc["status"] == "passed"
    assert acc["observed"] == pytest.approx(accuracy_score(known["approved"], model.predict(x)))
    assert acc["details"]["n"] == 360
    assert "40 rows with a missing `approved` left out" in acc["message"]
    auc = checks["model/m/metrics/roc_auc"]["observed"]
    assert auc == pytest.approx(
        roc_auc_score(known["approved"] == "yes", model.predict_proba(x)[:, 1])
    )
    assert checks["model/m/fairness/gender/equalized_odds_difference"]["status"] == "passed"
    with pytest.raises(AssertionError, match=r"on 360 rows .*40 rows with a missing"):
        assert_metric(model, gappy, "accuracy", target="approved", min=0.99)


def test_a_dataset_without_the_target_still_runs_behaviour_tests(tmp_path: Path) -> None:
    df = credit()
    joblib.dump(text_model(df), tmp_path / "m.joblib")
    df.drop(columns="approved").to_csv(tmp_path / "d.csv", index=False)
    checks = gate(
        tmp_path,
        """
        version: 1
        datasets: {d: {path: d.csv}}
        models: {m: {path: m.joblib, target: approved, positive_class: "yes"}}
        model:
          - model: m
            dataset: d
            metrics: {accuracy: {min: 0.5}}
            directional: [{feature: income, change: {add: 1}, expect: increase}]
        """,
    )
    assert checks["model/m/directional/income"]["status"] == "passed"
    assert checks["model/m/metrics/accuracy"]["message"] == (
        "`accuracy` compares with the truth: dataset 'd' has no column 'approved' "
        "(the `target:` of model 'm')"
    )


def test_a_classifier_without_predict_proba_and_text_classes(tmp_path: Path) -> None:
    df = credit()
    svc = LinearSVC().fit(df[["income", "debt"]], df["approved"])
    joblib.dump(svc, tmp_path / "m.joblib")
    df.to_csv(tmp_path / "d.csv", index=False)
    checks = gate(
        tmp_path,
        """
        version: 1
        datasets: {d: {path: d.csv}}
        models: {m: {path: m.joblib, target: approved, positive_class: "yes"}}
        model:
          - model: m
            dataset: d
            metrics: {accuracy: {min: 0.5}, f1: {min: 0.5}}
            fairness: [{protected: gender, demographic_parity_difference: {max: 1}}]
            cases: [{input: {income: 3, debt: -3}, expect: {label: "yes", score: {min: 1}}}]
        """,
    )
    acc = checks["model/m/metrics/accuracy"]
    assert acc["status"] == "passed", acc["message"]
    want = accuracy_score(df["approved"], svc.predict(df[["income", "debt"]]))
    assert acc["observed"] == pytest.approx(want)
    assert checks["model/m/metrics/f1"]["status"] == "passed"
    assert checks["model/m/fairness/gender/demographic_parity_difference"]["status"] == "passed"
    case = checks["model/m/cases/0"]
    assert case["status"] == "passed", case["message"]
    assert case["details"] == {"score": 1.0, "label": "yes"}


def test_a_model_fitted_without_feature_names_asks_for_features(tmp_path: Path) -> None:
    df = credit()
    y = (df["approved"] == "yes").astype(int)
    joblib.dump(
        LogisticRegression().fit(df[["income", "debt"]].to_numpy(), y), tmp_path / "m.joblib"
    )
    df.assign(approved=y).to_csv(tmp_path / "d.csv", index=False)
    checks = gate(
        tmp_path,
        """
        version: 1
        datasets: {d: {path: d.csv}}
        models:
          m: {path: m.joblib, target: approved}
          named: {path: m.joblib, target: approved, features: [income, debt]}
        model:
          - {model: m, dataset: d, metrics: {roc_auc: {min: 0.5}}}
          - {model: named, dataset: d, metrics: {roc_auc: {min: 0.5}}}
        """,
    )
    assert checks["model/m/metrics/roc_auc"]["message"] == (
        "model 'm' was fitted on 2 unnamed columns but the data has 3 (income, debt, gender); "
        "list the model's columns, in the order it was fitted on, under `features:` on the model"
    )
    assert checks["model/named/metrics/roc_auc"]["status"] == "passed"


def test_one_case_of_the_wrong_type_does_not_stop_the_others(tmp_path: Path) -> None:
    df = credit()
    joblib.dump(text_model(df), tmp_path / "m.joblib")
    df.to_csv(tmp_path / "d.csv", index=False)
    checks = gate(
        tmp_path,
        """
        version: 1
        datasets: {d: {path: d.csv}}
        models: {m: {path: m.joblib, target: approved, positive_class: "yes"}}
        model:
          - model: m
            dataset: d
            cases:
              - {input: {income: 3, debt: -3}, expect: {label: "yes"}}
              - {input: {income: lots}, expect: {label: "yes"}}
        """,
    )
    assert checks["model/m/cases/0"]["status"] == "passed"
    bad = checks["model/m/cases/1"]
    assert bad["status"] == "error"
    assert bad["message"] == (
        "case (income='lots') cannot be scored: income='lots' does not fit column `income` "
        "(float64)"
    )


def test_a_predict_only_model_with_integer_labels_is_judged_as_a_classifier(
    tmp_path: Path,
) -> None:
    (tmp_path / "rule.py").write_text(
        "class Rule:\n"
        "    def predict(self, x):\n"
        "        return (x['income'] > x['debt']).to_numpy().astype(int)\n\n"
        "def load():\n"
        "    return Rule()\n",
        encoding="utf-8",
    )
    df = credit()
    df.assign(approved=(df["approved"] == "yes").astype(int)).to_csv(
        tmp_path / "d.csv", index=False
    )
    checks = gate(
        tmp_path,
        """
        version: 1
        datasets: {d: {path: d.csv}}
        models: {rule: {factory: "rule:load", target: approved, features: [income, debt]}}
        model:
          - model: rule
            dataset: d
            metrics: {accuracy: {min: 0.7}, f1: {min: 0.7}}
            fairness: [{protected: gender, demographic_parity_difference: {max: 1}}]
        """,
    )
    for check in (
        "metrics/accuracy",
        "metrics/f1",
        "fairness/gender/demographic_parity_difference",
    ):
        assert checks[f"model/rule/{check}"]["status"] == "passed", check


def test_an_onnx_model_with_fewer_inputs_than_columns_asks_for_features(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    skl2onnx = pytest.importorskip("skl2onnx")
    df = credit()
    y = (df["approved"] == "yes").astype(int)
    x = df[["income", "debt"]].to_numpy(dtype=np.float32)
    onx = skl2onnx.to_onnx(LogisticRegression().fit(x, y), x[:1])
    (tmp_path / "m.onnx").write_bytes(onx.SerializeToString())
    df.assign(approved=y).to_csv(tmp_path / "d.csv", index=False)
    checks = gate(
        tmp_path,
        """
        version: 1
        datasets: {d: {path: d.csv}}
        models:
          m: {path: m.onnx, target: approved}
          named: {path: m.onnx, target: approved, features: [income, debt]}
        model:
          - {model: m, dataset: d, metrics: {roc_auc: {min: 0.5}}}
          - {model: named, dataset: d, metrics: {roc_auc: {min: 0.5}}}
        """,
    )
    assert checks["model/m/metrics/roc_auc"]["message"].startswith(
        "model 'm' was fitted on 2 unnamed columns but the data has 3 (income, debt, gender)"
    )
    assert checks["model/named/metrics/roc_auc"]["status"] == "passed"


def test_setting_a_fraction_on_an_integer_column_uses_the_fraction() -> None:
    from mlgate.testing import assert_directional
    from mlgate.testing.model import VacuousTestWarning

    class Threshold:
        classes_ = np.array([0, 1])

        def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
            p = (x["b"].to_numpy(dtype=float) > 2.2).astype(float) * 0.5 + 0.25
            return np.column_stack([1 - p, p])

    data = pd.DataFrame({"b": np.arange(3, 13, dtype=np.int64)})
    with pytest.warns(VacuousTestWarning, match="this change of `b` does not affect it"):
        result = assert_directional(
            Threshold(), data, "b", {"set": 2.5}, "no_decrease", max_fail_rate=1.0
        )
    assert result.k == 0  # 2.5 > 2.2: a truncated 2 would move every score down


def test_a_model_refusing_missing_values_names_the_columns_that_have_them(
    tmp_path: Path,
) -> None:
    df = credit()
    joblib.dump(text_model(df), tmp_path / "m.joblib")
    df.loc[:54, "income"] = np.nan
    df.loc[:2, "debt"] = np.nan
    df.loc[:9, "gender"] = np.nan  # not a model column: not named
    df.to_csv(tmp_path / "d.csv", index=False)
    checks = gate(
        tmp_path,
        """
        version: 1
        datasets: {d: {path: d.csv}}
        models: {m: {path: m.joblib, target: approved, positive_class: "yes"}}
        model:
          - {model: m, dataset: d, metrics: {roc_auc: {min: 0.5}}}
        """,
    )
    check = checks["model/m/metrics/roc_auc"]
    assert check["status"] == "error"
    assert check["message"].startswith(
        "model 'm' failed to predict on dataset 'd': `income` has 55 missing values; "
        "`debt` has 3 missing values; the model does not accept missing values: impute them "
        "in the pipeline (e.g. a SimpleImputer step) or drop those rows (ValueError: "
    ), check["message"]
    assert "gender" not in check["message"]


def test_a_model_fitted_on_an_array_gets_an_array_and_does_not_warn() -> None:
    df = credit()
    y = (df["approved"] == "yes").astype(int)
    model = LogisticRegression().fit(df[["income", "debt"]].to_numpy(), y)
    sc = make_scorer("m", model, {"features": ["income", "debt"], "target": "approved"}, df)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        score, label = sc.scores_and_labels(df)
        labels = sc.labels(df)
        sc.score_batch(df[["income", "debt"]].head(1))
    assert [str(w.message) for w in caught] == []
    expected = model.predict_proba(df[["income", "debt"]].to_numpy())[:, 1]
    np.testing.assert_allclose(score, expected)
    np.testing.assert_array_equal(label, labels)
    assert sc.proba_column == 1
