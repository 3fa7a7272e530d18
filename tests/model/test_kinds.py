"""Check kinds through the real gate on small projects: regressors, small slices, cases."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from mlgate.cli import main
from mlgate.model.stats import fmt


def gate(root: Path, config: str) -> dict[str, dict[str, Any]]:
    (root / "mlgate.yml").write_text(textwrap.dedent(config).lstrip(), encoding="utf-8")
    main(
        [
            "run",
            "--config",
            str(root / "mlgate.yml"),
            "--report-dir",
            str(root / "rep"),
            "--publish",
            "none",
        ]
    )
    report = json.loads((root / "rep" / "report.json").read_text(encoding="utf-8"))
    return {c["id"]: c for c in report["checks"]}


def test_a_regressor_gets_regression_metrics_and_behaviour_tests(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"size": rng.uniform(20, 200, 800), "rooms": rng.integers(1, 6, 800)})
    df["price"] = 1000 * df["size"] + 5000 * df["rooms"] + rng.normal(0, 5000, 800)
    joblib.dump(LinearRegression().fit(df[["size", "rooms"]], df["price"]), tmp_path / "m.joblib")
    df.to_csv(tmp_path / "houses.csv", index=False)
    checks = gate(
        tmp_path,
        """
        version: 1
        datasets: {houses: {path: houses.csv}}
        models: {price: {path: m.joblib, target: price}}
        model:
          - model: price
            dataset: houses
            metrics: {r2: {min: 0.9}, mae: {max: 3000}, accuracy: {min: 0.5}}
            invariance: [{feature: rooms, noise: {absolute: 1}, tolerance: 1}]
            directional:
              - {feature: size, change: {add: 10}, expect: increase, tolerance: 9000}
            latency: {rows: 50, calls: 5, p95_ms: 0.000001}
    """,
    )
    assert checks["model/price/metrics/r2"]["status"] == "passed"
    mae = checks["model/price/metrics/mae"]
    assert mae["status"] == "failed"
    assert mae["observed"] > 3000
    worst = mae["examples"]
    assert set(worst[0]) == {"row", "truth", "score", "label", "error"}
    assert worst[0]["error"] == pytest.approx(abs(worst[0]["truth"] - worst[0]["score"]), abs=1e-3)
    assert [w["error"] for w in worst] == sorted((w["error"] for w in worst), reverse=True)
    assert checks["model/price/metrics/accuracy"]["message"] == (
        "`accuracy` needs a classifier; model 'price' is a regressor"
    )
    inv = checks["model/price/invariance/rooms"]
    assert inv["status"] == "failed"
    assert inv["details"]["k"] > 0
    d = checks["model/price/directional/size"]
    assert d["status"] == "passed"
    assert d["details"]["saturated"] == 0
    lat = checks["model/price/latency"]
    assert lat["status"] == "failed"
    assert "too slow: p95" in lat["message"]
    assert "at 50 rows over 5 calls" in lat["message"]


def test_small_slices_are_reported_not_judged_and_cases_need_no_dataset(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    n = 600
    df = pd.DataFrame({"x": rng.normal(0, 1, n), "g": np.where(np.arange(n) < 10, "tiny", "big")})
    df["y"] = (df["x"] + rng.normal(0, 0.5, n) > 0).astype(int)
    joblib.dump(LogisticRegression().fit(df[["x"]], df["y"]), tmp_path / "m.joblib")
    df.to_parquet(tmp_path / "d.parquet")
    checks = gate(
        tmp_path,
        """
        version: 1
        datasets: {d: {path: d.parquet}}
        models: {m: {path: m.joblib, target: y, features: [x]}}
        model:
          - model: m
            dataset: d
            slices:
              - {by: g, metrics: {accuracy: {min: 0.99}}, min_rows: 20}
              - {by: x, bins: [-10, 0, 10], metrics: {roc_auc: {min: 0.5}}}
          - model: m
            name: fixed
            cases:
              - {input: {x: 3}, expect: {label: 1, score: {min: 0.9}}}
              - {input: {x: -3}, expect: {label: 1}}
    """,
    )
    sl = checks["model/m/slices/g/accuracy"]
    assert sl["status"] == "failed"
    assert "on 1 of 1 slices of `g`: big" in sl["message"]
    assert "not judged: tiny (10 rows, fewer than 20 rows)" in sl["message"]
    bins = checks["model/m/slices/x/roc_auc"]
    assert [s["slice"] for s in bins["details"]["slices"]] == ["[-10, 0)", "[0, 10)"]
    assert checks["model/fixed/cases/0"]["status"] == "passed"
    bad = checks["model/fixed/cases/1"]
    assert bad["status"] == "failed"
    assert bad["message"] == "case (x=-3): label 0, expected 1"
    assert bad["examples"][0]["x"] == -3


BROKEN_MODELS = '''
import numpy as np


class Flat:
    """predict_proba answers one number per row instead of a column per class."""

    classes_ = np.array([0, 1])

    def predict_proba(self, x):
        return np.full(len(x), 0.5)

    def predict(self, x):
        return np.zeros(len(x), dtype=int)


class Holes:
    """NaN probabilities where x is above 5."""

    classes_ = np.array([0, 1])

    def predict_proba(self, x):
        p = np.where(x["x"].to_numpy(dtype=float) > 5, np.nan, 0.3)
        return np.column_stack([1 - p, p])

    def predict(self, x):
        return np.zeros(len(x), dtype=int)


class Short:
    """predict answers one row fewer than it was given."""

    def predict(self, x):
        return np.zeros(len(x) - 1)


def flat():
    return Flat()


def holes():
    return Holes()


def short():
    return Short()
'''


def test_broken_model_outputs_are_errors_naming_the_model_not_crashes(tmp_path: Path) -> None:
    """Wrong-shaped output and NaN scores used to read "the check crashed: IndexError ..."."""
    (tmp_path / "broken_models.py").write_text(BROKEN_MODELS, encoding="utf-8")
    pd.DataFrame({"x": np.arange(10.0), "y": [0, 1] * 5}).to_csv(tmp_path / "d.csv", index=False)
    checks = gate(
        tmp_path,
        """
        version: 1
        datasets: {d: {path: d.csv}}
        models:
          flat: {factory: "broken_models:flat", target: y}
          holes: {factory: "broken_models:holes", target: y}
          short: {factory: "broken_models:short", target: y}
        model:
          - model: flat
            dataset: d
            metrics: {accuracy: {min: 0.1}}
            invariance: [{feature: x, values: [1]}]
            directional: [{feature: x, change: {add: 1}, expect: no_decrease}]
          - model: holes
            dataset: d
            metrics: {roc_auc: {min: 0.1}}
            invariance: [{feature: x, values: [1]}]
          - model: short
            dataset: d
            metrics: {mae: {max: 1}}
            directional: [{feature: x, change: {add: 1}, expect: increase}]
    """,
    )
    shapes = {
        "flat": "model 'flat': predict_proba returned an array of shape (10,) for 10 rows; "
        "expected (10, number of classes)",
        "holes": "model 'holes' gave a score that is not a finite number (NaN or infinite) on "
        "4 of 10 rows of dataset 'd' (rows 6, 7, 8, 9; predict_proba returned nan)",
        "short": "model 'short': predict returned an array of shape (9,) for 10 rows; expected "
        "one value per row, shape (10,)",
    }
    for check_id, check in checks.items():
        model = check_id.split("/")[1]
        assert check["status"] == "error", check
        assert "crashed" not in check["message"]
        assert shapes[model] in check["message"], check["message"]
    assert len(checks) == 7


@pytest.mark.parametrize(
    ("labels", "given"), [("integers", '"1"'), ("text", "1"), ("integers", "1")]
)
def test_positive_class_written_as_text_or_number_finds_the_class(
    tmp_path: Path, labels: str, given: str
) -> None:
    """`positive_class: "1"` with integer classes 0/1 used to fail precision and roc_auc with
    "undefined ...: only one class present" (the truth was compared with the text "1")."""
    from sklearn.metrics import precision_score, roc_auc_score

    rng = np.random.default_rng(3)
    n = 400
    df = pd.DataFrame({"x": rng.normal(0, 1, n), "g": np.where(np.arange(n) % 2, "a", "b")})
    y = (df["x"] + rng.normal(0, 0.7, n) > 0).astype(int)
    fit_y = y.astype(str) if labels == "text" else y
    model = LogisticRegression().fit(df[["x"]], fit_y)
    joblib.dump(model, tmp_path / "m.joblib")
    df["y"] = y
    df.to_csv(tmp_path / "d.csv", index=False)
    checks = gate(
        tmp_path,
        f"""
        version: 1
        datasets: {{d: {{path: d.csv}}}}
        models: {{m: {{path: m.joblib, target: y, features: [x], positive_class: {given}}}}}
        model:
          - model: m
            dataset: d
            metrics: {{precision: {{min: 0.5}}, roc_auc: {{min: 0.5}}}}
            slices: [{{by: g, metrics: {{roc_auc: {{min: 0.5}}}}}}]
    """,
    )
    proba = model.predict_proba(df[["x"]])[:, 1]
    label = model.predict(df[["x"]]).astype(int)
    precision = checks["model/m/metrics/precision"]
    assert precision["status"] == "passed", precision["message"]
    assert precision["message"] == (
        f"precision {fmt(precision_score(y, label))} on 400 rows of 'd' (expected >= 0.5)"
    )
    auc = checks["model/m/metrics/roc_auc"]
    assert auc["status"] == "passed", auc["message"]
    assert (
        auc["message"]
        == f"roc_auc {fmt(roc_auc_score(y, proba))} on 400 rows of 'd' (expected >= 0.5)"
    )
    sl = checks["model/m/slices/g/roc_auc"]
    assert sl["status"] == "passed", sl["message"]
    assert [s["judged"] for s in sl["details"]["slices"]] == [True, True]


def test_a_positive_class_that_is_no_class_stays_a_clear_error(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"x": rng.normal(0, 1, 100)})
    df["y"] = (df["x"] > 0).astype(int)
    joblib.dump(LogisticRegression().fit(df[["x"]], df["y"]), tmp_path / "m.joblib")
    df.to_csv(tmp_path / "d.csv", index=False)
    checks = gate(
        tmp_path,
        """
        version: 1
        datasets: {d: {path: d.csv}}
        models: {m: {path: m.joblib, target: y, features: [x], positive_class: "2"}}
        model:
          - {model: m, dataset: d, metrics: {precision: {min: 0.5}}}
    """,
    )
    check = checks["model/m/metrics/precision"]
    assert check["status"] == "error"
    assert check["message"] == "model 'm': positive_class '2' is not one of its classes (0, 1)"


def test_slices_of_a_lower_is_better_metric_show_the_highest_slice(tmp_path: Path) -> None:
    """A passing mae slice check used to show the best slice as "lowest"; a failing one with
    both bounds showed the failing slice nearest the bounds as `observed`."""
    rng = np.random.default_rng(5)
    n = 900
    g = np.repeat(["a", "b", "c"], n // 3)
    df = pd.DataFrame({"x": rng.uniform(0, 10, n), "g": g})
    noise = rng.normal(0, 1, n) * np.select([g == "a", g == "b"], [1.0, 2.0], 3.0)
    df["y"] = 2 * df["x"] + noise
    model = LinearRegression().fit(df[["x"]], df["y"])
    joblib.dump(model, tmp_path / "m.joblib")
    df.to_csv(tmp_path / "d.csv", index=False)
    checks = gate(
        tmp_path,
        """
        version: 1
        datasets: {d: {path: d.csv}}
        models: {m: {path: m.joblib, target: y, features: [x]}}
        model:
          - model: m
            dataset: d
            slices:
              - {by: g, metrics: {mae: {max: 5}, r2: {min: 0.1}}}
          - model: m
            name: tight
            dataset: d
            slices:
              - {by: g, metrics: {mae: {min: 0.1, max: 1}}}
    """,
    )
    err = np.abs(df["y"] - model.predict(df[["x"]]))
    mae = {k: float(err[df["g"] == k].mean()) for k in "abc"}
    assert mae["a"] < 1 < mae["b"] < mae["c"]

    def shown(check: dict[str, Any], name: str) -> str:
        (row,) = [r for r in check["details"]["slices"] if r["slice"] == name]
        lo, hi = row["ci"]
        return f"{name} {fmt(row['value'])} (95% CI {fmt(lo)} to {fmt(hi)}, 300 rows)"

    passed = checks["model/m/slices/g/mae"]
    assert passed["status"] == "passed"
    assert passed["message"] == (
        f"mae <= 5 on all 3 judged slices of `g` (highest {shown(passed, 'c')})"
    )
    assert passed["observed"] == pytest.approx(mae["c"])
    r2 = checks["model/m/slices/g/r2"]
    assert r2["status"] == "passed"
    assert r2["message"] == f"r2 >= 0.1 on all 3 judged slices of `g` (lowest {shown(r2, 'c')})"
    tight = checks["model/tight/slices/g/mae"]
    assert tight["status"] == "failed"
    assert tight["message"] == (
        f"mae is outside >= 0.1 and <= 1 on 2 of 3 slices of `g`: {shown(tight, 'b')}, "
        f"{shown(tight, 'c')}"
    )
    assert tight["observed"] == pytest.approx(mae["c"])


def test_each_case_is_judged_on_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A case naming a column the dataset lacks used to make every case of the entry `error`
    with its message (and hid a wrong-typed case's own message). The good cases of an entry
    are still scored in one call."""
    from mlgate.model.scoring import Scorer

    calls: list[int] = []
    original = Scorer.scores_and_labels

    def counted(self: Scorer, x: pd.DataFrame) -> Any:
        calls.append(len(x))
        return original(self, x)

    monkeypatch.setattr(Scorer, "scores_and_labels", counted)
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"x": rng.normal(0, 1, 300), "z": rng.normal(0, 1, 300)})
    df["y"] = (df["x"] > 0).astype(int)
    joblib.dump(LogisticRegression().fit(df[["x", "z"]], df["y"]), tmp_path / "m.joblib")
    df.to_csv(tmp_path / "d.csv", index=False)
    checks = gate(
        tmp_path,
        """
        version: 1
        datasets: {d: {path: d.csv}}
        models: {m: {path: m.joblib, target: y}}
        model:
          - model: m
            dataset: d
            cases:
              - {name: typo, input: {xx: 3}, expect: {label: 1}}
              - {name: wrongtype, input: {x: big}, expect: {label: 1}}
              - {name: both, input: {x: big, zz: 1}, expect: {label: 1}}
              - {name: high, input: {x: 3}, expect: {label: 1}}
              - {name: low, input: {x: -3}, expect: {label: 1}}
          - model: m
            name: bare
            cases:
              - {name: short, input: {x: 3}, expect: {label: 1}}
              - {name: full, input: {x: 3, z: 0}, expect: {label: 1}}
    """,
    )
    statuses = {k.split("/", 2)[2]: (c["status"], c["message"]) for k, c in checks.items()}
    assert statuses == {
        "cases/typo": (
            "error",
            "case (xx=3) cannot be scored: column `xx` is not in the data (did you mean 'x'?)",
        ),
        "cases/wrongtype": (
            "error",
            "case (x='big') cannot be scored: x='big' does not fit column `x` (float64)",
        ),
        "cases/both": (
            "error",
            "case (x='big', zz=1) cannot be scored: x='big' does not fit column `x` (float64); "
            "column `zz` is not in the data (did you mean 'z'?)",
        ),
        "cases/high": ("passed", "case (x=3): label 1 as expected"),
        "cases/low": ("failed", "case (x=-3): label 0, expected 1"),
        "cases/short": (
            "error",
            "case (x=3) cannot be scored: cases without `dataset:` must give every feature; "
            "missing: z",
        ),
        "cases/full": ("passed", "case (x=3, z=0): label 1 as expected"),
    }
    assert calls == [2, 1]


def test_a_model_file_holding_a_dict_is_an_error_of_each_check_not_a_crash(
    tmp_path: Path,
) -> None:
    joblib.dump({"coef": [1, 2]}, tmp_path / "m.joblib")
    pd.DataFrame({"x": np.arange(10.0), "y": [0, 1] * 5}).to_csv(tmp_path / "d.csv", index=False)
    checks = gate(
        tmp_path,
        """
        version: 1
        datasets: {d: {path: d.csv}}
        models: {m: {path: m.joblib, target: y}}
        model:
          - model: m
            dataset: d
            metrics: {accuracy: {min: 0.5}}
            cases: [{input: {x: 1}, expect: {label: 1}}]
            latency: {calls: 3, p95_ms: 100}
    """,
    )
    said = "models.m: m.joblib holds a dict, not a model (no predict method)"
    assert {k: (c["status"], c["message"]) for k, c in checks.items()} == {
        "model/m/metrics/accuracy": ("error", said),
        "model/m/cases/0": ("error", said),
        "model/m/latency": ("error", said),
    }
    assert not checks["model/m/latency"].get("details", {}).get("traceback")


def test_a_model_whose_predict_raises_makes_latency_an_error_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "boom.py").write_text(
        "class Boom:\n"
        "    def predict(self, x):\n"
        "        raise ValueError('no numbers here')\n\n\n"
        "def boom():\n"
        "    return Boom()\n",
        encoding="utf-8",
    )
    pd.DataFrame({"x": np.arange(10.0), "y": [0, 1] * 5}).to_csv(tmp_path / "d.csv", index=False)
    checks = gate(
        tmp_path,
        """
        version: 1
        datasets: {d: {path: d.csv}}
        models: {m: {factory: "boom:boom", target: y}}
        model:
          - model: m
            dataset: d
            metrics: {accuracy: {min: 0.5}}
            latency: {calls: 3, p95_ms: 100}
    """,
    )
    said = "model 'm' failed to predict on dataset 'd': ValueError: no numbers here"
    assert {k: (c["status"], c["message"]) for k, c in checks.items()} == {
        "model/m/metrics/accuracy": ("error", said),
        "model/m/latency": ("error", said),
    }
