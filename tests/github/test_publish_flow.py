"""Publishing against the fake GitHub: comment, check run, annotations, outputs, summary."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from mlgate.publish import PublishOptions, publish
from mlgate.publish.github import PublishResult, publish_github
from mlgate.publish.retry import RetryPolicy
from mlgate.results import Report

from .conftest import HEAD_SHA, PR_NUMBER, check, make_report
from .fake_github import BOT, TOKEN, FakeGitHub

pytestmark = pytest.mark.usefixtures("gh_env")
MARK = "<!-- mlgate:v1 config=mlgate.yml -->"
#: The marker, the digest of the run, a blank line, a failing verdict.
HEAD = re.compile(re.escape(MARK) + r"\n<!-- mlgate:digest [A-Za-z0-9+/=]+ -->\n\n## ❌")


def run(report: Report, policy: RetryPolicy, **opts: Any) -> tuple[PublishResult, list[str]]:
    logs: list[str] = []
    options = PublishOptions(mode="github", **opts)
    return publish_github(report, options, policy=policy, log=logs.append), logs


def read_outputs(path: str) -> dict[str, str]:
    """Parse GITHUB_OUTPUT's `name<<DELIM ... DELIM` syntax as the runner does."""
    out: dict[str, str] = {}
    lines = Path(path).read_text().splitlines()
    i = 0
    while i < len(lines):
        name, delim = lines[i].split("<<", 1)
        end = lines.index(delim, i + 1)
        out[name] = "\n".join(lines[i + 1 : end])
        i = end + 1
    return out


def test_first_run_creates_one_comment_and_a_check_run(
    fake: FakeGitHub,
    policy: RetryPolicy,
    gh_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = make_report([check(1), check(2, "passed"), check(3, "warning")])
    result, _ = run(report, policy)
    [comment] = fake.comments_on(PR_NUMBER)
    assert HEAD.match(comment["body"])
    assert "full report: the job summary of [the run](https://github.com/" in comment["body"]
    assert f"/blob/{HEAD_SHA}/mlgate.yml#L11" in comment["body"]
    assert result.comment == "created"
    [check_run] = fake.check_runs.values()
    assert check_run["head_sha"] == HEAD_SHA  # the PR's head, not GITHUB_SHA (the merge)
    assert check_run["conclusion"] == "failure"
    assert check_run["name"] == "mlgate"
    notes = fake.annotations[check_run["id"]]
    assert [(a["path"], a["start_line"], a["annotation_level"]) for a in notes] == [
        ("mlgate.yml", 11, "failure"),
        ("mlgate.yml", 13, "warning"),
    ]
    outputs = read_outputs(gh_env["GITHUB_OUTPUT"])
    assert outputs == {
        "conclusion": "failure",
        "passed": "1",
        "failed": "1",
        "warnings": "1",
        "errors": "0",
        "skipped": "0",
        "report-json": "mlgate-report/report.json",
        "report-markdown": "mlgate-report/report.md",
    }
    summary = Path(gh_env["GITHUB_STEP_SUMMARY"]).read_text()
    assert summary.startswith("## ❌")
    assert "data / train / columns / c1 / max" in summary
    log = capsys.readouterr().out
    assert "::error file=mlgate.yml,line=11,title=mlgate%3A data/train/columns/c1/max::1 of" in log
    assert "::warning file=mlgate.yml,line=13," in log
    assert TOKEN not in log


def test_rerun_edits_the_same_comment_and_skips_an_unchanged_body(
    fake: FakeGitHub, policy: RetryPolicy
) -> None:
    run(make_report([check(1)]), policy)
    [first] = fake.comments_on(PR_NUMBER)
    run(make_report([check(1, "passed")]), policy)
    [second] = fake.comments_on(PR_NUMBER)
    assert second["id"] == first["id"]
    assert "## ✅" in second["body"]
    patches = [c for c in fake.calls if c.method == "PATCH" and "comments" in c.path]
    assert len(patches) == 1
    result, _logs = run(make_report([check(1, "passed")]), policy)
    assert result.comment == "unchanged"
    assert len([c for c in fake.calls if c.method == "PATCH" and "comments" in c.path]) == 1
    assert len(fake.comments_on(PR_NUMBER)) == 1


def test_finds_its_comment_among_more_than_100(fake: FakeGitHub, policy: RetryPolicy) -> None:
    human = {"login": "octocat", "id": 1, "type": "User"}
    for i in range(130):
        fake.add_comment(PR_NUMBER, f"comment {i}", human)
    # a human quoting our marker is not ours; our comment sits on the second page
    fake.add_comment(PR_NUMBER, MARK + "\n\nquoted by a human", human)
    ours = fake.add_comment(PR_NUMBER, MARK + "\n\nold report", BOT)
    for i in range(5):
        fake.add_comment(PR_NUMBER, f"later {i}", human)
    result, _ = run(make_report([check(1)]), policy)
    assert result.comment == "updated"
    assert result.comment_id == ours
    assert len(fake.comments_on(PR_NUMBER)) == 137
    lists = [c for c in fake.calls if c.method == "GET"]
    assert [c.query.get("page", "1") for c in lists] == ["1", "2"]
    assert all(c.query["per_page"] == "100" for c in lists)
    assert HEAD.match(fake.comments[ours]["body"])


def test_duplicates_from_a_race_are_deleted(fake: FakeGitHub, policy: RetryPolicy) -> None:
    a = fake.add_comment(PR_NUMBER, MARK + "\n\nrun A")
    b = fake.add_comment(PR_NUMBER, MARK + "\n\nrun B")
    result, logs = run(make_report([check(1)]), policy)
    assert [c["id"] for c in fake.comments_on(PR_NUMBER)] == [a]
    assert result.comment == "updated"
    assert b not in fake.comments
    assert any("deleted 1 duplicate" in line for line in logs)


def test_120_annotations_are_sent_50_per_request(fake: FakeGitHub, policy: RetryPolicy) -> None:
    report = make_report([check(i, line=i + 1) for i in range(120)])
    result, _ = run(report, policy)
    [check_run] = fake.check_runs.values()
    notes = fake.annotations[check_run["id"]]
    assert [a["start_line"] for a in notes] == list(range(1, 121))
    assert check_run["output"]["annotations_count"] == 120 == result.annotations
    sizes = [
        len(c.body["output"]["annotations"])
        for c in fake.calls
        if "check-runs" in c.path and c.method in ("POST", "PATCH")
    ]
    assert sizes == [50, 50, 20]


def test_working_directory_prefixes_paths(
    fake: FakeGitHub, policy: RetryPolicy, gh_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = Path(gh_env["GITHUB_WORKSPACE"]) / "ml" / "gate"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    run(make_report([check(1), check(2, "error", file="tests/test_model.py", line=4)]), policy)
    [check_run] = fake.check_runs.values()
    paths = [(a["path"], a["start_line"]) for a in fake.annotations[check_run["id"]]]
    assert paths == [("ml/gate/mlgate.yml", 11), ("ml/gate/tests/test_model.py", 4)]
    outputs = read_outputs(gh_env["GITHUB_OUTPUT"])
    assert outputs["report-json"] == "ml/gate/mlgate-report/report.json"


@pytest.mark.parametrize(
    ("comment", "conclusion", "existing", "expected"),
    [
        ("never", "failure", False, "disabled"),
        ("on-failure", "success", False, "skipped"),
        ("on-failure", "failure", False, "created"),
        ("on-failure", "success", True, "updated"),  # an earlier failure now says it passed
    ],
)
def test_comment_policy(
    fake: FakeGitHub,
    policy: RetryPolicy,
    comment: str,
    conclusion: str,
    existing: bool,
    expected: str,
) -> None:
    if existing:
        fake.add_comment(PR_NUMBER, MARK + "\n\n## ❌ failed before")
    status = "failed" if conclusion == "failure" else "passed"
    result, _ = run(make_report([check(1, status)]), policy, comment=comment)
    assert result.comment == expected
    bodies = [c["body"] for c in fake.comments_on(PR_NUMBER)]
    if expected in ("disabled", "skipped"):
        assert bodies == []
    else:
        assert len(bodies) == 1
        assert ("## ✅" in bodies[0]) == (conclusion == "success")
    assert len(fake.check_runs) == 1


def test_passing_report_concludes_success_and_warnings_neutral(
    fake: FakeGitHub, policy: RetryPolicy
) -> None:
    run(make_report([check(1, "passed")]), policy, comment="never")
    run(make_report([check(1, "passed"), check(2, "warning")]), policy, comment="never")
    assert [r["conclusion"] for r in fake.check_runs.values()] == ["success", "neutral"]


def test_commit_status_when_check_runs_are_not_allowed(
    fake: FakeGitHub, policy: RetryPolicy
) -> None:
    fake.checks_forbidden = True
    long = "x" * 500
    report = make_report([check(i, message=long) for i in range(3)])
    result, logs = run(report, policy)
    [status] = fake.statuses
    assert status["context"] == "mlgate"
    assert status["state"] == "failure"
    assert status["_sha"] == HEAD_SHA
    assert len(status["description"]) <= 140
    assert result.status_posted
    assert result.comment == "created"
    assert any("posting a commit status instead" in line for line in logs)


def test_untrusted_text_is_inert(
    fake: FakeGitHub, policy: RetryPolicy, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = "@octocat see #12 <img src=x onerror=alert(1)>\n::stop-commands::tok\x00en\ud800"
    report = make_report([check(1, message=evil, examples=[{"name @admin": "<b>#3</b>"}])])
    run(report, policy)
    [comment] = fake.comments_on(PR_NUMBER)
    body = comment["body"]
    assert "@octocat" not in body
    assert "#12" not in body
    assert "<img" not in body
    assert "\x00" not in body
    assert "@admin" not in body
    assert body.count("<b>") == body.count("`<b>#3</b>`") == 1  # only as inline code
    log = capsys.readouterr().out
    error_lines = [line for line in log.splitlines() if line.startswith("::error")]
    assert len(error_lines) == 1  # the newline could not start a second command
    assert "%0A::stop-commands::" in error_lines[0]
    assert not any(line.startswith("::stop-commands") for line in log.splitlines())
    notes = fake.annotations[next(iter(fake.check_runs))]
    assert "\x00" not in json.dumps(notes)


def test_publish_modes(
    fake: FakeGitHub, gh_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    report = make_report([check(1)])
    publish(report, PublishOptions(mode="none"))
    monkeypatch.delenv("GITHUB_ACTIONS")
    publish(report, PublishOptions(mode="auto"))  # outside GitHub Actions: nowhere
    assert fake.calls == []
    assert not Path(gh_env["GITHUB_STEP_SUMMARY"]).exists()
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    publish(report, PublishOptions(mode="auto"))  # in Actions with a token: GitHub
    assert len(fake.comments_on(PR_NUMBER)) == 1
    assert len(fake.check_runs) == 1


def test_mlgate_run_publishes_a_broken_config_as_a_failing_check(
    gh_env: dict[str, str], fake: FakeGitHub
) -> None:
    from mlgate.cli import main

    Path("mlgate.yml").write_text("version: 1\ngate: {fail_on: sometimes}\n")
    assert main(["run", "--publish", "github"]) == 2
    [check_run] = fake.check_runs.values()
    assert check_run["conclusion"] == "failure"
    [note] = fake.annotations[check_run["id"]]
    assert (note["path"], note["start_line"]) == ("mlgate.yml", 2)
    assert "'sometimes' is not one of" in note["message"]
