"""End to end: `mlgate run` on a credit-like dataset, clean and with injected faults."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tests.data.helpers import credit_frame, line_of, run_gate

CONFIG = """\
version: 1
report: {max_failures_shown: 5}
datasets:
  train: {path: data/train.csv}
  holdout: {path: data/holdout.parquet}
data:
  - dataset: train
    rows: {min: 1000, max: 50000000}
    strict: true
    unique: [customer_id]
    duplicates: {max: 0.001}
    columns:
      customer_id: {type: string, nullable: false, pattern: '^C[0-9]{6}$'}
      age:         {type: integer, min: 18, max: 120, nullable: false}
      income:      {type: float, min: 0, max_missing: 0.02, mean: {min: 20000, max: 120000}}
      gender:      {type: category, allowed: [F, M, X]}
      region:      {type: string, allowed: [north, south, east, west]}
      signup:      {type: datetime, min: "2015-01-01", max: today}
      debt:        {type: number, min: 0, median: {min: 1000, max: 50000}}
      loan_amount: {type: number, min: 0, quantiles: {0.99: {max: 2000000}}}
      approved:    {type: integer, allowed: [0, 1]}
    rules:
      - {name: loan under 10x income, expr: "loan_amount <= income * 10", max_fail: 0.001}
  - dataset: holdout
    drift:
      reference: train
      columns: [age, income, gender]
      method: auto
"""


def _write(folder: Path, train: pd.DataFrame, holdout: pd.DataFrame) -> None:
    (folder / "data").mkdir(exist_ok=True)
    train.to_csv(folder / "data" / "train.csv", index=False)
    holdout.to_parquet(folder / "data" / "holdout.parquet")
    (folder / "mlgate.yml").write_text(CONFIG)


def test_clean_data_passes_every_check(tmp_path: Path) -> None:
    _write(tmp_path, credit_frame(3000, seed=1), credit_frame(1500, seed=2))
    code, checks = run_gate(tmp_path)
    bad = {i: c["message"] for i, c in checks.items() if c["status"] != "passed"}
    assert bad == {}
    assert code == 0
    assert len(checks) == 34


def test_each_injected_fault_is_its_own_failure_at_its_line(tmp_path: Path) -> None:
    train = credit_frame(3000, seed=1)
    train.loc[[5, 17, 40], "age"] = [150, 131, 150]  # out of range
    train.loc[[3, 9], "gender"] = "Q"  # unknown category
    train.loc[100:219, "income"] = np.nan  # a burst of missing values
    train = train.drop(columns=["region"])  # a dropped column
    train["Region"] = "north"  # an extra column (near-miss name)
    train = pd.concat([train, train.iloc[1000:1010]], ignore_index=True)  # duplicated rows
    train.loc[2000:2029, "loan_amount"] = train.loc[2000:2029, "income"] * 20  # broken rule
    holdout = credit_frame(1500, seed=2)
    holdout["age"] = holdout["age"] + 20  # shifted distribution
    _write(tmp_path, train, holdout)

    code, checks = run_gate(tmp_path)
    assert code == 1
    failing = {i: c for i, c in checks.items() if c["status"] not in ("passed",)}
    assert set(failing) == {
        "data/train/columns/age/max",
        "data/train/columns/gender/allowed",
        "data/train/columns/income/max_missing",
        "data/train/columns/region/type",
        "data/train/columns/region/allowed",
        "data/train/strict",
        "data/train/duplicates",
        "data/train/unique",  # duplicated rows repeat their key too
        "data/train/rules/loan under 10x income",
        "data/holdout/drift/age",
    }
    assert all(c["status"] == "failed" for c in failing.values())
    text = CONFIG
    lines = {i: c["location"]["line"] for i, c in failing.items()}
    assert lines["data/train/columns/age/max"] == line_of(text, "age:")
    assert lines["data/train/strict"] == line_of(text, "strict:")
    assert lines["data/train/rules/loan under 10x income"] == line_of(text, "loan under")
    assert lines["data/holdout/drift/age"] == line_of(text, "columns: [age, income, gender]")

    age = failing["data/train/columns/age/max"]
    assert age["observed"] == 150
    assert age["message"].startswith("3 of 3,010 non-missing values (0.0997%) are above 120")
    assert "`150` ×2, `131` ×1" in age["message"]
    assert age["examples"][:2] == [{"row": 5, "value": 150}, {"row": 17, "value": 131}]

    gender = failing["data/train/columns/gender/allowed"]
    assert gender["message"].startswith("2 of 3,010 non-missing values")
    assert gender["observed"] == ["Q"]

    missing = failing["data/train/columns/income/max_missing"]
    n_missing = int(train["income"].isna().sum())
    assert missing["message"].startswith(f"{n_missing:,} of 3,010 values missing in `income`")

    region = failing["data/train/columns/region/type"]
    assert region["message"] == "column `region` is not in the dataset (did you mean `Region`?)"
    assert "`Region`" in failing["data/train/strict"]["message"]

    dup = failing["data/train/duplicates"]
    assert dup["message"].startswith("10 of 3,010 rows (0.332%) are copies of an earlier row")
    assert dup["examples"][0] == {"row": 3000, "same as row": 1000}

    rule = failing["data/train/rules/loan under 10x income"]
    assert rule["message"].startswith("30 of ")
    assert "rows with a missing operand not counted" in rule["message"]
    assert rule["examples"][0]["row"] == 2000

    drift = failing["data/holdout/drift/age"]
    assert drift["message"].startswith("wasserstein score")
    assert "reference 3,010 rows · current 1,500 rows · moved most:" in drift["message"]
    assert drift["details"]["method"] == "wasserstein"
    assert drift["details"]["threshold"] == 0.1
