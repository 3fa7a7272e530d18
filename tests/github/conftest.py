"""Fixtures: the fake GitHub server, an Actions-like environment, reports to publish."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlgate.publish.retry import RetryPolicy
from mlgate.results import CheckResult, Counts, Location, Report

from .fake_github import CONTRACTS, TOKEN, FakeGitHub

EVENTS = CONTRACTS / "events"
PR_EVENT = EVENTS / "pull_request.opened.payload.json"
HEAD_SHA = json.loads(PR_EVENT.read_text())["pull_request"]["head"]["sha"]
PR_NUMBER = json.loads(PR_EVENT.read_text())["pull_request"]["number"]
REPOSITORY = json.loads(PR_EVENT.read_text())["repository"]["full_name"]


class FakeClock:
    """Sleeps advance a fake clock: retries are tested in microseconds."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.t += s

    def clock(self) -> float:
        return self.t

    def now(self) -> float:
        return 1_700_000_000.0 + self.t


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    owner, repo = REPOSITORY.split("/")
    with FakeGitHub(owner, repo) as server:
        yield server
        assert server.rejected == [], "requests the OpenAPI description rejects"
        assert server.response_errors == [], "fake answers that break the description"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def policy(clock: FakeClock) -> RetryPolicy:
    return RetryPolicy(
        max_total_s=120, sleep=clock.sleep, clock=clock.clock, now=clock.now, timeout_s=5
    )


@pytest.fixture
def gh_env(tmp_path: Path, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment GitHub gives a step on a `pull_request` event, pointed at the fake."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    event = tmp_path / "event.json"
    shutil.copy(PR_EVENT, event)
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": fake.url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_SHA": "f" * 40,  # the merge commit: must not be used
        "GITHUB_RUN_ID": "4242",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_TOKEN": TOKEN,
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("MLGATE_COMMENT_AUTHOR", raising=False)
    monkeypatch.delenv("MLGATE_PR_NUMBER", raising=False)
    monkeypatch.chdir(workspace)
    return env


def check(
    i: int,
    status: str = "failed",
    *,
    message: str = "",
    file: str = "mlgate.yml",
    line: int | None = None,
    **kw: Any,
) -> CheckResult:
    return CheckResult(
        id=f"data/train/columns/c{i}/max",
        family="data",
        status=status,  # type: ignore[arg-type]
        severity="warning" if status == "warning" else "error",
        message=message or f"{i} of 100 rows are above 10",
        location=Location(file, line if line is not None else 10 + i, 7),
        **kw,
    )


def make_report(checks: list[CheckResult], *, commit: str = HEAD_SHA) -> Report:
    counts = Counts.of(checks)
    failed = counts.failed or counts.errors
    return Report(
        conclusion="failure" if failed else "success",
        counts=counts,
        checks=checks,
        config_file="mlgate.yml",
        mlgate_version="0.1.0",
        commit=commit,
    )
