"""Every way a run can go wrong ends in one clear line and the right exit code, never a
traceback; where the gate ran, the report is written."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from mlgate.cli import main
from tests.conftest import Project

CONFIG = """
version: 1
datasets:
  d: {path: d.csv}
data:
  - dataset: d
    rows: {min: 1}
"""


@pytest.fixture
def small(project: Project) -> Project:
    project.write("d.csv", "a,y\n1,0\n2,1\n")
    project.write("mlgate.yml", CONFIG)
    return project


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["run", "--publish", "none", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def report(project: Project) -> dict:  # type: ignore[type-arg]
    return json.loads((project.root / "mlgate-report" / "report.json").read_text())


def lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip()]


# -- the configuration -------------------------------------------------------------------


def test_a_config_that_never_ends_is_capped(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", "--config", "/dev/zero"]) == 2
    err = capsys.readouterr().err
    assert lines(err)[1] == "  /dev/zero: larger than 1 MiB: not a configuration file"


def test_yaml_nested_500_deep_is_one_line(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write("mlgate.yml", "version: 1\nx: " + "[" * 500 + "]" * 500 + "\n")
    assert main(["check-config"]) == 2
    err = capsys.readouterr().err
    assert (
        lines(err)[1] == "  mlgate.yml:2:67: nested more than 64 levels deep: not a configuration"
    )


def test_a_config_that_is_not_utf8_names_its_line(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    (project.root / "mlgate.yml").write_bytes(b"version: 1\nreport: {title: caf\xe9}\n")
    assert main(["check-config"]) == 2
    assert "mlgate.yml:2: not UTF-8 text" in capsys.readouterr().err


# -- the command line --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("report_dir", "reason"),
    [("d.csv", "is a file, not a folder"), ("d.csv/sub", "cannot create it")],
)
def test_an_unusable_report_dir_exits_2_before_the_gate_runs(
    small: Project, capsys: pytest.CaptureFixture[str], report_dir: str, reason: str
) -> None:
    code, _, err = run(capsys, "--report-dir", report_dir)
    assert code == 2
    assert lines(err) == [f"mlgate: --report-dir {report_dir}: {reason}" + _tail(reason)]


def _tail(reason: str) -> str:
    return " (Not a directory)" if reason == "cannot create it" else ""


def test_a_bad_k_expression_exits_2_naming_the_column(
    small: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "-k", "data and (")
    assert code == 2
    [line] = lines(err)
    assert line.startswith("mlgate: -k 'data and (' is not a valid expression at column 11: ")


def test_pytest_args_pytest_refuses_are_a_config_error_at_their_line(
    small: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    small.write("tests/ml/test_a.py", "def test_a():\n    pass\n")
    small.write("mlgate.yml", CONFIG + 'pytest:\n  paths: [tests/ml]\n  args: ["--no-such-flag"]\n')
    code, _, err = run(capsys)
    assert code == 2
    assert lines(err) == [
        "mlgate: the configuration is invalid:",
        "  mlgate.yml:9:3: pytest.args: pytest refused them: unrecognized arguments: "
        "--no-such-flag",
    ]
    assert report(small)["checks"][0]["location"]["line"] == 9


def test_a_conftest_that_raises_is_one_error_and_the_other_checks_run(
    small: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    small.write("tests/ml/conftest.py", "import os\n\nraise ValueError('no database')\n")
    small.write("tests/ml/test_a.py", "def test_a():\n    pass\n")
    small.write("mlgate.yml", CONFIG + "pytest:\n  paths: [tests/ml]\n")
    code, _, err = run(capsys)
    assert code == 1
    assert "ValueError" not in err
    checks = {c["id"]: c for c in report(small)["checks"]}
    assert checks["data/d/rows"]["status"] == "passed"
    broken = checks["pytest/tests/ml/conftest.py"]
    assert broken["status"] == "error"
    assert broken["message"] == (
        "the team's tests could not be loaded: tests/ml/conftest.py raised ValueError: no database"
    )
    assert broken["location"] == {"file": "tests/ml/conftest.py", "line": 3, "column": 1}


MODEL = """
import numpy as np


class Model:
    classes_ = np.array([0, 1])

    def predict(self, X):
        raise KeyboardInterrupt

    predict_proba = predict


def make(path=None):
    return Model()
"""


def test_keyboard_interrupt_in_predict_is_that_checks_error_and_the_rest_run(
    small: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    small.write("factory.py", MODEL)
    small.write(
        "mlgate.yml",
        CONFIG + "models:\n  m: {format: python, factory: 'factory:make', target: y}\n"
        "model:\n  - model: m\n    dataset: d\n    metrics: {accuracy: {min: 0.5}}\n",
    )
    code, _, err = run(capsys)
    assert code == 1  # a model's KeyboardInterrupt is not a Ctrl-C: it cannot end the gate
    assert "Traceback" not in err
    written = report(small)
    assert written["conclusion"] == "failure"
    statuses = {c["id"]: c["status"] for c in written["checks"]}
    assert statuses == {"model/m/metrics/accuracy": "error", "data/d/rows": "passed"}
    [broken] = [c for c in written["checks"] if c["status"] == "error"]
    assert "KeyboardInterrupt" in broken["message"]


# -- publish -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "[1]",
        '{"conclusion": "success", "checks": [1]}',
        '{"conclusion": "success", "checks": [{"id": "a", "family": "data", "status": "passed",'
        ' "location": [1]}]}',
        '{"conclusion": "success", "checks": {"a": 1}}',
        '{"conclusion": "success", "counts": [1]}',
        "{not json",
        "[" * 100_000,
    ],
)
def test_publish_of_a_malformed_report_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    path = tmp_path / "report.json"
    path.write_text(text)
    assert main(["publish", str(path)]) == 2
    err = capsys.readouterr().err
    [line] = lines(err)
    assert line.startswith(f"mlgate: {path}: not a valid mlgate report.json (")


# -- the report --------------------------------------------------------------------------


LOOP = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
BIG = "{% for i in range(100000) %}{% for j in range(100000) %}xxxxxxxxxx{% endfor %}{% endfor %}"


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        (LOOP, "report.template took more than 3 s to render (a loop too long?)"),
        (BIG, "report.template renders more than 4,000,000 characters"),
        ("{{ 'x' * 10000000000 }}", "report.template"),
    ],
)
def test_a_template_that_never_ends_is_cut_and_the_built_in_report_written(
    small: Project,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    template: str,
    reason: str,
) -> None:
    monkeypatch.setattr("mlgate.report.sandbox.TIME_BUDGET_S", 3.0)
    small.write("t.md.j2", template)
    small.write("mlgate.yml", CONFIG + "report:\n  template: t.md.j2\n")
    code, _, err = run(capsys)
    assert code == 2
    [_head, line] = lines(err)
    assert line.startswith("  t.md.j2")
    assert reason in line
    assert line.endswith("(the built-in report was written to mlgate-report instead)")
    assert report(small)["conclusion"] == "success"
    md = (small.root / "mlgate-report" / "report.md").read_text()
    assert md.startswith("## ✅ mlgate — all 1 check passed")


def test_show_prints_plain_text_and_the_summary_keeps_whole_messages(
    small: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    small.write("d.csv", "a,y\n" + "".join(f"{i},0\n" for i in range(3)))
    small.write("tests/test_t.py", "def test_t():\n    assert 1 > 2, 'a > b <c>\\nline two'\n")
    small.write("mlgate.yml", CONFIG + "pytest:\n  paths: [tests]\n")
    code, out, _ = run(capsys, "--show")
    assert code == 1
    assert "&gt;" not in out
    assert "&lt;" not in out
    assert "a > b <c>" in out
    summary = out[out.index("❌") :]
    assert "line two" in summary  # the rest of the message, not only its first line


def test_base_ref_in_the_report_is_the_commit_sha(
    small: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=small.root,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "one")
    first = git("rev-parse", "HEAD")
    small.write("d.csv", "a,y\n1,0\n2,1\n3,0\n")
    git("commit", "-qam", "two")
    code, _, _ = run(capsys, "--base-ref", "HEAD~1")
    assert code == 0
    assert report(small)["base_ref"] == first


def test_the_action_refuses_a_report_dir_that_is_a_file(tmp_path: Path) -> None:
    import entrypoint

    (tmp_path / "mlgate.yml").write_text(CONFIG)
    (tmp_path / "out").write_text("a file")
    env = {"GITHUB_WORKSPACE": str(tmp_path), "INPUT_REPORT-DIR": "out"}
    with pytest.raises(entrypoint.InputError) as info:
        entrypoint.read_inputs(env)
    assert str(info.value) == "input `report-dir`: 'out' is a file, not a folder"
