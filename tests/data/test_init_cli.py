"""`mlgate init` on the command line: where it writes, and one clear line (exit 2, no traceback)
for what it cannot do."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mlgate.cli import main
from tests.data.helpers import run_gate


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository (its top is the workspace: a config in a subfolder may read `../data`)."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "data").mkdir()
    rng = np.random.default_rng(0)
    pd.DataFrame({"a": rng.normal(50, 5, 300), "g": rng.choice(["x", "y"], 300)}).to_csv(
        tmp_path / "data" / "d.csv", index=False
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _one_clear_line(err: str, *needles: str) -> None:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize("output", ["conf", "conf/", "conf/sub/", "conf/sub/gate.yml"])
def test_output_in_a_folder_writes_paths_relative_to_the_config(
    project: Path, output: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "conf").mkdir()
    assert main(["init", "data/d.csv", "-o", output]) == 0
    written = Path(output) if output.endswith(".yml") else Path(output) / "mlgate.yml"
    assert capsys.readouterr().out.strip() == f"wrote {written}"
    written = project / written
    config = yaml.safe_load(written.read_text())
    depth = len(written.parent.relative_to(project).parts)
    assert config["datasets"]["d"]["path"] == "../" * depth + "data/d.csv"
    code, checks = run_gate(written.parent, "--config", written.name)
    assert code == 0, {k: c["message"] for k, c in checks.items() if c["status"] != "passed"}


def test_output_under_a_file_or_over_the_data_is_one_clear_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "notes.txt").write_text("x")
    assert main(["init", "data/d.csv", "-o", "notes.txt/mlgate.yml"]) == 2
    _one_clear_line(capsys.readouterr().err, "notes.txt/mlgate.yml: cannot write it")
    assert main(["init", "data/d.csv", "-o", "data/d.csv"]) == 2
    _one_clear_line(capsys.readouterr().err, "is one of the data files")
    assert (project / "data" / "d.csv").read_text().startswith("a,g")
    assert main(["init", "data"]) == 2
    _one_clear_line(capsys.readouterr().err, "data: is a folder")
    assert main(["init", "data/nope.csv"]) == 2
    _one_clear_line(capsys.readouterr().err, "data/nope.csv: no such file")


def test_more_than_data_and_reference_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["init", "data/d.csv", "data/d.csv", "data/d.csv"])
    assert info.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_inf_values_leave_that_bound_out_and_say_so(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    df = pd.DataFrame(
        {
            "up": [1.0, 2.0, np.inf, 4.0] * 10,
            "down": [-np.inf, 2.0, 3.0, 4.0] * 10,
            "both": [-np.inf, np.inf, 1.0, 2.0] * 10,
        }
    )
    df.to_csv(project / "inf.csv", index=False)
    assert main(["init", "inf.csv", "-o", "mlgate.yml"]) == 0
    text = (project / "mlgate.yml").read_text()
    cols = yaml.safe_load(text)["data"][0]["columns"]
    assert "max" not in cols["up"]
    assert cols["up"]["min"] == 0
    assert "min" not in cols["down"]
    assert "max" in cols["down"]
    assert "min" not in cols["both"]
    assert "max" not in cols["both"]
    assert "# up: holds inf values, so no `max` is inferred" in text
    assert ".inf" not in text  # no bound, median or comment holds YAML's infinity
    code, checks = run_gate(project)
    assert code == 0, {k: c["message"] for k, c in checks.items() if c["status"] != "passed"}


def test_data_and_reference_with_the_same_name_get_two_names(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "ref").mkdir()
    pd.read_csv(project / "data" / "d.csv").to_csv(project / "ref" / "d.csv", index=False)
    assert main(["init", "data/d.csv", "ref/d.csv"]) == 0
    config = yaml.safe_load(capsys.readouterr().out)
    assert config["datasets"] == {"d": {"path": "data/d.csv"}, "d_2": {"path": "ref/d.csv"}}
    assert config["data"][0]["drift"]["reference"] == "d_2"
