"""The gate on a real classifier: it uses a protected attribute and breaks a monotone
expectation; the base commit's model is weaker. Exactly those failures are reported, with the
figures and rows that explain them; the checks the model honours pass."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from mlgate.cli import main

CONFIG = """
version: 1
datasets:
  holdout: {path: data/holdout.parquet}
models:
  credit: {path: models/credit.joblib, target: approved, positive_class: 1}
  baseline: {path: models/credit.joblib, ref: base, target: approved}
  broken: {path: models/missing.joblib, target: approved}
model:
  - model: credit
    dataset: holdout
    metrics:
      roc_auc: {min: 0.85}
      accuracy: {min: 0.75}
    slices:
      - {by: gender, metrics: {accuracy: {min: 0.7}}, max_gap: {accuracy: 0.1}}
      - {by: age, bins: [18, 30, 50, 120], metrics: {roc_auc: {min: 0.8}}}
    fairness:
      - {protected: gender, demographic_parity_difference: {max: 0.1}}
    invariance:
      - {name: gender-blind, feature: gender, values: [F, M, X], tolerance: 0.01}
      - {name: noise on income, feature: income, noise: {relative: 0.001}, tolerance: 0.02}
    directional:
      - {feature: income, change: {add: 10000}, expect: increase, max_fail_rate: 0.02}
      - {feature: debt, change: {multiply: 2}, expect: decrease}
      - {feature: loan_amount, change: {add: 20000}, expect: no_increase, max_fail_rate: 0.05}
    cases:
      - {input: {age: 40, income: 250000, gender: F, debt: 0}, expect: {label: 1}}
      - {name: poor, input: {age: 19, income: 1000, debt: 90000}, expect: {score: {max: 0.2}}}
    baseline:
      model: baseline
      max_drop: {roc_auc: 0.01}
      min_agreement: 0.6
    latency: {rows: 1, calls: 20, p95_ms: 2000}
  - model: broken
    dataset: holdout
    metrics: {roc_auc: {min: 0.5}}
"""


def run_gate(root: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    code = main(
        [
            "run",
            "--config",
            str(root / "mlgate.yml"),
            "--report-dir",
            str(root / "rep"),
            "--publish",
            "none",
            *extra,
        ]
    )
    report = json.loads((root / "rep" / "report.json").read_text(encoding="utf-8"))
    return code, report, (root / "rep" / "report.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def gate(credit_project: tuple[Path, str]) -> tuple[int, dict[str, Any], str]:
    root, base = credit_project
    (root / "mlgate.yml").write_text(textwrap.dedent(CONFIG).lstrip(), encoding="utf-8")
    return run_gate(root, "--base-ref", base)


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in report["checks"]}


def test_exactly_the_broken_behaviours_fail(gate: tuple[int, dict[str, Any], str]) -> None:
    code, report, _ = gate
    checks = by_id(report)
    failed = sorted(i for i, c in checks.items() if c["status"] == "failed")
    assert failed == [
        "model/credit/directional/loan_amount",
        "model/credit/fairness/gender/demographic_parity_difference",
        "model/credit/invariance/gender-blind",
    ]
    errors = sorted(i for i, c in checks.items() if c["status"] == "error")
    assert errors == ["model/broken/metrics/roc_auc"]
    passed = {i for i, c in checks.items() if c["status"] == "passed"}
    assert {
        "model/credit/metrics/roc_auc",
        "model/credit/slices/gender/accuracy",
        "model/credit/slices/gender/max_gap/accuracy",
        "model/credit/slices/age/roc_auc",
        "model/credit/invariance/noise on income",
        "model/credit/directional/income",
        "model/credit/directional/debt",
        "model/credit/cases/0",
        "model/credit/cases/poor",
        "model/credit/baseline/max_drop/roc_auc",
        "model/credit/baseline/min_agreement",
        "model/credit/latency",
    } <= passed
    assert code == 1
    assert report["counts"]["failed"] == 3
    assert report["counts"]["errors"] == 1


def test_invariance_failure_has_the_rate_and_the_worst_rows(
    gate: tuple[int, dict[str, Any], str],
) -> None:
    check = by_id(gate[1])["model/credit/invariance/gender-blind"]
    d = check["details"]
    # 2,000 rows, each tried with the 2 other genders
    assert d["n"] == 4000
    assert d["k"] > 2000
    lo, hi = d["ci95"]
    assert lo < d["k"] / d["n"] < hi
    assert f"{d['k']:,} of 4,000 row × value pairs" in check["message"]
    assert "allowed 0%" in check["message"]
    assert check["location"]["line"] == 20  # the `- {name: gender-blind...}` entry
    ex = check["examples"]
    assert len(ex) == 20
    assert set(ex[0]) == {"row", "gender", "score", "→ gender", "score after", "Δ"}
    assert ex[0]["gender"] != ex[0]["→ gender"]
    deltas = [abs(e["Δ"]) for e in ex]
    assert deltas == sorted(deltas, reverse=True)
    assert deltas[0] > 0.2
    assert ex[0]["score after"] == pytest.approx(ex[0]["score"] + ex[0]["Δ"], abs=1e-5)


def test_monotone_break_is_reported_with_before_and_after(
    gate: tuple[int, dict[str, Any], str],
) -> None:
    check = by_id(gate[1])["model/credit/directional/loan_amount"]
    assert check["message"].startswith(
        "`loan_amount` + 20,000 should not increase the score; it increased on 2,000 of 2,000 "
    )
    assert check["details"]["k"] == check["details"]["n"] == 2000
    row = check["examples"][0]
    assert row["→ loan_amount"] == pytest.approx(row["loan_amount"] + 20000)
    assert row["Δ"] > 0


def test_saturated_rows_are_reported_apart(gate: tuple[int, dict[str, Any], str]) -> None:
    check = by_id(gate[1])["model/credit/directional/income"]
    d = check["details"]
    assert d["saturated"] > 0
    assert d["n"] + d["saturated"] == 2000
    assert f"{d['saturated']:,} rows whose score is already >= 0.99" in check["message"]


def test_fairness_names_the_groups(gate: tuple[int, dict[str, Any], str]) -> None:
    check = by_id(gate[1])["model/credit/fairness/gender/demographic_parity_difference"]
    assert check["observed"] > 0.1
    assert check["expected"] == "<= 0.1"
    assert "M " in check["message"]
    assert "F " in check["message"]
    groups = {g["group"]: g for g in check["details"]["groups"]}
    assert set(groups) == {"F", "M", "X"}
    assert sum(g["rows"] for g in groups.values()) == 2000
    assert check["observed"] == pytest.approx(
        max(g["rate"] for g in groups.values()) - min(g["rate"] for g in groups.values())
    )


def test_metrics_carry_the_base_value_and_the_table_shows_it(
    gate: tuple[int, dict[str, Any], str],
) -> None:
    _, report, md = gate
    d = by_id(report)["model/credit/metrics/roc_auc"]["details"]
    assert d["metric"] == "roc_auc"
    assert d["model"] == "credit"
    assert d["value"] > d["base"] + 0.05  # the base commit's model uses income only
    assert "### Metrics against the base commit" in md
    table = md.split("### Metrics against the base commit", 1)[1]
    assert "| metric | this PR | base | Δ |" in table
    # the model that did not load has no figures: one model, so rows are named by metric only
    row = f"| roc\\_auc | {d['value']:.3f} | {d['base']:.3f} | +{d['value'] - d['base']:.3f} |"
    assert row in table
    assert "broken" not in table


def test_a_model_that_will_not_load_errors_with_the_reason(
    gate: tuple[int, dict[str, Any], str],
) -> None:
    check = by_id(gate[1])["model/broken/metrics/roc_auc"]
    assert check["message"] == "model 'broken': file 'models/missing.joblib' does not exist"


def test_without_a_base_commit_the_baseline_is_skipped(
    credit_project: tuple[Path, str], tmp_path: Path
) -> None:
    root, _ = credit_project
    work = tmp_path / "p"
    shutil.copytree(root, work)
    (work / "mlgate.yml").write_text(textwrap.dedent(CONFIG).lstrip(), encoding="utf-8")
    _, report, _ = run_gate(work, "-k", "baseline or metrics")
    checks = by_id(report)
    assert checks["model/credit/baseline/min_agreement"]["status"] == "skipped"
    assert "not for a pull request" in checks["model/credit/baseline/min_agreement"]["message"]
    roc = checks["model/credit/metrics/roc_auc"]
    assert roc["status"] == "passed"
    assert roc["details"]["base"] is None


def test_a_forks_run_with_a_write_token_refuses_joblib(
    credit_project: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, base = credit_project
    work = tmp_path / "p"
    shutil.copytree(root, work)
    (work / "mlgate.yml").write_text(textwrap.dedent(CONFIG).lstrip(), encoding="utf-8")
    event = {
        "pull_request": {
            "number": 7,
            "head": {"sha": "abc", "repo": {"full_name": "mallory/credit", "fork": True}},
            "base": {"sha": base, "repo": {"full_name": "acme/credit", "fork": False}},
        },
        "repository": {"full_name": "acme/credit"},
    }
    (tmp_path / "event.json").write_text(json.dumps(event), encoding="utf-8")
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request_target")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(tmp_path / "event.json"))
    _, report, _ = run_gate(work, "-k", "metrics")
    roc = by_id(report)["model/credit/metrics/roc_auc"]
    assert roc["status"] == "error"
    assert "mallory/credit" in roc["message"]
    assert "skops" in roc["message"]
    assert "allow_pickle: true" in roc["message"]
