"""`mlgate init` can be adopted as is: the config it infers from a reference passes a later, clean
file of the same source, and fails (naming the column) on a change of unit, a new category, 20%
new missing values, a renamed column and duplicated rows. Measured the way issue 9 measured it:
a wide loan-like table drawn from one process in two time windows, and scikit-learn's bundled
datasets split in two halves."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgate.cli import main
from mlgate.data.infer.suite import infer_suite
from mlgate.testing.data import _judge_suite
from tests.data.helpers import run_gate
from tests.data.loan_like import loan_frame

Fault = Callable[[pd.DataFrame], pd.DataFrame]


def _scale(col: str, k: float) -> Fault:
    return lambda df: df.assign(**{col: df[col] * k})


def _new_category(col: str, value: str, share: float = 0.02) -> Fault:
    def fault(df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        rows = np.random.default_rng(5).random(len(out)) < share
        out.loc[rows, col] = value
        return out

    return fault


def _new_missing(col: str, share: float = 0.2) -> Fault:
    """`share` of all rows newly missing in `col` (chosen among the rows that hold a value)."""

    def fault(df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        present = np.flatnonzero(out[col].notna().to_numpy())
        rng = np.random.default_rng(6)
        rows = rng.choice(present, size=min(len(present), round(share * len(out))), replace=False)
        numeric = pd.api.types.is_numeric_dtype(out[col])
        out[col] = out[col].astype(float if numeric else object)
        out.loc[out.index[rows], col] = None
        return out

    return fault


def _rename(col: str, new: str) -> Fault:
    return lambda df: df.rename(columns={col: new})


def _duplicate_rows(share: float = 0.05) -> Fault:
    return lambda df: pd.concat([df, df.sample(frac=share, random_state=7)], ignore_index=True)


# Each fault and the column its failing checks must name.
LOAN_FAULTS: dict[str, tuple[Fault, str]] = {
    "amount in cents": (_scale("loan_amnt", 100), "loan_amnt"),
    "rate in percent": (_scale("int_rate", 100), "int_rate"),
    "income in cents": (_scale("annual_inc", 100), "annual_inc"),
    "new category": (_new_category("home_ownership", "NONE"), "home_ownership"),
    "new grade": (_new_category("grade", "H", share=0.005), "grade"),
    "20% new missing": (_new_missing("annual_inc"), "annual_inc"),
    "20% more missing": (_new_missing("emp_length"), "emp_length"),
    "20% more missing months": (_new_missing("mths_since_last_delinq"), "mths_since_last_delinq"),
    "renamed column": (_rename("dti", "debt_to_income"), "dti"),
    "duplicated rows": (_duplicate_rows(), "id"),
}


def _failed(results: list[tuple[str, Any]]) -> dict[str, str]:
    return {i: o.message for i, o in results if o.status in ("failed", "error")}


def _judge(suite: dict[str, Any], df: pd.DataFrame) -> dict[str, str]:
    return _failed(_judge_suite({k: v for k, v in suite.items() if k != "drift"}, df))


@pytest.fixture(scope="module")
def loans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """A project with `mlgate init data/reference.csv -o config/mlgate.yml`, and a later file."""
    root = tmp_path_factory.mktemp("loans")
    subprocess.run(["git", "init", "-q", str(root)], check=True)  # the workspace is its top
    (root / "data").mkdir()
    loan_frame(5000, seed=1, start="2015-01").to_csv(root / "data" / "reference.csv", index=False)
    later = loan_frame(4000, seed=2, start="2016-04")
    here = Path.cwd()
    import os

    os.chdir(root / "data")  # `-o` outside the current folder: paths relative to the config
    try:
        assert main(["init", "reference.csv", "-o", "../config/"]) == 0
    finally:
        os.chdir(here)
    return root, later


def _gate_on(root: Path, later: pd.DataFrame) -> tuple[int, dict[str, dict[str, Any]]]:
    """The gate of `config/mlgate.yml` with the reference file replaced by `later`."""
    later.to_csv(root / "data" / "reference.csv", index=False)
    return run_gate(root / "config")


def test_init_config_passes_a_later_clean_file(loans: tuple[Path, pd.DataFrame]) -> None:
    root, later = loans
    config = yaml.safe_load((root / "config" / "mlgate.yml").read_text())
    assert config["datasets"] == {"reference": {"path": "../data/reference.csv"}}
    code, checks = _gate_on(root, later)
    failed = {k: c["message"] for k, c in checks.items() if c["status"] != "passed"}
    assert failed == {}
    assert code == 0
    assert len(checks) > 150


@pytest.mark.parametrize("fault", list(LOAN_FAULTS))
def test_init_config_fails_each_real_fault_naming_the_column(
    loans: tuple[Path, pd.DataFrame], fault: str
) -> None:
    root, later = loans
    inject, column = LOAN_FAULTS[fault]
    code, checks = _gate_on(root, inject(later))
    failed = {k: c["message"] for k, c in checks.items() if c["status"] == "failed"}
    assert code == 1
    assert any(f"/{column}/" in k or f"`{column}`" in m for k, m in failed.items()), failed


def test_the_inferred_suite_is_what_the_issue_asked_for() -> None:
    suite, notes = infer_suite("loans", loan_frame(5000, seed=3))
    cols = suite["columns"]
    assert suite["duplicates"] == {"max": 0.001}
    assert suite["unique"] == ["id"]
    assert cols["member_id"]["unique"] is True
    assert suite["rows"] == {"min": 1}
    assert suite["strict"] is True
    # heavy-tailed counts: a range from 0, no set with gaps
    for count in ("delinq_2yrs", "pub_rec", "inq_last_6mths", "open_acc"):
        assert "allowed" not in cols[count]
        assert cols[count]["min"] == 0
        assert cols[count]["max"] >= 20
    # fractions: [0, 1]; month-like text: a pattern, not the months seen
    assert cols["int_rate"]["min"] == 0
    assert cols["int_rate"]["max"] == 1
    month = "^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-[0-9]{4}$"
    assert cols["issue_d"] == {"type": "string", "max_missing": 0.05, "pattern": month}
    assert cols["zip_code"]["pattern"] == "^[0-9]{3}xx$"
    # real categoricals: the set; free text: neither set nor pattern
    assert cols["grade"]["allowed"] == list("ABCDEFG")
    assert cols["home_ownership"]["allowed"] == ["MORTGAGE", "OWN", "RENT"]
    assert "allowed" not in cols["emp_title"]
    assert "pattern" not in cols["emp_title"]
    # IDs grow with time: no max; a rare 0/1 count is a count, a balanced one a flag
    assert "max" not in cols["id"]
    assert "median" not in cols["id"]
    assert "allowed" not in cols["acc_now_delinq"]
    assert cols["policy_code"]["allowed"] == [1]
    assert notes == []


@settings(max_examples=12, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 10_000),
    months_later=st.integers(6, 30),
    n_ref=st.sampled_from([1000, 3000, 8000]),
    n_later=st.sampled_from([500, 3000, 12000]),
)
def test_later_windows_of_the_same_source_pass(
    seed: int, months_later: int, n_ref: int, n_later: int
) -> None:
    suite, _ = infer_suite("loans", loan_frame(n_ref, seed=seed, start="2015-01"))
    start = f"{2015 + months_later // 12}-{months_later % 12 + 1:02d}"
    assert _judge(suite, loan_frame(n_later, seed=seed + 1, start=start)) == {}


def _halves(frame: pd.DataFrame, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    order = np.random.default_rng(seed).permutation(len(frame))
    half = len(frame) // 2
    return (
        frame.iloc[order[:half]].reset_index(drop=True),
        frame.iloc[order[half:]].reset_index(drop=True),
    )


def _bundled(name: str) -> pd.DataFrame:
    import sklearn.datasets as ds

    bunch = getattr(ds, f"load_{name}")(as_frame=True)
    frame: pd.DataFrame = bunch.frame
    return frame


@pytest.mark.parametrize("name", ["diabetes", "wine", "breast_cancer", "iris"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bundled_datasets_second_half_passes_the_first_halfs_config(name: str, seed: int) -> None:
    first, second = _halves(_bundled(name), seed)
    suite, _ = infer_suite(name, first)
    assert _judge(suite, second) == {}


@pytest.mark.parametrize("name", ["diabetes", "wine", "breast_cancer", "iris"])
def test_bundled_datasets_faults_fail_naming_the_column(name: str) -> None:
    first, second = _halves(_bundled(name))
    suite, _ = infer_suite(name, first)
    numeric = [c for c in second.columns if c != "target"]
    col = numeric[len(numeric) // 2]
    faults = {
        "unit": (_scale(col, 100), col),
        "new class": (lambda df: df.assign(target=df["target"].where(df.index > 3, 99)), "target"),
        "missing": (_new_missing(col), col),
        "renamed": (_rename(col, col + "_x"), col),
        "duplicated": (_duplicate_rows(0.1), None),
    }
    if name == "diabetes":  # a regression target: no classes
        del faults["new class"]
    for what, (inject, column) in faults.items():
        failed = _judge(suite, inject(second))
        assert failed, what
        if column is not None:
            assert any(f"/{column}/" in k or f"`{column}`" in m for k, m in failed.items()), (
                what,
                failed,
            )


_floats = st.floats(allow_nan=True, allow_infinity=False, width=64)
_texts = st.text(alphabet=st.sampled_from("aZ09-_ .Éx/"), max_size=6)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # the profile's std
@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    numbers=st.lists(_floats, min_size=1, max_size=80),
    counts=st.lists(st.integers(-(2**40), 2**40), min_size=1, max_size=80),
    texts=st.lists(st.one_of(st.none(), _texts), min_size=1, max_size=80),
)
def test_the_inferred_suite_passes_the_data_it_was_learnt_from(
    numbers: list[float], counts: list[int], texts: list[str | None]
) -> None:
    n = max(len(numbers), len(counts), len(texts))

    def fill(values: list[Any]) -> list[Any]:
        return (values * n)[:n]

    df = pd.DataFrame(
        {
            "x": fill(numbers),
            "k": pd.array(fill(counts), dtype="int64"),
            "t": pd.array(fill(texts), dtype=object),
        }
    )
    suite, _ = infer_suite("frame", df)
    assert _judge(suite, df) == {}
    yaml.safe_load(yaml.safe_dump(suite))  # plain YAML
