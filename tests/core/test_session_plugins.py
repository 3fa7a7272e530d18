"""Installed pytest plugins: `mlgate run`'s own session loads none; the team's tests get them all.

A plugin is installed for real (a distribution with a `pytest11` entry point on the path, found
by pytest as any `pip install`ed plugin) and notes in a file each session it is loaded in.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mlgate.cli import main
from tests.conftest import Project

PLUGIN = '''
import os
import sys

import pytest


class Hooks:
    def pytest_fakeplug_custom(self):
        """A hook only this plugin defines."""


def pytest_addhooks(pluginmanager):
    pluginmanager.add_hookspecs(Hooks)


def pytest_addoption(parser):
    parser.addoption("--fake-opt", default=None)
    parser.addini("fake_key", "a key only this plugin knows")


def pytest_configure(config):
    where = "team" if sys.argv[0].endswith("child.py") else "gate"
    with open(os.environ["FAKEPLUG_LOG"], "a", encoding="utf-8") as log:
        log.write(where + "\\n")


@pytest.fixture
def fake_answer():
    return 42
'''

CONFIG = """
version: 1
datasets:
  train: {path: train.csv}
data:
  - dataset: train
    rows: {min: 2}
"""


@pytest.fixture
def installed(project: Project, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The plugin `fakeplug`, installed; returns its log (one line per session it configured)."""
    site = project.root / "site"
    project.write("site/fakeplug.py", PLUGIN)
    project.write(
        "site/fakeplug-1.0.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: fakeplug\nVersion: 1.0\n",
    )
    project.write(
        "site/fakeplug-1.0.dist-info/entry_points.txt", "[pytest11]\nfakeplug = fakeplug\n"
    )
    monkeypatch.syspath_prepend(str(site))  # this process: the gate's own session
    parent = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), *([parent] if parent else [])]))
    log = project.root / "loaded.log"
    monkeypatch.setenv("FAKEPLUG_LOG", str(log))
    project.write("train.csv", "age\n31\n42\n")
    project.write("mlgate.yml", CONFIG)
    return log


def sessions(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


def run() -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["run", "--publish", "none"])
    return code, json.loads(Path("mlgate-report/report.json").read_text())


def test_a_data_only_run_loads_no_installed_plugin(installed: Path) -> None:
    code, report = run()
    assert code == 0
    assert report["counts"]["passed"] == 1
    assert sessions(installed) == []


def test_the_teams_tests_get_the_installed_plugins(project: Project, installed: Path) -> None:
    project.write(
        "tests/test_team.py", "def test_answer(fake_answer):\n    assert fake_answer == 42\n"
    )
    project.write("mlgate.yml", CONFIG + "pytest:\n  paths: [tests]\n")
    code, report = run()
    assert code == 0
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    assert statuses == {
        "data/train/rows": "passed",
        "pytest/tests/test_team.py::test_answer": "passed",
    }
    assert sessions(installed) == ["team"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pytest.ini", "[pytest]\naddopts = --fake-opt=1\n"),
        ("pytest.ini", "[pytest]\nrequired_plugins = fakeplug\n"),
        ("conftest.py", "def pytest_fakeplug_custom():\n    pass\n"),
        ("conftest.py", "def pytest_configure(config):\n    config.getoption('fake_opt')\n"),
    ],
    ids=["addopts-option", "required_plugins", "conftest-hook", "conftest-option"],
)
def test_a_project_whose_pytest_setup_needs_a_plugin_runs_as_before(
    project: Project, installed: Path, name: str, text: str
) -> None:
    project.write(name, text)
    code, report = run()
    assert code == 0
    assert report["counts"]["passed"] == 1
    assert sessions(installed) == ["gate"]  # started again, as plain pytest would, with it


@pytest.mark.parametrize(
    "strict",
    ["", "strict = true\n", "addopts = --strict-config\n"],
    ids=["lenient", "strict", "strict-config"],
)
def test_a_plugins_ini_key_is_neither_a_warning_nor_an_error_in_the_gates_session(
    project: Project, installed: Path, capsys: pytest.CaptureFixture[str], strict: str
) -> None:
    project.write("pytest.ini", f"[pytest]\n{strict}fake_key = 1\n")
    code, report = run()
    assert code == 0
    assert report["counts"]["passed"] == 1
    out = capsys.readouterr()
    assert "fake_key" not in out.out + out.err
    if not strict:
        assert sessions(installed) == []


def test_pytest_addopts_naming_a_plugin_option_runs_as_before(
    installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_ADDOPTS", "--fake-opt=2")
    code, report = run()
    assert code == 0
    assert report["counts"]["passed"] == 1
    assert sessions(installed) == ["gate"]
