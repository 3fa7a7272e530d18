"""The action's entrypoint, run as GitHub runs the container: INPUT_* and GITHUB_* variables."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from mlgate.cli import main as cli_main

from .conftest import HEAD_SHA, PR_EVENT, PR_NUMBER, REPOSITORY
from .fake_github import TOKEN, FakeGitHub, example

ROOT = Path(__file__).resolve().parents[2]
CONFIG = """\
version: 1
datasets:
  people: {path: people.csv}
data:
  - dataset: people
    rows: {min: 2, max: 100}
    columns:
      id: {type: integer, nullable: false}
      age: {type: integer, nullable: false}
      name: {type: string}
"""


def workspace(tmp_path: Path, csv: str = "id,age,name\n1,30,a\n2,,b\n3,40,c\n") -> Path:
    ws = tmp_path / "workspace"
    project = ws / "project"
    project.mkdir(parents=True)
    (project / "mlgate.yml").write_text(CONFIG)
    (project / "people.csv").write_text(csv)
    return ws


def action_env(tmp_path: Path, ws: Path, fake_url: str, **inputs: str) -> dict[str, str]:
    """What the runner gives a container action (`docker run -e INPUT_... -e GITHUB_...`)."""
    env = {
        "PATH": os.environ["PATH"],
        # this tree's mlgate, not whichever the interpreter has installed (the image installs it)
        "PYTHONPATH": str(ROOT / "src"),
        "HOME": str(tmp_path),
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_API_URL": fake_url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(PR_EVENT),
        "GITHUB_SHA": "f" * 40,
        "GITHUB_REF": f"refs/pull/{PR_NUMBER}/merge",
        "GITHUB_RUN_ID": "77",
        "GITHUB_WORKSPACE": str(ws),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
        "RUNNER_TEMP": str(tmp_path),
        "INPUT_CONFIG": "mlgate.yml",
        "INPUT_GITHUB-TOKEN": TOKEN,
        "INPUT_COMMENT": "always",
        "INPUT_CHECK-NAME": "mlgate",
        "INPUT_FAIL-ON": "",
        "INPUT_WORKING-DIRECTORY": "project",
        "INPUT_REQUIREMENTS": "",
        "INPUT_REPORT-DIR": "mlgate-report",
    }
    env.update({f"INPUT_{k.upper().replace('_', '-')}": v for k, v in inputs.items()})
    return env


def run_action(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "entrypoint.py")],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def outputs(path: Path) -> dict[str, str]:
    lines, out, i = path.read_text().splitlines(), {}, 0
    while i < len(lines):
        name, delim = lines[i].split("<<", 1)
        end = lines.index(delim, i + 1)
        out[name] = "\n".join(lines[i + 1 : end])
        i = end + 1
    return out


def test_action_on_a_pull_request(tmp_path: Path, fake: FakeGitHub) -> None:
    ws = workspace(tmp_path)
    env = action_env(tmp_path, ws, fake.url)
    done = run_action(env, ws)
    assert done.returncode == 1, done.stdout + done.stderr  # the gate failed: age has a null
    log = done.stdout + done.stderr
    assert f"::add-mask::{TOKEN}" in log
    assert log.count(TOKEN) == 1  # only in the mask command
    assert "::error file=project/mlgate.yml,line=9," in log
    [comment] = fake.comments_on(PR_NUMBER)
    assert re.match(
        r"<!-- mlgate:v1 config=mlgate.yml -->\n<!-- mlgate:digest \S+ -->\n\n## ❌",
        comment["body"],
    )
    assert f"blob/{HEAD_SHA}/project/mlgate.yml#L9" in comment["body"]
    [check_run] = fake.check_runs.values()
    assert check_run["head_sha"] == HEAD_SHA
    assert check_run["conclusion"] == "failure"
    notes = fake.annotations[check_run["id"]]
    assert [(a["path"], a["start_line"], a["title"]) for a in notes] == [
        ("project/mlgate.yml", 9, "data/people/columns/age/nullable")
    ]
    out = outputs(tmp_path / "output")
    assert out["conclusion"] == "failure"
    assert (out["passed"], out["failed"]) == ("5", "1")
    assert out["report-json"] == "project/mlgate-report/report.json"
    assert (ws / out["report-json"]).is_file()
    assert (ws / out["report-markdown"]).is_file()
    assert "data / people / columns / age / nullable" in (tmp_path / "summary").read_text()

    # the PR is fixed and pushed again: the same comment is edited
    (ws / "project" / "people.csv").write_text("id,age,name\n1,30,a\n2,31,b\n3,40,c\n")
    again = run_action(env, ws)
    assert again.returncode == 0, again.stdout + again.stderr
    [edited] = fake.comments_on(PR_NUMBER)
    assert edited["id"] == comment["id"]
    assert "## ✅" in edited["body"]
    assert [r["conclusion"] for r in fake.check_runs.values()] == ["failure", "success"]


def test_invalid_inputs_are_named(tmp_path: Path, fake: FakeGitHub) -> None:
    ws = workspace(tmp_path)
    env = action_env(
        tmp_path, ws, fake.url, comment="sometimes", fail_on="critical", working_directory="nope"
    )
    done = run_action(env, ws)
    assert done.returncode == 2
    assert "::error title=mlgate input::mlgate: input `comment` must be one of always, " in (
        done.stdout
    )
    assert "input `fail-on` must be one of error, warning, never (got 'critical')" in done.stdout
    assert "input `working-directory`: 'nope' is not a directory" in done.stdout
    assert fake.calls == []


def test_fail_on_never_passes_and_missing_config_is_clear(tmp_path: Path, fake: FakeGitHub) -> None:
    ws = workspace(tmp_path)
    done = run_action(action_env(tmp_path, ws, fake.url, config="other.yml"), ws)
    assert done.returncode == 2
    assert "input `config`: 'other.yml' not found in project" in done.stdout


@pytest.mark.parametrize("source", ["event", "fork", "forged"])
def test_publish_from_workflow_run(
    tmp_path: Path,
    fake: FakeGitHub,
    gh_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    source: str,
) -> None:
    """The fork-safe pattern: a trusted workflow posts the report an untrusted run uploaded."""
    report_dir = Path(gh_env["GITHUB_WORKSPACE"]) / "artifact"
    report_dir.mkdir()
    report = {
        "version": 1,
        "conclusion": "failure",
        "counts": {"passed": 0, "failed": 1, "warnings": 0, "errors": 0, "skipped": 0},
        "commit": HEAD_SHA,
        "config_file": "mlgate.yml",
        "checks": [
            {
                "id": "data/people/rows",
                "family": "data",
                "status": "failed",
                "severity": "error",
                "message": "1 rows (expected >= 2)",
                "location": {"file": "mlgate.yml", "line": 6, "column": 5},
            },
        ],
    }
    (report_dir / "report.json").write_text(json.dumps(report))
    event = {
        "action": "completed",
        "workflow_run": {
            "head_sha": HEAD_SHA,
            "html_url": f"https://github.com/{REPOSITORY}/actions/runs/5",
            "pull_requests": [{"number": PR_NUMBER, "head": {"sha": HEAD_SHA}}],
            "head_repository": {"full_name": REPOSITORY},
        },
    }
    if source != "event":  # GitHub leaves pull_requests empty for a fork's run
        event["workflow_run"]["pull_requests"] = []
        pull = example("pull-request")
        pull["number"] = PR_NUMBER
        pull["head"]["sha"] = HEAD_SHA if source == "fork" else "0" * 40
        fake.pulls[PR_NUMBER] = pull
        monkeypatch.setenv("MLGATE_PR_NUMBER", str(PR_NUMBER))
    event_path = tmp_path / "workflow_run.json"
    event_path.write_text(json.dumps(event))
    monkeypatch.setenv("GITHUB_EVENT_NAME", "workflow_run")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event_path))
    assert cli_main(["publish", str(report_dir / "report.json")]) == 1
    if source == "forged":  # the number does not belong to the tested commit: no comment
        assert fake.comments == {}
    else:
        [comment] = fake.comments_on(PR_NUMBER)
        assert "actions/runs/5" in comment["body"]  # points at the run that made the report
    [check_run] = fake.check_runs.values()
    assert check_run["head_sha"] == HEAD_SHA
    assert [a["start_line"] for a in fake.annotations[check_run["id"]]] == [6]


def _entrypoint() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mlgate_entrypoint", ROOT / "entrypoint.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_composite_action_passes_every_input(tmp_path: Path) -> None:
    """The composite step's `env:` names (underscores) reach the same inputs."""
    entry = _entrypoint()
    ws = workspace(tmp_path)
    composite = yaml.safe_load((ROOT / "composite/action.yml").read_text())
    [step] = [s for s in composite["runs"]["steps"] if s.get("id") == "gate"]
    values = {
        "config": "mlgate.yml",
        "github-token": "t0k",
        "comment": "on-failure",
        "check-name": "gate",
        "fail-on": "warning",
        "working-directory": "project",
        "requirements": "",
        "report-dir": "out",
    }
    env = {"GITHUB_WORKSPACE": str(ws)}
    for key, expr in step["env"].items():
        match = re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", expr)
        if key.startswith("INPUT_") and match:
            env[key] = values[match.group(1)]
    inputs = entry.read_inputs(env)
    assert (inputs.token, inputs.comment, inputs.check_name, inputs.fail_on) == (
        "t0k",
        "on-failure",
        "gate",
        "warning",
    )
    assert inputs.working_directory == ws / "project"
    assert inputs.report_dir == "out"


def test_failed_requirements_install_is_named(tmp_path: Path, fake: FakeGitHub) -> None:
    ws = workspace(tmp_path)
    env = action_env(tmp_path, ws, fake.url, requirements="./no-such-package-dir")
    done = run_action(env, ws)
    assert done.returncode == 2
    assert "input `requirements`: pip install failed" in done.stdout
    assert fake.calls == []


def test_action_on_a_fork_exits_with_the_gates_code(tmp_path: Path, fake: FakeGitHub) -> None:
    ws = workspace(tmp_path)
    event = json.loads(PR_EVENT.read_text())
    event["pull_request"]["head"]["repo"]["full_name"] = "forker/Hello-World"
    (tmp_path / "fork.json").write_text(json.dumps(event))
    env = action_env(tmp_path, ws, fake.url)
    env["GITHUB_EVENT_PATH"] = str(tmp_path / "fork.json")
    fake.read_only = True
    done = run_action(env, ws)
    assert done.returncode == 1, done.stdout + done.stderr  # the gate's code, not a crash
    assert "Traceback" not in done.stdout + done.stderr
    assert "this pull request comes from a fork" in done.stdout
    assert "`mlgate publish project/mlgate-report/report.json`" in done.stdout
    assert (ws / "project/mlgate-report/report.json").is_file()
    assert "age / nullable" in (tmp_path / "summary").read_text()
    assert fake.comments == {}


def test_a_broken_config_fails_the_check_run_at_its_line(tmp_path: Path, fake: FakeGitHub) -> None:
    ws = workspace(tmp_path)
    config = ws / "project" / "mlgate.yml"
    config.write_text(
        config.read_text().replace("nullable: false}\n      age", "nulable: false}\n      age")
    )
    done = run_action(action_env(tmp_path, ws, fake.url), ws)
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    assert "unknown key 'nulable' -> did you mean 'nullable'?" in done.stderr
    [check_run] = fake.check_runs.values()
    assert check_run["conclusion"] == "failure"
    notes = fake.annotations[check_run["id"]]
    assert [(a["path"], a["start_line"]) for a in notes] == [("project/mlgate.yml", 8)]
    assert "unknown key 'nulable'" in notes[0]["message"]
    [comment] = fake.comments_on(PR_NUMBER)
    assert "invalid configuration" in comment["body"]


def test_the_teams_code_never_sees_the_token(tmp_path: Path, fake: FakeGitHub) -> None:
    ws = workspace(tmp_path, csv="id,age,name\n1,30,a\n2,31,b\n3,40,c\n")
    project = ws / "project"
    (project / "tests").mkdir()
    (project / "tests" / "test_snoop.py").write_text(
        "import gc, os\n\n"
        f"TOKEN = {TOKEN!r}\n\n"
        "def test_no_token_in_the_environment():\n"
        "    assert TOKEN not in os.environ.values()\n\n"
        "def test_no_token_in_this_process_memory():\n"
        "    assert not any(o == TOKEN for o in gc.get_objects() if isinstance(o, str)"
        " and o is not TOKEN)\n"
    )
    (project / "mlgate.yml").write_text(CONFIG + "pytest:\n  paths: [tests]\n")
    done = run_action(action_env(tmp_path, ws, fake.url), ws)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((project / "mlgate-report" / "report.json").read_text())
    snoops = [c for c in report["checks"] if c["family"] == "pytest"]
    assert [c["status"] for c in snoops] == ["passed", "passed"]


def test_a_stale_report_is_never_published(tmp_path: Path, fake: FakeGitHub) -> None:
    ws = workspace(tmp_path)
    project = ws / "project"
    stale = project / "mlgate-report" / "report.json"
    stale.parent.mkdir()
    stale.write_text('{"conclusion": "success", "counts": {}, "checks": []}')
    # the gate process is killed (OOM killer, runner cancel): it ends without a report
    (project / "tests").mkdir()
    (project / "tests" / "test_kill.py").write_text(
        "import os, pathlib, signal\n"
        "def test_kill_the_gate():\n"
        "    for proc in pathlib.Path('/proc').iterdir():\n"
        "        if not proc.name.isdigit():\n"
        "            continue\n"
        "        try:\n"
        "            cmd = (proc / 'cmdline').read_bytes().split(b'\\0')\n"
        "        except OSError:\n"
        "            continue\n"
        "        if b'mlgate' in cmd and b'run' in cmd and b'--report-dir' in cmd:\n"
        "            os.kill(int(proc.name), signal.SIGKILL)\n"
    )
    (project / "mlgate.yml").write_text(CONFIG + "pytest:\n  paths: [tests]\n")
    done = run_action(action_env(tmp_path, ws, fake.url), ws)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "the gate did not produce a report" in done.stdout
    assert not stale.exists()
    assert fake.check_runs == {}
    assert fake.comments_on(PR_NUMBER) == []
