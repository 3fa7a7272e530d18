"""A gate that did not run must not pass: team code that ends the process, exits or raises
`SystemExit` is an `error`, the other checks and tests still run, the report is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlgate.cli import main
from tests.conftest import Project

DATA = "x,y\n1,0\n2,1\n3,0\n4,1\n"

FACTORY = """
import sys

class Model:
    def predict(self, X):
        {predict}

def make(path=None):
    {make}
    return Model()
"""


def run(*args: str) -> int:
    return main(["run", "--publish", "none", *args])


def report(project: Project) -> dict[str, Any]:
    return json.loads((project.root / "mlgate-report" / "report.json").read_text())  # type: ignore[no-any-return]


def by_id(project: Project) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in report(project)["checks"]}


def model_project(project: Project, predict: str, make: str = "pass") -> None:
    # each test its own module name: an imported factory module stays in sys.modules
    module = f"teammodel_{abs(hash((predict, make)))}"
    project.write("train.csv", DATA)
    project.write(f"{module}.py", FACTORY.format(predict=predict, make=make))
    project.write(
        "mlgate.yml",
        """
        version: 1
        datasets:
          train: {path: train.csv}
        models:
          m: {format: python, factory: "MODULE:make", target: y}
        data:
          - dataset: train
            rows: {min: 1}
        model:
          - model: m
            dataset: train
            cases:
              - {name: one, input: {x: 1}, expect: {label: 0}}
        """.replace("MODULE", module),
    )


@pytest.mark.parametrize(
    ("predict", "make"),
    [
        ("sys.exit(0)", "pass"),
        ("raise SystemExit(0)", "pass"),
        ("return [0] * len(X)", "sys.exit(0)"),
        ("import pytest; pytest.exit('bye', returncode=0)", "pass"),
        ("raise KeyboardInterrupt", "pass"),
    ],
)
def test_a_model_or_factory_that_exits_is_an_error_and_the_rest_runs(
    project: Project, predict: str, make: str
) -> None:
    model_project(project, predict, make)
    assert run() == 1
    checks = by_id(project)
    assert checks["data/train/rows"]["status"] == "passed"
    case = checks["model/m/cases/one"]
    assert case["status"] == "error"
    assert report(project)["conclusion"] == "failure"


def test_sys_exit_in_predict_names_what_happened(project: Project) -> None:
    model_project(project, "sys.exit(3)")
    assert run() == 1
    message = by_id(project)["model/m/cases/one"]["message"]
    assert "sys.exit(3)" in message
    assert "cannot end the run" in message


TEAM_TESTS = {
    "os_exit": "import os\n\ndef test_a():\n    os._exit(0)\n",
    "pytest_exit": "import pytest\n\ndef test_a():\n    pytest.exit('done', returncode=0)\n",
    "sys_exit_in_test": "import sys\n\ndef test_a():\n    sys.exit(0)\n",
    "interrupt": "def test_a():\n    raise KeyboardInterrupt\n",
}


@pytest.mark.parametrize("name", sorted(TEAM_TESTS))
def test_a_team_test_that_ends_its_process_is_an_error_and_the_others_run(
    project: Project, name: str
) -> None:
    project.write("train.csv", DATA)
    project.write("tests_team/test_first.py", TEAM_TESTS[name])
    project.write("tests_team/test_later.py", "def test_b():\n    assert True\n")
    project.write(
        "mlgate.yml",
        """
        version: 1
        datasets:
          train: {path: train.csv}
        data:
          - dataset: train
            rows: {min: 1}
        pytest:
          paths: [tests_team]
        """,
    )
    assert run() == 1
    checks = by_id(project)
    assert checks["data/train/rows"]["status"] == "passed"
    first = checks["pytest/tests_team/test_first.py::test_a"]
    assert first["status"] in ("error", "failed"), first
    assert first["location"]["file"] == "tests_team/test_first.py"
    assert checks["pytest/tests_team/test_later.py::test_b"]["status"] == "passed"
    assert report(project)["conclusion"] == "failure"


def test_os_exit_says_the_test_ended_its_process(project: Project) -> None:
    project.write("test_team.py", TEAM_TESTS["os_exit"] + "\n\ndef test_z():\n    pass\n")
    project.write("mlgate.yml", "version: 1\npytest: {paths: [test_team.py]}\n")
    assert run() == 1
    checks = by_id(project)
    a = checks["pytest/test_team.py::test_a"]
    assert a["status"] == "error"
    assert "ended the test process (exit code 0" in a["message"]
    assert a["location"]["line"] == 3
    assert checks["pytest/test_team.py::test_z"]["status"] == "passed"


def test_pytest_exit_is_named(project: Project) -> None:
    project.write("test_team.py", TEAM_TESTS["pytest_exit"] + "\n\ndef test_z():\n    pass\n")
    project.write("mlgate.yml", "version: 1\npytest: {paths: [test_team.py]}\n")
    assert run() == 1
    checks = by_id(project)
    assert (
        "called pytest.exit('done', returncode=0)"
        in checks["pytest/test_team.py::test_a"]["message"]
    )
    assert checks["pytest/test_team.py::test_z"]["status"] == "passed"


def test_sys_exit_at_import_of_a_test_module_is_an_error(project: Project) -> None:
    project.write(
        "tests_team/test_bad.py", "import sys\nsys.exit(0)\n\ndef test_never():\n    pass\n"
    )
    project.write("tests_team/test_good.py", "def test_ok():\n    pass\n")
    project.write("mlgate.yml", "version: 1\npytest: {paths: [tests_team]}\n")
    assert run() == 1
    checks = by_id(project)
    bad = [c for i, c in checks.items() if "test_bad.py" in i]
    assert bad, checks
    assert all(c["status"] == "error" for c in bad), checks
    assert checks["pytest/tests_team/test_good.py::test_ok"]["status"] == "passed"


def test_os_exit_at_import_of_a_test_module_is_an_error(project: Project) -> None:
    project.write("tests_team/test_bad.py", "import os\nos._exit(0)\n")
    project.write("tests_team/test_good.py", "def test_ok():\n    pass\n")
    project.write("mlgate.yml", "version: 1\npytest: {paths: [tests_team]}\n")
    assert run() == 1
    checks = by_id(project)
    bad = checks["pytest/tests_team/test_bad.py"]
    assert bad["status"] == "error"
    assert "importing tests_team/test_bad.py ended the test process" in bad["message"]
    assert checks["pytest/tests_team/test_good.py::test_ok"]["status"] == "passed"


def test_the_team_tests_keep_the_mlgate_fixtures(project: Project) -> None:
    project.write("train.csv", DATA)
    project.write(
        "test_team.py",
        "def test_rows(mlgate_dataset, mlgate_config):\n"
        "    assert len(mlgate_dataset('train')) == 4\n"
        "    assert mlgate_config.datasets['train'].path == 'train.csv'\n",
    )
    project.write(
        "mlgate.yml",
        "version: 1\ndatasets: {train: {path: train.csv}}\npytest: {paths: [test_team.py]}\n",
    )
    assert run() == 0, by_id(project)


def test_a_gate_where_nothing_ran_fails(project: Project) -> None:
    project.write("mlgate.yml", "version: 1\n")
    assert run() == 1
    checks = report(project)["checks"]
    assert [c["id"] for c in checks] == ["gate/nothing-ran"]
    assert "no check ran" in checks[0]["message"]


def test_a_test_folder_without_tests_fails(project: Project) -> None:
    project.write("tests_team/helpers.py", "X = 1\n")
    project.write("mlgate.yml", "version: 1\npytest: {paths: [tests_team]}\n")
    assert run() == 1
    assert "pytest.paths hold no tests" in report(project)["checks"][0]["message"]


def test_k_selecting_nothing_is_a_usage_error(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write("train.csv", DATA)
    project.write("test_team.py", "def test_a():\n    pass\n")
    project.write(
        "mlgate.yml",
        "version: 1\ndatasets: {train: {path: train.csv}}\n"
        "data: [{dataset: train, rows: {min: 1}}]\npytest: {paths: [test_team.py]}\n",
    )
    assert run("-k", "no_such_thing") == 2
    err = capsys.readouterr().err
    assert "-k 'no_such_thing' selects nothing" in err
    assert run("-k", "rows") == 0
    assert list(by_id(project)) == ["data/train/rows"]


def test_team_tests_run_in_a_child_that_cannot_take_the_gate_down(tmp_path: Path) -> None:
    """The parent keeps running after the child is gone: a report with every result."""
    project = Project(tmp_path)
    project.write(
        "test_team.py",
        "import os, signal\n\ndef test_a():\n    os.kill(os.getpid(), signal.SIGKILL)\n",
    )
    project.write("mlgate.yml", "version: 1\npytest: {paths: [test_team.py]}\n")
    import os

    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        assert run() == 1
    finally:
        os.chdir(old)
    a = by_id(project)["pytest/test_team.py::test_a"]
    assert a["status"] == "error"
    assert "signal 9" in a["message"]


@pytest.mark.parametrize(
    ("files", "stuck_id"),
    [
        (
            {
                "test_a.py": "import signal, time\n\n\ndef test_stuck():\n"
                "    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])\n"
                "    time.sleep(300)\n\n\ndef test_after():\n    pass\n"
            },
            "pytest/test_a.py::test_stuck",
        ),
        (
            {
                "test_a.py": "import signal, time\n"
                "signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])\n"
                "time.sleep(300)\n",
                "test_b.py": "def test_after():\n    pass\n",
            },
            "pytest/test_a.py",
        ),
    ],
    ids=["in-a-test", "at-import"],
)
def test_a_test_that_cannot_be_interrupted_is_stopped_and_the_rest_run(
    project: Project, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], stuck_id: str
) -> None:
    """The budget's signal is blocked: the parent stops the child past budget + GRACE."""
    from mlgate.runner import teamtests

    monkeypatch.setattr(teamtests, "GRACE", 0.5)
    for name, text in files.items():
        project.write(name, text)
    paths = ", ".join(sorted(files))
    project.write("mlgate.yml", f"version: 1\npytest: {{paths: [{paths}], timeout: 1}}\n")
    assert run() == 1
    checks = by_id(project)
    stuck = checks[stuck_id]
    assert stuck["status"] == "error"
    assert "did not finish within its time budget of 1 s (`pytest.timeout`)" in stuck["message"]
    assert "could not be interrupted" in stuck["message"]
    after = [c for i, c in checks.items() if i.endswith("::test_after")]
    assert [c["status"] for c in after] == ["passed"]


def test_team_tests_whose_conftest_raises_are_one_error_and_the_checks_are_kept(
    project: Project,
) -> None:
    project.write("train.csv", DATA)
    project.write("tests_team/test_a.py", "def test_a():\n    pass\n")
    project.write("tests_team/conftest.py", "import no_such_module_here\n")
    project.write(
        "mlgate.yml",
        "version: 1\ndatasets: {train: {path: train.csv}}\n"
        "data: [{dataset: train, rows: {min: 1}}]\n"
        "pytest: {paths: [tests_team]}\n",
    )
    assert run() == 1
    checks = by_id(project)
    assert checks["data/train/rows"]["status"] == "passed"
    team = checks["pytest/tests_team/conftest.py"]
    assert team["status"] == "error"
    assert team["message"] == (
        "the team's tests could not be loaded: tests_team/conftest.py raised "
        "ModuleNotFoundError: No module named 'no_such_module_here'"
    )
    assert team["location"]["file"] == "tests_team/conftest.py"


def test_team_test_arguments_pytest_refuses_are_a_config_error(project: Project) -> None:
    project.write("train.csv", DATA)
    project.write("tests_team/test_a.py", "def test_a():\n    pass\n")
    project.write(
        "mlgate.yml",
        "version: 1\ndatasets: {train: {path: train.csv}}\n"
        "data: [{dataset: train, rows: {min: 1}}]\n"
        "pytest: {args: [--no-such-option], paths: [tests_team]}\n",
    )
    assert run() == 2
    [config_error] = by_id(project).values()
    assert (
        "pytest refused them: unrecognized arguments: --no-such-option" in (config_error["message"])
    )
