"""Column and table checks through the gate: figures, skips, missing columns, empty data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlgate.cli import main
from tests.data.helpers import credit_frame, line_of, run_gate


def _project(tmp_path: Path, df: pd.DataFrame, data: str, extra: str = "") -> Path:
    df.to_parquet(tmp_path / "d.parquet")
    (tmp_path / "mlgate.yml").write_text(
        f"version: 1\ndatasets:\n  d: {{path: d.parquet}}\n{extra}data:\n{data}"
    )
    return tmp_path


def test_a_column_of_the_wrong_type_fails_type_and_skips_its_dependents(tmp_path: Path) -> None:
    df = pd.DataFrame({"age": ["20", "thirty", None], "n": [1, 2, 3]})
    _project(
        tmp_path,
        df,
        "  - dataset: d\n"
        "    columns:\n"
        "      age: {type: integer, min: 0, max: 120, mean: {max: 50}, nullable: false}\n",
    )
    code, checks = run_gate(tmp_path)
    assert code == 1
    assert checks["data/d/columns/age/type"]["status"] == "failed"
    assert checks["data/d/columns/age/type"]["message"] == "`age` has dtype str (expected integer)"
    for key in ("min", "max", "mean"):
        c = checks[f"data/d/columns/age/{key}"]
        assert c["status"] == "skipped"
        assert "is not integer (dtype str)" in c["message"]
    assert checks["data/d/columns/age/nullable"]["message"] == "1 of 3 values missing in `age`"
    assert checks["data/d/columns/age/nullable"]["examples"] == [{"row": 2}]


def test_a_missing_column_fails_each_of_its_checks_with_a_did_you_mean(tmp_path: Path) -> None:
    df = pd.DataFrame({"Records": [1, 2]})
    _project(tmp_path, df, "  - dataset: d\n    columns:\n      Recrods: {type: integer, min: 0}\n")
    _, checks = run_gate(tmp_path)
    for key in ("type", "min"):
        c = checks[f"data/d/columns/Recrods/{key}"]
        assert c["status"] == "failed"
        assert c["message"] == "column `Recrods` is not in the dataset (did you mean `Records`?)"


def test_empty_data_is_its_own_failure_never_a_silent_pass(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": pd.Series([], dtype="int64")})
    _project(
        tmp_path,
        df,
        "  - dataset: d\n    unique: [a]\n    columns:\n      a: {type: integer, max: 3}\n"
        "    rules: [{expr: 'a > 0'}]\n",
    )
    code, checks = run_gate(tmp_path)
    assert code == 1
    assert {c["status"] for c in checks.values()} == {"failed"}
    assert all("has no rows" in c["message"] for c in checks.values())


def test_ranges_sets_patterns_and_stats_report_their_figures(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "x": [1.0, 2.0, 3.0, 4.0, np.nan, 100.0, 100.0],
            "code": ["A1", "A2", "B3", "zz", None, "A1", "zz"],
            "when": pd.to_datetime(["2020-01-01"] * 6 + ["2999-01-01"]),
            "id": [1, 2, 3, 3, 5, 6, 6],
        }
    )
    _project(
        tmp_path,
        df,
        "  - dataset: d\n"
        "    columns:\n"
        "      x: {min: 2, max: 50, mean: {max: 10}, std: {min: 0}, median: {max: 3},"
        " quantiles: {0.9: {max: 100}}}\n"
        "      code: {pattern: '[A-Z][0-9]', allowed: [A1, A2, B3]}\n"
        "      when: {min: '2019-01-01', max: today}\n"
        "      id: {unique: true}\n",
    )
    _, checks = run_gate(tmp_path)
    c = checks["data/d/columns/x/min"]
    assert (c["status"], c["observed"], c["expected"]) == ("failed", 1.0, ">= 2")
    assert c["message"].startswith("1 of 6 non-missing values (16.7%) are below 2 · min seen 1")
    c = checks["data/d/columns/x/max"]
    assert c["message"].startswith("2 of 6 non-missing values (33.3%) are above 50")
    assert "`100` ×2" in c["message"]
    assert c["examples"] == [{"row": 5, "value": 100.0}, {"row": 6, "value": 100.0}]
    assert checks["data/d/columns/x/mean"]["status"] == "failed"
    assert checks["data/d/columns/x/mean"]["observed"] == pytest.approx(210 / 6)
    assert checks["data/d/columns/x/std"]["status"] == "passed"
    assert checks["data/d/columns/x/median"]["observed"] == 3.5
    assert checks["data/d/columns/x/quantiles/0.9"]["status"] == "passed"
    c = checks["data/d/columns/code/pattern"]
    assert c["message"].startswith("2 of 6 non-missing values (33.3%) do not match `[A-Z][0-9]`")
    assert "`zz` ×2" in c["message"]
    assert checks["data/d/columns/code/allowed"]["observed"] == ["zz"]
    c = checks["data/d/columns/when/max"]
    assert c["status"] == "failed"
    assert c["expected"] == "<= today"
    assert c["examples"] == [{"row": 6, "value": "2999-01-01T00:00:00"}]
    assert checks["data/d/columns/when/min"]["status"] == "passed"
    c = checks["data/d/columns/id/unique"]
    assert c["message"].startswith("2 of 7 non-missing values (28.6%) repeat a value")
    assert c["examples"][0] == {"row": 3, "same as row": 2, "id": 3}


def test_a_key_of_several_columns_and_duplicates_on_a_subset(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [1, 1, 2, 2, None], "b": ["x", "y", "x", "x", "x"], "c": range(5)})
    _project(
        tmp_path,
        df,
        "  - dataset: d\n    unique: [a, b]\n    duplicates: {columns: [a, b], max: 0.1}\n",
    )
    _, checks = run_gate(tmp_path)
    c = checks["data/d/unique"]
    assert c["message"].startswith("1 of 4 rows (25%) repeat a key `a`, `b` seen in an earlier row")
    assert "(1 row with a missing key part not counted)" in c["message"]
    c = checks["data/d/duplicates"]
    assert c["message"] == "1 of 5 rows (20%) are copies of an earlier row (allowed 0.1)"
    assert c["status"] == "failed"


def test_severity_innermost_wins(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [1, 50], "b": [1, 50]})
    _project(
        tmp_path,
        df,
        "  - dataset: d\n    severity: warning\n    columns:\n"
        "      a: {max: 10}\n      b: {max: 10, severity: error}\n",
    )
    code, checks = run_gate(tmp_path)
    assert checks["data/d/columns/a/max"]["status"] == "warning"
    assert checks["data/d/columns/b/max"]["status"] == "failed"
    assert code == 1


def test_rules_count_only_rows_with_every_operand(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [1, 2, 3, None], "b": [1, 1, 5, 1], "s": ["x", "y", "x", "x"]})
    _project(
        tmp_path,
        df,
        "  - dataset: d\n    rules:\n"
        '      - {name: a le b, expr: \'a <= b and s in ["x", "y"]\', max_fail: 0.5}\n'
        "      - {expr: '`a` * 2 > b | ~(s == \"x\")'}\n",
    )
    _, checks = run_gate(tmp_path)
    c = checks["data/d/rules/a le b"]
    assert c["status"] == "passed"
    assert c["message"] == (
        '1 of 3 rows (33.3%) break `a <= b and s in ["x", "y"]` (allowed 0.5); '
        "1 row with a missing operand not counted"
    )
    assert c["observed"] == pytest.approx(1 / 3)
    assert checks["data/d/rules/1"]["status"] == "passed"


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("__import__('os').system('x')", "a function call is not allowed"),
        ("a.mean() > 1", "a function call is not allowed"),
        ("a.values > 1", "attribute access (.values) is not allowed"),
        ("a >", "invalid expression"),
        ("a in b", "`in` needs a literal list"),
        ("[x for x in a]", "ListComp is not allowed"),
    ],
)
def test_a_bad_rule_is_a_config_error_naming_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], expr: str, message: str
) -> None:
    data = f'  - dataset: d\n    rules:\n      - name: r\n        expr: "{expr}"\n'
    _project(tmp_path, pd.DataFrame({"a": [1]}), data)
    assert main(["check-config", "--config", str(tmp_path / "mlgate.yml")]) == 2
    err = capsys.readouterr().err
    line = line_of((tmp_path / "mlgate.yml").read_text(), "expr:")
    assert f"mlgate.yml:{line}:" in err
    assert "data[0].rules[0].expr" in err
    assert message in err


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ("{pattern: '(['}", "data[0].columns.a.pattern: invalid regular expression"),
        ("{type: integer, min: abc}", "data[0].columns.a.min: 'abc' is not a number"),
        ("{min: 5, max: 1}", "data[0].columns.a.min: min 5 is greater than max 1"),
        ("{type: datetime, max: 5}", "data[0].columns.a.max: 5: give a date"),
    ],
)
def test_column_keys_the_schema_cannot_judge_are_config_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], column: str, message: str
) -> None:
    _project(
        tmp_path, pd.DataFrame({"a": [1]}), f"  - dataset: d\n    columns:\n      a: {column}\n"
    )
    assert main(["check-config", "--config", str(tmp_path / "mlgate.yml")]) == 2
    assert message in capsys.readouterr().err


def test_an_unknown_drift_reference_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(tmp_path, pd.DataFrame({"a": [1]}), "  - dataset: d\n    drift: {reference: dd}\n")
    assert main(["check-config", "--config", str(tmp_path / "mlgate.yml")]) == 2
    assert "data[0].drift.reference: unknown dataset 'dd'" in capsys.readouterr().err


def test_a_float_column_of_whole_numbers_with_missing_values_is_an_integer(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [1.0, None, 3.0], "b": [1.5, 2.0, None]})
    _project(
        tmp_path,
        df,
        "  - dataset: d\n    columns:\n      a: {type: integer}\n      b: {type: integer}\n",
    )
    _, checks = run_gate(tmp_path)
    assert checks["data/d/columns/a/type"]["status"] == "passed"
    assert checks["data/d/columns/b/type"]["message"] == (
        "`b` has dtype float64 with 1 value that is not a whole number (expected integer)"
    )


def test_examples_are_cut_to_max_failures_shown(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": range(100)})
    _project(
        tmp_path,
        df,
        "  - dataset: d\n    columns:\n      a: {max: 10}\n",
        extra="report: {max_failures_shown: 3}\n",
    )
    _, checks = run_gate(tmp_path)
    assert [e["row"] for e in checks["data/d/columns/a/max"]["examples"]] == [11, 12, 13]


def test_strict_passes_when_every_column_is_declared(tmp_path: Path) -> None:
    df = credit_frame(50)
    cols = "".join(f"      {c}: {{}}\n" for c in df.columns)
    _project(tmp_path, df, f"  - dataset: d\n    strict: true\n    columns:\n{cols}")
    _, checks = run_gate(tmp_path)
    assert checks["data/d/strict"]["message"] == "all 9 columns are declared"


@pytest.mark.parametrize("name", ["d.csv", "d.parquet"])
def test_empty_streamed_data_is_empty_not_missing_columns(tmp_path: Path, name: str) -> None:
    empty = pd.DataFrame({"a": pd.Series([], dtype="int64")})
    if name.endswith(".csv"):
        (tmp_path / name).write_text("a\n")
    else:
        empty.to_parquet(tmp_path / name)
    (tmp_path / "mlgate.yml").write_text(
        f"version: 1\ndatasets:\n  d: {{path: {name}, chunk_rows: 10}}\n"
        "data:\n  - dataset: d\n    rows: {min: 1}\n    strict: true\n    columns: {a: {max: 3}}\n"
    )
    _, checks = run_gate(tmp_path)
    assert checks["data/d/rows"]["message"] == "0 rows (expected >= 1)"
    assert checks["data/d/strict"]["status"] == "passed"
    assert checks["data/d/columns/a/max"]["message"] == (
        "dataset `d` has no rows: nothing to check for `a`"
    )
