"""The action's container, run with the flags, mounts and environment GitHub gives a container
action, against the fake GitHub API on loopback and the real event payloads."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.github.conftest import HEAD_SHA, PR_EVENT, PR_NUMBER, REPOSITORY
from tests.github.fake_github import TOKEN, FakeGitHub
from tests.github.test_entrypoint import CONFIG, outputs
from tests.model.projects import git

RUNNER_UID = 1001  # the `runner` user that owns the workspace on GitHub's hosted runners

pytestmark = pytest.mark.container


def chown_tree(root: Path, uid: int = RUNNER_UID) -> None:
    for path in [root, *root.rglob("*")]:
        os.lchown(path, uid, uid)


def write_project(ws: Path, csv: str = "id,age,name\n1,30,a\n2,,b\n3,40,c\n") -> None:
    project = ws / "project"
    project.mkdir(exist_ok=True)
    (project / "mlgate.yml").write_text(CONFIG)
    (project / "people.csv").write_text(csv)


def docker_run(
    image: str,
    dirs: dict[str, Path],
    fake: FakeGitHub,
    event: dict[str, object],
    **inputs: str,
) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    """`docker run` as the runner does it; returns the result and the output/summary files."""
    (dirs["workflow"] / "event.json").write_text(json.dumps(event))
    output = f"set_output_{uuid.uuid4()}"
    summary = f"step_summary_{uuid.uuid4()}"
    for name in (output, summary):
        (dirs["file_commands"] / name).write_text("")
    chown_tree(dirs["workspace"].parent.parent)
    values = {
        "config": "mlgate.yml",
        "github-token": TOKEN,
        "comment": "always",
        "check-name": "mlgate",
        "fail-on": "",
        "working-directory": "project",
        "requirements": "",
        "report-dir": "mlgate-report",
        **{k.replace("_", "-"): v for k, v in inputs.items()},
    }
    env = {f"INPUT_{k.upper()}": v for k, v in values.items()}
    env.update(
        {
            "HOME": "/github/home",
            "GITHUB_JOB": "gate",
            "GITHUB_REF": f"refs/pull/{PR_NUMBER}/merge",
            "GITHUB_SHA": "f" * 40,
            "GITHUB_REPOSITORY": REPOSITORY,
            "GITHUB_REPOSITORY_OWNER": REPOSITORY.split("/")[0],
            "GITHUB_RUN_ID": "77",
            "GITHUB_RUN_NUMBER": "3",
            "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_ACTOR": "Codertocat",
            "GITHUB_WORKFLOW": "mlgate",
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_API_URL": fake.url,
            "GITHUB_WORKSPACE": "/github/workspace",
            "GITHUB_ACTION": "__mlgate_mlgate",
            "GITHUB_EVENT_PATH": "/github/workflow/event.json",
            "GITHUB_OUTPUT": f"/github/file_commands/{output}",
            "GITHUB_STEP_SUMMARY": f"/github/file_commands/{summary}",
            "GITHUB_ENV": "/github/file_commands/set_env",
            "GITHUB_PATH": "/github/file_commands/add_path",
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
            "RUNNER_TEMP": "/home/runner/work/_temp",
            "ACTIONS_RUNTIME_URL": "",
            "GITHUB_ACTIONS": "true",
            "CI": "true",
        }
    )
    args = ["docker", "run", "--rm", "--network", "host", "--workdir", "/github/workspace"]
    for key, value in env.items():
        args += ["-e", f"{key}={value}"]
    for name, target in [
        ("home", "/github/home"),
        ("workflow", "/github/workflow"),
        ("file_commands", "/github/file_commands"),
        ("workspace", "/github/workspace"),
    ]:
        args += ["-v", f"{dirs[name]}:{target}"]
    done = subprocess.run([*args, image], capture_output=True, text=True, timeout=600, check=False)
    return done, dirs["file_commands"] / output, dirs["file_commands"] / summary


def pr_event() -> dict[str, object]:
    event: dict[str, object] = json.loads(PR_EVENT.read_text())
    return event


def test_first_run_and_rerun_in_the_container(
    image: str, runner_dirs: dict[str, Path], fake: FakeGitHub
) -> None:
    ws = runner_dirs["workspace"]
    write_project(ws)
    done, output, summary = docker_run(image, runner_dirs, fake, pr_event())
    log = done.stdout + done.stderr
    assert done.returncode == 1, log[-4000:]  # the gate failed: age has a missing value
    assert "Traceback" not in log
    assert log.count(TOKEN) == 1  # only in the add-mask command
    assert "::error file=project/mlgate.yml,line=9," in log
    [comment] = fake.comments_on(PR_NUMBER)
    assert f"blob/{HEAD_SHA}/project/mlgate.yml#L9" in comment["body"]
    [run] = fake.check_runs.values()
    assert (run["head_sha"], run["conclusion"]) == (HEAD_SHA, "failure")
    notes = fake.annotations[run["id"]]
    assert [(a["path"], a["start_line"]) for a in notes] == [("project/mlgate.yml", 9)], notes
    out = outputs(output)
    assert (out["conclusion"], out["passed"], out["failed"]) == ("failure", "5", "1")
    assert out["report-json"] == "project/mlgate-report/report.json"
    assert (ws / out["report-json"]).is_file()
    assert "age / nullable" in summary.read_text()

    # a new push fixes the data: the same comment is edited, the check run passes
    write_project(ws, "id,age,name\n1,30,a\n2,31,b\n3,40,c\n")
    again, output, _ = docker_run(image, runner_dirs, fake, pr_event())
    assert again.returncode == 0, (again.stdout + again.stderr)[-4000:]
    [edited] = fake.comments_on(PR_NUMBER)
    assert edited["id"] == comment["id"]
    assert "## ✅" in edited["body"]
    assert outputs(output)["conclusion"] == "success"


def test_ref_base_reads_git_history_in_a_workspace_owned_by_the_runner(
    image: str, runner_dirs: dict[str, Path], fake: FakeGitHub
) -> None:
    ws = runner_dirs["workspace"]
    write_project(ws)
    git(ws, "init", "-q")
    git(ws, "add", "-A")
    git(ws, "commit", "-q", "-m", "base")
    base = git(ws, "rev-parse", "HEAD")
    config = ws / "project" / "mlgate.yml"
    config.write_text(
        "version: 1\n"
        "datasets:\n"
        "  people: {path: people.csv}\n"
        "  people_base: {path: people.csv, ref: base}\n"
        "data:\n"
        "  - dataset: people_base\n"
        "    rows: {min: 3, max: 3}\n"
    )
    (ws / "project" / "people.csv").write_text("id,age,name\n1,30,a\n")  # the PR shrank it
    event = pr_event()
    pull = event["pull_request"]
    assert isinstance(pull, dict)
    pull["base"]["sha"] = base
    done, output, _ = docker_run(image, runner_dirs, fake, event)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-4000:]
    report = json.loads((ws / "project/mlgate-report/report.json").read_text())
    [rows] = [c for c in report["checks"] if c["id"].endswith("rows")]
    assert rows["status"] == "passed", rows  # 3 rows as of the base commit, not the PR's 1
    assert outputs(output)["passed"] == "1"


def test_a_fork_without_write_access_keeps_the_gates_verdict(
    image: str, runner_dirs: dict[str, Path], fake: FakeGitHub
) -> None:
    write_project(runner_dirs["workspace"])
    event = pr_event()
    pull = event["pull_request"]
    assert isinstance(pull, dict)
    pull["head"]["repo"]["full_name"] = "forker/Hello-World"
    fake.read_only = True
    done, _, summary = docker_run(image, runner_dirs, fake, event)
    log = done.stdout + done.stderr
    assert done.returncode == 1, log[-4000:]
    assert "Traceback" not in log
    assert "this pull request comes from a fork" in log
    assert fake.comments == {}
    assert "age / nullable" in summary.read_text()


def test_faults_are_named_with_the_right_exit_code(
    image: str, runner_dirs: dict[str, Path], fake: FakeGitHub
) -> None:
    ws = runner_dirs["workspace"]
    write_project(ws)
    bad, _, _ = docker_run(image, runner_dirs, fake, pr_event(), comment="sometimes")
    assert bad.returncode == 2
    assert "input `comment` must be one of always, on-failure, never" in bad.stdout
    assert fake.calls == []

    config = ws / "project" / "mlgate.yml"
    config.write_text(
        config.read_text().replace("nullable: false}\n      age", "nulable: false}\n      age")
    )
    broken, _, _ = docker_run(image, runner_dirs, fake, pr_event())
    assert broken.returncode == 2
    assert "Traceback" not in broken.stdout + broken.stderr
    assert "unknown key 'nulable' -> did you mean 'nullable'?" in broken.stderr
    [run] = fake.check_runs.values()
    assert run["conclusion"] == "failure"
    assert [a["start_line"] for a in fake.annotations[run["id"]]] == [8]
