"""GitHub faults: every scenario ends with the report delivered somewhere and a clear log line."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from mlgate.publish import PublishOptions
from mlgate.publish.github import PublishResult, publish_github
from mlgate.publish.limits import CHECK_MAX_BYTES, COMMENT_MAX_CHARS, SUMMARY_MAX_BYTES
from mlgate.publish.retry import RetryPolicy
from mlgate.results import Report

from .conftest import PR_NUMBER, FakeClock, check, make_report
from .fake_github import FakeGitHub, Fault

pytestmark = pytest.mark.usefixtures("gh_env")


def run(report: Report, policy: RetryPolicy, **opts: Any) -> tuple[PublishResult, list[str]]:
    logs: list[str] = []
    options = PublishOptions(mode="github", **opts)
    return publish_github(report, options, policy=policy, log=logs.append), logs


def summary_of(env: dict[str, str]) -> str:
    return Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")


def test_fork_403_is_not_a_crash(
    fake: FakeGitHub, policy: RetryPolicy, gh_env: dict[str, str], tmp_path: Path
) -> None:
    event = json.loads(Path(gh_env["GITHUB_EVENT_PATH"]).read_text())
    event["pull_request"]["head"]["repo"]["full_name"] = "forker/Hello-World"
    Path(gh_env["GITHUB_EVENT_PATH"]).write_text(json.dumps(event))
    fake.read_only = True
    result, logs = run(make_report([check(1)]), policy)
    assert fake.comments == {}
    assert fake.check_runs == {}
    assert fake.statuses == []
    assert result.forbidden
    assert result.comment == "failed"
    assert "data / train / columns / c1 / max" in summary_of(gh_env)
    [hint] = [line for line in logs if "GitHub refused to publish" in line]
    assert "comes from a fork" in hint
    assert "workflow_run" in hint
    assert "upload mlgate-report as an artifact" in hint
    assert "`mlgate publish mlgate-report/report.json`" in hint
    assert "Resource not accessible by integration" in "\n".join(logs)


def test_502_then_success(fake: FakeGitHub, policy: RetryPolicy, clock: FakeClock) -> None:
    fake.faults.append(Fault("POST", r"/issues/\d+/comments$", 502, "Server Error"))
    result, logs = run(make_report([check(1)]), policy)
    assert len(fake.comments_on(PR_NUMBER)) == 1
    assert result.comment == "created"
    assert clock.sleeps == [1.0]
    assert any("HTTP 502" in line and "retrying in 1.0 s" in line for line in logs)


def test_secondary_rate_limit_honours_retry_after(
    fake: FakeGitHub, policy: RetryPolicy, clock: FakeClock
) -> None:
    fake.faults.append(
        Fault(
            "POST",
            r"/check-runs$",
            403,
            "You have exceeded a secondary rate limit. Please wait a few minutes.",
            {"retry-after": "30"},
        )
    )
    fake.faults.append(Fault("POST", r"/comments$", 429, "Too many", {"Retry-After": "7"}))
    result, _logs = run(make_report([check(1)]), policy)
    assert result.check_run_id is not None
    assert result.comment == "created"
    assert clock.sleeps == [30.0, 7.0]
    assert len(fake.check_runs) == 1
    assert len(fake.comments_on(PR_NUMBER)) == 1


def test_secondary_rate_limit_without_a_hint_waits_a_minute(
    fake: FakeGitHub, policy: RetryPolicy, clock: FakeClock
) -> None:
    fake.faults.append(
        Fault("PATCH", r"/check-runs/\d+$", 403, "You have exceeded a secondary rate limit.")
    )
    result, logs = run(make_report([check(i) for i in range(60)]), policy, comment="never")
    assert clock.sleeps == [60.0]
    assert result.annotations == 60
    assert len(fake.annotations[result.check_run_id or 0]) == 60
    assert any("HTTP 403" in line and "retrying in 60.0 s" in line for line in logs)


def test_primary_rate_limit_waits_until_reset(
    fake: FakeGitHub, policy: RetryPolicy, clock: FakeClock
) -> None:
    reset = str(int(clock.now()) + 12)
    fake.faults.append(
        Fault(
            "GET",
            r"/comments$",
            403,
            "API rate limit exceeded",
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset},
            times=2,  # the look for the last run's digest (never waits), then the comment
        )
    )
    result, _ = run(make_report([check(1)]), policy)
    assert clock.sleeps == [12.0]
    assert result.comment == "created"


def test_rate_limit_beyond_the_budget_gives_up_with_the_report_kept(
    fake: FakeGitHub, clock: FakeClock, gh_env: dict[str, str]
) -> None:
    policy = RetryPolicy(max_total_s=60, sleep=clock.sleep, clock=clock.clock, now=clock.now)
    fake.faults.append(
        Fault("GET", r"/comments$", 429, "slow down", {"Retry-After": "3600"}, times=99)
    )
    result, logs = run(make_report([check(1)]), policy)
    assert clock.sleeps == []  # did not wait an hour
    assert result.comment == "failed"
    assert fake.comments == {}
    assert len(fake.check_runs) == 1  # the rest still went out
    assert any("rate limited; gave up" in line and "60 s budget" in line for line in logs)
    assert "c1" in summary_of(gh_env)


def test_persistent_5xx_is_bounded(fake: FakeGitHub, clock: FakeClock) -> None:
    policy = RetryPolicy(max_attempts=4, sleep=clock.sleep, clock=clock.clock, now=clock.now)
    fake.faults.append(Fault("POST", r"/check-runs$", 503, "unavailable", times=99))
    result, logs = run(make_report([check(1)]), policy, comment="never")
    assert clock.sleeps == [1.0, 2.0, 4.0]
    assert result.check_run_id is None
    assert not result.status_posted
    assert any("gave up after 4 attempts" in line for line in logs)


def test_network_timeouts_are_retried_then_reported(
    clock: FakeClock, gh_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9")  # nothing listens (discard port)
    policy = RetryPolicy(
        max_attempts=2, sleep=clock.sleep, clock=clock.clock, now=clock.now, timeout_s=0.5
    )
    result, logs = run(make_report([check(1)]), policy)
    assert result.check_run_id is None
    assert result.comment == "failed"
    assert any("network error" in line for line in logs)
    assert "c1" in summary_of(gh_env)


def test_a_report_larger_than_every_limit(
    fake: FakeGitHub, policy: RetryPolicy, gh_env: dict[str, str]
) -> None:
    rows = [{"customer": f"C{i:06d}", "note": "é" * 200} for i in range(20)]
    checks = [check(i, message="ü" * 400, examples=rows) for i in range(400)]
    checks += [check(1000 + i, "passed") for i in range(3000)]
    result, _ = run(make_report(checks), policy)
    [comment] = fake.comments_on(PR_NUMBER)
    body = comment["body"]
    assert len(body) <= COMMENT_MAX_CHARS
    assert "too long to show here in full" in body
    assert "job summary" in body
    [check_run] = fake.check_runs.values()
    summary = check_run["output"]["summary"]
    assert len(summary.encode()) <= CHECK_MAX_BYTES
    assert "too long to show here in full" in summary
    assert result.annotations == 400 == len(fake.annotations[check_run["id"]])
    job = summary_of(gh_env)
    assert len(job.encode()) <= SUMMARY_MAX_BYTES
    assert "too long for the job summary: the rest is in the `mlgate-report/` folder" in job
    for text in (body, summary, job):
        assert text.count("<details") == text.count("</details>")
        assert text.count("```") % 2 == 0
    assert re.match(
        r"<!-- mlgate:v1 config=mlgate.yml -->\n<!-- mlgate:digest \S+ -->\n\n## ❌", body
    )


def test_the_time_budget_covers_all_calls(fake: FakeGitHub, clock: FakeClock) -> None:
    policy = RetryPolicy(max_total_s=100, sleep=clock.sleep, clock=clock.clock, now=clock.now)
    fake.faults.append(Fault("POST", r"/check-runs$", 429, "slow", {"Retry-After": "90"}))
    # twice: the look for the last run's digest (one attempt, never waits), then the comment
    fake.faults.append(Fault("GET", r"/comments$", 429, "slow", {"Retry-After": "20"}, times=2))
    result, logs = run(make_report([check(1)]), policy)
    assert clock.sleeps == [90.0]  # the comment's 20 s more would pass the 100 s budget
    assert any("could not read the last comment" in line for line in logs)
    assert result.check_run_id is not None
    assert result.comment == "failed"
    assert any("90.0 s into publishing" in line for line in logs)


def test_a_rate_limited_403_is_not_mistaken_for_a_forks_token(
    fake: FakeGitHub, clock: FakeClock, gh_env: dict[str, str]
) -> None:
    policy = RetryPolicy(max_total_s=30, sleep=clock.sleep, clock=clock.clock, now=clock.now)
    fake.faults.append(
        Fault("GET", r"/comments$", 403, "You have exceeded a secondary rate limit.", times=99)
    )
    _, logs = run(make_report([check(1)]), policy)
    assert any("rate limited; gave up" in line for line in logs)
    assert not any("two-workflow" in line or "read-only" in line for line in logs)
