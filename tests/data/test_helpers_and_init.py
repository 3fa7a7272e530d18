"""`mlgate.testing.assert_schema` and `mlgate init`."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mlgate.cli import main
from mlgate.testing import assert_schema
from tests.data.helpers import credit_frame, run_gate


def test_assert_schema_passes_on_good_data() -> None:
    df = credit_frame(200)
    assert_schema(
        df,
        columns={
            "age": {"type": "integer", "min": 18, "max": 120},
            "gender": {"allowed": ["F", "M", "X"]},
        },
        rows={"min": 100},
        unique=["customer_id"],
        rules=[{"expr": "age >= 18"}],
    )


def test_assert_schema_raises_with_the_gates_messages() -> None:
    df = pd.DataFrame({"age": [20, 150, None], "Records": [1, 2, 3]})
    with pytest.raises(AssertionError) as err:
        assert_schema(
            df,
            columns={
                "age": {"type": "integer", "max": 120, "nullable": False},
                "Recrods": {"min": 0},
            },
            strict=True,
        )
    assert str(err.value).splitlines() == [
        "4 data checks failed:",
        "  strict: 1 column not declared under `columns:`: `Records`",
        "      {'column': 'Records'}",
        "  columns/age/nullable: 1 of 3 values missing in `age`",
        "      {'row': 2}",
        "  columns/age/max: 1 of 2 non-missing values (50%) are above 120 · max seen 150;"
        " most frequent offending values: `150` ×1",
        "      {'row': 1, 'value': 150.0}",
        "  columns/Recrods/min: column `Recrods` is not in the dataset (did you mean `Records`?)",
    ]


def test_assert_schema_rejects_unknown_keys() -> None:
    with pytest.raises(ValueError, match="invalid data checks"):
        assert_schema(pd.DataFrame({"a": [1]}), columns={"a": {"maximum": 3}})


def test_assert_schema_says_what_a_misspelt_name_should_be() -> None:
    """Issue 9 item 9: `assert_schema` printed jsonschema's raw text, with no did-you-mean."""
    df = pd.DataFrame({"income": [1.0, 2.0], "AGE": [30, 40]})
    cases = [
        (
            {"columns": {"income": {"mni": 0}}},
            "columns.income.mni: unknown key 'mni' -> did you mean 'min'?",
        ),
        ({"columns": {"income": {"type": "flaot"}}}, "-> did you mean 'float'?"),
        ({"rows": {"mn": 1}}, "rows.mn: unknown key 'mn' -> did you mean 'min'?"),
        (
            {"columns": {"income": {"max": float("nan")}}},
            "columns.income.max: .nan is not a finite number",
        ),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match="invalid data checks: ") as info:
            assert_schema(df, **kwargs)
        assert message in str(info.value)
    with pytest.raises(
        AssertionError, match=r"column `age` is not in the dataset \(did you mean `AGE`\?\)"
    ):
        assert_schema(df, {"age": {"min": 0}})


def test_init_writes_a_config_that_passes_check_config_and_the_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "data").mkdir()
    train = credit_frame(3000, seed=1)
    train.to_csv(tmp_path / "data" / "train.csv", index=False)
    holdout = credit_frame(1200, seed=2)
    holdout["debt"] = holdout["debt"] * 3  # already drifting: left out of the drift block
    holdout.to_parquet(tmp_path / "data" / "holdout.parquet")
    monkeypatch.chdir(tmp_path)
    assert main(["init", "data/holdout.parquet", "data/train.csv", "-o", "mlgate.yml"]) == 0
    text = (tmp_path / "mlgate.yml").read_text()
    config = yaml.safe_load(text)
    assert config["datasets"] == {
        "holdout": {"path": "data/holdout.parquet"},
        "train": {"path": "data/train.csv"},
    }
    (suite,) = config["data"]  # DATA checked, learnt from REFERENCE
    cols = suite["columns"]
    assert suite["dataset"] == "holdout"
    assert suite["unique"] == ["customer_id"]
    assert cols["customer_id"] == {"type": "string", "nullable": False, "pattern": "^C[0-9]{6}$"}
    assert cols["age"]["type"] == "integer"
    assert cols["age"]["min"] == 0
    assert 90 <= cols["age"]["max"] <= 400
    assert 18 <= cols["age"]["median"]["min"] < cols["age"]["median"]["max"] <= 90
    assert cols["gender"]["allowed"] == ["F", "M", "X"]
    assert cols["income"]["type"] == "float"
    assert 0.05 < cols["income"]["max_missing"] < 0.1
    assert cols["signup"]["max"] == "today"
    assert cols["approved"]["allowed"] == [0, 1]
    assert suite["drift"]["reference"] == "train"
    assert "debt" not in suite["drift"]["columns"]
    assert "customer_id" not in suite["drift"]["columns"]
    assert "age" in suite["drift"]["columns"]
    assert "# holdout: left out of drift (already drifting from train): debt" in text
    assert "fails these checks already" in text  # debt x3 breaks its median
    assert "columns/debt/median" in text
    assert main(["check-config"]) == 0
    code, checks = run_gate(tmp_path)
    assert code == 1
    assert {k for k, c in checks.items() if c["status"] != "passed"} == {
        "data/holdout/columns/debt/median"
    }


def test_init_paths_are_relative_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "sub").mkdir()
    pd.DataFrame({"a": np.arange(50)}).to_parquet(tmp_path / "a.parquet")
    monkeypatch.chdir(tmp_path / "sub")
    assert main(["init", os.path.join("..", "a.parquet")]) == 0
    out = yaml.safe_load(capsys.readouterr().out)
    assert out["datasets"] == {"a": {"path": "../a.parquet"}}
