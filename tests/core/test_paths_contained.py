"""Paths in the configuration stay inside the workspace: `..`, absolute paths and symlinks
pointing out are configuration errors at their line (a glob's match: the check's error), unless
a local run says `--allow-outside-workspace`; the action never does."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mlgate.cli import main
from mlgate.paths import ALLOW_ENV, workspace_of
from tests.conftest import Project

SECRET = "root:x:0:0:secret-line\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside the project (the project is tmp_path/repo)."""
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n" + SECRET)
    return secret


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    root = tmp_path / "repo"
    root.mkdir()
    for var in ("GITHUB_WORKSPACE", "GITHUB_ACTIONS", "GITHUB_EVENT_PATH", ALLOW_ENV):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(root)
    return Project(root)


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check-config", *args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def test_a_symlink_pointing_out_is_a_config_error_at_its_line(
    repo: Project, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo.root / "data.csv").symlink_to(outside)
    repo.write("mlgate.yml", "version: 1\ndatasets:\n  d: {path: data.csv}\n")
    code, err = _check(capsys)
    assert code == 2
    assert (
        f"mlgate.yml:3:7: datasets.d.path: 'data.csv' is outside the workspace (the current "
        f"folder, it resolves to {outside})"
    ) in err
    assert "--allow-outside-workspace" in err


def test_the_option_allows_it_for_a_local_run_only(
    repo: Project, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("mlgate.yml", f"version: 1\ndatasets:\n  d: {{path: {outside}}}\n")
    assert _check(capsys)[0] == 2
    assert _check(capsys, "--allow-outside-workspace")[0] == 0
    assert ALLOW_ENV not in os.environ  # the option does not outlive the command


def test_a_template_pointing_out_never_reaches_the_report(
    repo: Project, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo.root / "t.md.j2").symlink_to(outside)
    repo.write("d.csv", "a\n1\n")
    repo.write(
        "mlgate.yml",
        "version: 1\nreport:\n  template: t.md.j2\ndatasets:\n  d: {path: d.csv}\n"
        "data:\n  - dataset: d\n    rows: {min: 1}\n",
    )
    code = main(["run", "--publish", "none"])
    err = capsys.readouterr().err
    assert code == 2
    assert "mlgate.yml:3:3: report.template: 't.md.j2' is outside the workspace" in err
    assert "Traceback" not in err
    assert "secret-line" not in (repo.root / "mlgate-report" / "report.md").read_text()


def test_a_glob_match_pointing_out_is_that_checks_error(
    repo: Project, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("parts/a.csv", "a\n1\n")
    (repo.root / "parts" / "b.csv").symlink_to(outside)
    repo.write(
        "mlgate.yml",
        'version: 1\ndatasets:\n  d: {path: "parts/*.csv"}\n'
        "data:\n  - dataset: d\n    rows: {min: 1}\n",
    )
    assert main(["run", "--publish", "none"]) == 1
    report = json.loads((repo.root / "mlgate-report" / "report.json").read_text())
    [check] = report["checks"]
    assert check["status"] == "error"
    assert "dataset 'd': 'parts/b.csv' is outside the workspace" in check["message"]
    assert "secret-line" not in json.dumps(report)


def test_the_workspace_is_the_repository_then_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    sub = tmp_path / "repo" / "ml"
    sub.mkdir(parents=True)
    config = sub / "mlgate.yml"
    assert workspace_of(config) == sub.resolve()
    (tmp_path / "repo" / ".git").mkdir()
    assert workspace_of(config) == (tmp_path / "repo").resolve()
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    assert workspace_of(config) == tmp_path.resolve()
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "elsewhere"))  # config not inside
    assert workspace_of(config) == (tmp_path / "repo").resolve()


def test_data_beside_the_config_folder_is_fine_inside_a_repository(
    repo: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo.root / ".git").mkdir()
    repo.write("data/d.csv", "a\n1\n")
    repo.write("ml/mlgate.yml", "version: 1\ndatasets:\n  d: {path: ../data/d.csv}\n")
    assert _check(capsys, "--config", "ml/mlgate.yml")[0] == 0


def test_the_action_never_passes_the_option_on() -> None:
    import entrypoint

    env = entrypoint.gate_environment({ALLOW_ENV: "1", "GITHUB_TOKEN": "t", "PATH": "/bin"})
    assert env == {"PATH": "/bin"}
