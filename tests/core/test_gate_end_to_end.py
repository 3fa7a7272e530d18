"""`mlgate run` end to end on a small project: exit codes, the three reports, the team's tests."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mlgate.cli import main
from tests.conftest import Project

CONFIG = """
version: 1
report: {title: Small gate}
datasets:
  train: {path: train.csv}
data:
  - dataset: train
    rows: {min: 3}
    columns:
      age: {type: integer, nullable: false}
      name: {type: string}
"""


@pytest.fixture
def small(project: Project) -> Project:
    project.write("train.csv", "age,name\n31,a\n42,b\n27,c\n")
    project.write("mlgate.yml", CONFIG)
    return project


def run(*args: str) -> int:
    return main(["run", "--publish", "none", *args])


def load(project: Project) -> dict:  # type: ignore[type-arg]
    return json.loads((project.root / "mlgate-report" / "report.json").read_text())


def test_a_passing_gate_exits_0_and_writes_three_reports(small: Project) -> None:
    assert run() == 0
    report = load(small)
    assert report["conclusion"] == "success"
    assert report["counts"] == {"passed": 4, "failed": 0, "warnings": 0, "errors": 0, "skipped": 0}
    ids = [c["id"] for c in report["checks"]]
    assert ids == [
        "data/train/rows",
        "data/train/columns/age/type",
        "data/train/columns/age/nullable",
        "data/train/columns/name/type",
    ]
    md = (small.root / "mlgate-report" / "report.md").read_text()
    assert md.startswith("## ✅ Small gate — all 4 checks passed")
    assert (small.root / "mlgate-report" / "junit.xml").exists()


def test_a_deliberate_break_exits_1_and_points_at_its_line_everywhere(small: Project) -> None:
    small.write("mlgate.yml", CONFIG.replace("rows: {min: 3}", "rows: {min: 1000}"))
    assert run() == 1
    report = load(small)
    failed = [c for c in report["checks"] if c["status"] == "failed"]
    assert len(failed) == 1
    check = failed[0]
    assert check["id"] == "data/train/rows"
    assert check["location"] == {"file": "mlgate.yml", "line": 7, "column": 5}
    assert check["observed"] == 3
    assert check["expected"] == ">= 1000"
    md = (small.root / "mlgate-report" / "report.md").read_text()
    assert "| data / train / rows | `mlgate.yml:7` | 3 | &gt;= 1000 |" in md
    assert "1 check failed" in md.splitlines()[0]
    case = ET.parse(small.root / "mlgate-report" / "junit.xml").find(
        ".//testcase[@name='data/train/rows']"
    )
    assert case is not None
    assert case.get("line") == "7"
    assert case.find("failure") is not None


def test_an_unreadable_dataset_errors_its_checks_and_the_rest_still_runs(small: Project) -> None:
    small.write(
        "mlgate.yml",
        CONFIG
        + """
  - dataset: broken
    rows: {min: 1}
""",
    )
    text = small.config.read_text().replace(
        "  train: {path: train.csv}", "  train: {path: train.csv}\n  broken: {path: nothere.csv}"
    )
    small.config.write_text(text)
    assert run() == 1
    report = load(small)
    by_id = {c["id"]: c for c in report["checks"]}
    assert by_id["data/broken/rows"]["status"] == "error"
    assert "file 'nothere.csv' does not exist" in by_id["data/broken/rows"]["message"]
    assert by_id["data/train/rows"]["status"] == "passed"
    assert report["counts"]["errors"] == 1


def test_a_crash_inside_a_check_is_an_error_of_that_check_only(small: Project) -> None:
    small.write("train.csv", "age,name\n31,a\n42,b\n")
    small.write("mlgate.yml", CONFIG.replace("train.csv}", "train.csv, options: {bogus: 1}}"))
    assert run() == 1
    report = load(small)
    assert {c["status"] for c in report["checks"]} == {"error"}
    assert "bogus" in report["checks"][0]["message"]


@pytest.mark.parametrize(("fail_on", "code"), [("error", 0), ("warning", 1), ("never", 0)])
def test_fail_on_decides_what_a_warning_does(small: Project, fail_on: str, code: int) -> None:
    small.write(
        "mlgate.yml",
        CONFIG.replace("rows: {min: 3}", "severity: warning\n    rows: {min: 1000}"),
    )
    assert run("--fail-on", fail_on) == code
    report = load(small)
    assert report["counts"]["warnings"] == 1
    assert report["fail_on"] == fail_on


def test_fail_on_never_passes_a_failing_gate(small: Project) -> None:
    small.write("mlgate.yml", "gate: {fail_on: never}\n" + CONFIG.replace("{min: 3}", "{min: 9}"))
    assert run() == 0
    assert load(small)["counts"]["failed"] == 1


def test_k_selects_checks(small: Project) -> None:
    assert run("-k", "age") == 0
    ids = [c["id"] for c in load(small)["checks"]]
    assert ids == ["data/train/columns/age/type", "data/train/columns/age/nullable"]


def test_the_teams_own_tests_join_the_report_with_fixtures(small: Project) -> None:
    small.write(
        "tests/ml/test_team.py",
        """
        def test_ages_are_adults(mlgate_dataset):
            df = mlgate_dataset("train")
            assert (df["age"] >= 18).all()

        def test_config_is_there(mlgate_config):
            assert mlgate_config.report.title == "Small gate"

        def test_fails_on_purpose(mlgate_dataset):
            assert len(mlgate_dataset("train")) == 99, "expected 99 rows"
        """,
    )
    small.write("mlgate.yml", CONFIG + "pytest:\n  paths: [tests/ml]\n")
    assert run() == 1
    checks = {c["id"]: c for c in load(small)["checks"]}
    ok = checks["pytest/tests/ml/test_team.py::test_ages_are_adults"]
    assert ok["status"] == "passed"
    assert ok["family"] == "pytest"
    bad = checks["pytest/tests/ml/test_team.py::test_fails_on_purpose"]
    assert bad["status"] == "failed"
    assert "expected 99 rows" in bad["message"]
    assert bad["location"]["file"].endswith("tests/ml/test_team.py")
    assert bad["location"]["line"] == 8


def test_a_broken_test_file_is_reported_not_crashed(small: Project) -> None:
    small.write("tests/ml/test_broken.py", "def test_x(:\n    pass\n")
    small.write("mlgate.yml", CONFIG + "pytest:\n  paths: [tests/ml]\n")
    assert run() == 1
    errors = [c for c in load(small)["checks"] if c["status"] == "error"]
    assert len(errors) == 1
    assert errors[0]["family"] == "pytest"
    assert "could not collect" in errors[0]["message"]


def test_a_config_error_exits_2_without_traceback(
    small: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    small.write("mlgate.yml", CONFIG.replace("nullable", "nulable"))
    assert run() == 2
    err = capsys.readouterr().err
    assert "mlgate.yml:9:28: data[0].columns.age.nulable: unknown key 'nulable'" in err
    assert "did you mean 'nullable'?" in err
    assert "Traceback" not in err
    # the report says the same, at the same line, for CI to publish
    [check] = load(small)["checks"]
    assert (check["id"], check["family"], check["status"]) == ("config/1", "config", "error")
    assert check["location"] == {"file": "mlgate.yml", "line": 9, "column": 28}
    assert check["message"].startswith("invalid configuration: data[0].columns.age.nulable")


def test_missing_config_file_exits_2(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--config", "nope.yml") == 2
    assert "nope.yml: no such file" in capsys.readouterr().err


def test_report_dir_and_show(small: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--report-dir", "out/r", "--show") == 0
    out = capsys.readouterr().out
    assert "## ✅ Small gate" in out
    assert "✅ Small gate — all 4 checks passed" in out
    assert Path(small.root / "out" / "r" / "report.json").exists()


def test_report_template_replaces_the_built_in_one(small: Project) -> None:
    small.write(
        "gate.md.j2",
        "# {{ report.title }}: {{ report.counts.passed }} passed\n"
        "{% for c in failed %}- {{ c.id | md }} at line {{ c.location.line }}\n{% endfor %}",
    )
    small.write(
        "mlgate.yml",
        CONFIG.replace("{title: Small gate}", "{title: Small gate, template: gate.md.j2}").replace(
            "{min: 3}", "{min: 4}"
        ),
    )
    assert run() == 1
    md = (small.root / "mlgate-report" / "report.md").read_text()
    assert md == "# Small gate: 3 passed\n- data/train/rows at line 7\n"


def test_a_broken_template_is_a_configuration_error_naming_its_line(
    small: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    small.write("gate.md.j2", "ok\n{% for c in failed %}\n{{ c.id }\n")
    small.write("mlgate.yml", CONFIG.replace("{title: Small gate}", "{template: gate.md.j2}"))
    assert run() == 2
    err = capsys.readouterr().err
    assert (
        "mlgate.yml:2:10: report.template: gate.md.j2:3: not a valid Jinja2 template: "
        "unexpected '}'"
    ) in err
    assert "Traceback" not in err
    assert (small.root / "mlgate-report" / "report.json").exists()


def test_a_missing_template_is_reported_at_load_time(
    small: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    small.write("mlgate.yml", CONFIG.replace("{title: Small gate}", "{template: nope.j2}"))
    assert run() == 2
    assert "mlgate.yml:2:10: report.template: no such file: 'nope.j2'" in capsys.readouterr().err


def test_a_template_cannot_reach_python(small: Project, capsys: pytest.CaptureFixture[str]) -> None:
    small.write("gate.md.j2", "{{ cycler.__init__.__globals__.os.environ }}\n")
    small.write("mlgate.yml", CONFIG.replace("{title: Small gate}", "{template: gate.md.j2}"))
    assert run() == 2
    err = capsys.readouterr().err
    assert "report.template cannot be rendered" in err
    assert "unsafe" in err


def test_a_teardown_error_keeps_the_tests_own_failure(small: Project) -> None:
    small.write(
        "tests/ml/test_td.py",
        """
        import pytest

        @pytest.fixture
        def broken():
            yield
            raise RuntimeError("teardown broke")

        def test_fails_then_teardown_breaks(broken):
            assert 1 == 2, "the real failure"
        """,
    )
    small.write("mlgate.yml", CONFIG + "pytest:\n  paths: [tests/ml]\n")
    assert run() == 1
    [check] = [c for c in load(small)["checks"] if c["family"] == "pytest"]
    assert check["status"] == "error"
    assert "the real failure" in check["message"]
    assert "teardown broke" in check["message"]
