"""The fields that are missing values in a CSV are one list, pandas' default one, whichever
reader reads the file (pyarrow, or pandas for an option only it has), on every engine and
whole or streamed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mlgate.datasets import NA_TOKENS, read_paths
from tests.data.helpers import run_gate

#: Every token of the list in column `s`, then 3 values that are text.
VALUES = [*NA_TOKENS, "a", "x", "none"]


def test_the_tokens_are_pandas_defaults() -> None:
    from pandas._libs.parsers import STR_NA_VALUES

    assert len(NA_TOKENS) == len(set(NA_TOKENS)) == 19
    assert set(NA_TOKENS) == STR_NA_VALUES


@pytest.mark.parametrize("extra", ["", ", chunk_rows: 4"])
@pytest.mark.parametrize("options", ["", ", options: {comment: '#'}"])
@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_the_same_values_are_missing_whichever_reader_reads_them(
    tmp_path: Path, engine: str, options: str, extra: str
) -> None:
    """A trial: `None` was missing for pandas' reader (`options: {comment: "#"}`), text for
    pyarrow's (the default): 4 of 6 against 3 of 6."""
    if engine == "duckdb":
        pytest.importorskip("duckdb")
    rows = "".join(f'{i},"{v}"\n' for i, v in enumerate(VALUES))
    (tmp_path / "t.csv").write_text("i,s\n" + rows)
    (tmp_path / "mlgate.yml").write_text(
        f"version: 1\ngate: {{engine: {engine}}}\n"
        f"datasets:\n  t: {{path: t.csv{options}{extra}}}\n"
        "data:\n  - dataset: t\n    columns:\n      s: {nullable: false}\n"
    )
    code, checks = run_gate(tmp_path)
    check = checks["data/t/columns/s/nullable"]
    assert check["status"] == "failed"
    assert check["message"] == "19 of 22 values missing in `s`"
    assert code == 1


def test_the_trial_file_counts_alike_with_either_reader(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("i,s\n1,a\n2,null\n3,None\n4,nan\n5,\n6,x\n")
    arrow = read_paths([path], "csv", {})
    pandas = read_paths([path], "csv", {"comment": "#"})
    assert arrow["s"].isna().tolist() == pandas["s"].isna().tolist()
    assert arrow["s"].isna().tolist() == [False, True, True, True, True, False]
    assert pd.read_csv(path)["s"].isna().sum() == 4  # pandas itself


def test_keep_default_na_keeps_na_as_text(tmp_path: Path) -> None:
    """README: `options: {keep_default_na: false, na_values: ['']}` keeps `NA` (Namibia) text."""
    (tmp_path / "t.csv").write_text("i,code\n1,NA\n2,US\n3,\n4,None\n")
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\ndatasets:\n  t: {path: t.csv, options: {keep_default_na: false, "
        "na_values: ['']}}\n"
        "data:\n  - dataset: t\n    columns:\n      code: {nullable: false}\n"
    )
    code, checks = run_gate(tmp_path)
    assert checks["data/t/columns/code/nullable"]["message"] == "1 of 4 values missing in `code`"
    assert code == 1
