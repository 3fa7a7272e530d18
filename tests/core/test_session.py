"""Where a run is: the base and head commits come from the real event payloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlgate.config import load_config
from mlgate.ghenv import GitHubEnv
from mlgate.runner.session import build_context, head_sha
from tests.conftest import CONTRACTS

EVENTS = CONTRACTS / "events"


@pytest.fixture
def config(tmp_path: Path) -> object:
    path = tmp_path / "mlgate.yml"
    path.write_text("version: 1\n")
    return load_config(path)


def test_a_pull_request_gives_its_base_and_head(
    config: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = EVENTS / "pull_request.synchronize.payload.json"
    pr = json.loads(payload.read_text())["pull_request"]
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(payload))
    monkeypatch.setenv("GITHUB_SHA", "f" * 40)  # the merge commit: never used
    ctx = build_context(config, None)  # type: ignore[arg-type]
    assert ctx.base_ref == pr["base"]["sha"]
    assert head_sha(GitHubEnv.from_environ()) == pr["head"]["sha"]
    assert build_context(config, "v1.0").base_ref == "v1.0"  # type: ignore[arg-type]


def test_a_push_has_no_base_commit(config: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(EVENTS / "push.payload.json"))
    monkeypatch.setenv("GITHUB_SHA", "a" * 40)
    assert build_context(config, None).base_ref is None  # type: ignore[arg-type]
    assert head_sha(GitHubEnv.from_environ()) == "a" * 40


def test_workflow_run_reports_on_the_commit_it_tested(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"workflow_run": {"head_sha": "b" * 40, "pull_requests": []}}))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_SHA", "c" * 40)
    assert head_sha(GitHubEnv.from_environ()) == "b" * 40
