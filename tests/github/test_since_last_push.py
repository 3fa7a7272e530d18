"""Since the last push, against the fake GitHub: the digest in the sticky comment, the diff."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlgate.publish import PublishOptions
from mlgate.publish.digest import (
    MAX_DIGEST_CHARS,
    Changes,
    Digest,
    DigestError,
    compare,
    decode,
    digest_of,
    encode,
    since_lines,
)
from mlgate.publish.github import PublishResult, publish_github
from mlgate.publish.retry import RetryPolicy
from mlgate.results import CheckResult, Location, Report

from .conftest import HEAD_SHA, PR_NUMBER, check, make_report
from .fake_github import FakeGitHub

pytestmark = pytest.mark.usefixtures("gh_env")
NEXT_SHA = "b" * 40
_DIGEST = re.compile(r"^<!-- mlgate:digest (\S+) -->$", re.MULTILINE)


def run(report: Report, policy: RetryPolicy) -> tuple[PublishResult, list[str]]:
    logs: list[str] = []
    result = publish_github(report, PublishOptions(mode="github"), policy=policy, log=logs.append)
    return result, logs


def push(gh_env: dict[str, str], sha: str) -> None:
    """A new head commit on the pull request (what a push does to the event GitHub sends)."""
    path = Path(gh_env["GITHUB_EVENT_PATH"])
    event = json.loads(path.read_text())
    event["pull_request"]["head"]["sha"] = sha
    path.write_text(json.dumps(event))


def body(fake: FakeGitHub) -> str:
    [comment] = fake.comments_on(PR_NUMBER)
    return str(comment["body"])


def visible_head(text: str, n: int) -> list[str]:
    """The first `n` non-blank lines a reader sees (after the hidden marker and digest)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("<!--")]
    return lines[:n]


def metric_check(value: float, base: float) -> CheckResult:
    return CheckResult(
        id="model/credit/baseline/roc_auc",
        family="model",
        status="passed",
        severity="error",
        message="roc_auc against the base model",
        location=Location("mlgate.yml", 40, 3),
        details={"metric": "roc_auc", "value": value, "base": base, "model": "credit"},
    )


def test_a_push_that_fixes_one_check_and_breaks_another_names_both_first(
    fake: FakeGitHub, policy: RetryPolicy, gh_env: dict[str, str]
) -> None:
    run(make_report([check(1), check(2, "passed"), check(3, "passed"), check(4)]), policy)
    first = body(fake)
    assert "Since the last push" not in first  # a first run says nothing of the kind
    push(gh_env, NEXT_SHA)
    second_report = make_report(
        [check(1, "passed"), check(2), check(4), check(5, "passed")], commit=NEXT_SHA
    )
    result, _ = run(second_report, policy)
    assert result.comment == "updated"
    text = body(fake)
    head = visible_head(text, 6)
    assert head[0].startswith("## ❌")
    assert head[1] == (
        f"**Since the last push** (`{HEAD_SHA[:7]}`): 1 newly failing · 1 fixed · 1 new · 1 removed"
    )
    assert head[2] == "- ❌ newly failing: data / train / columns / c2 / max"
    assert head[3] == "- ✅ fixed: data / train / columns / c1 / max"
    assert head[4] == "- ➕ new checks: data / train / columns / c5 / max"
    assert head[5] == "- ➖ removed checks: data / train / columns / c3 / max"
    # the check run's summary carries the same lines
    runs = sorted(fake.check_runs.values(), key=lambda r: r["id"])
    summary = runs[-1]["output"]["summary"]
    assert "\n".join(head[1:6]) in summary


def test_a_rerun_on_the_same_commit_repeats_the_comparison_and_leaves_the_comment(
    fake: FakeGitHub, policy: RetryPolicy, gh_env: dict[str, str]
) -> None:
    run(make_report([check(1), check(2, "passed")]), policy)
    push(gh_env, NEXT_SHA)
    report = make_report([check(1, "passed"), check(2)], commit=NEXT_SHA)
    run(report, policy)
    after_push = body(fake)
    result, _ = run(report, policy)  # "re-run jobs" on the same head commit
    assert result.comment == "unchanged"
    assert body(fake) == after_push
    assert "**Since the last push**" in after_push


def test_metric_deltas_against_the_last_push_sit_next_to_those_against_the_base(
    fake: FakeGitHub, policy: RetryPolicy, gh_env: dict[str, str]
) -> None:
    run(make_report([check(1), metric_check(0.870, 0.876)]), policy)
    push(gh_env, NEXT_SHA)
    run(make_report([check(1), metric_check(0.881, 0.876)], commit=NEXT_SHA), policy)
    lines = visible_head(body(fake), 3)
    assert lines[1] == f"**Since the last push** (`{HEAD_SHA[:7]}`): no check changed its status"
    assert lines[2] == (
        "- metrics: roc\\_auc 0.881 (+0.011 since the last push, +0.005 against the base commit)"
    )


def _tamper(text: str, new_digest: str) -> str:
    return _DIGEST.sub(lambda _: f"<!-- mlgate:digest {new_digest} -->", text, count=1)


def _packed(payload: Any) -> str:
    return base64.b64encode(zlib.compress(json.dumps(payload).encode())).decode()


@pytest.mark.parametrize(
    "digest",
    [
        "not-base64!",  # not what mlgate writes: the line does not even match
        "aGVsbG8=",  # base64, but not zlib
        _packed({"v": 99, "commit": "x", "checks": {}, "metrics": {}}),  # another version
        _packed({"v": 1, "commit": "x", "checks": {"a": "zz"}, "metrics": {}}),  # bad status
        _packed({"v": 1, "commit": "x", "checks": [], "metrics": {}}),
        _packed(["v", 1]),
        _packed({"v": 1, "commit": "x", "checks": {}, "metrics": {"auc": "high"}}),
    ],
)
def test_a_tampered_digest_changes_nothing_but_a_log_line(
    fake: FakeGitHub, policy: RetryPolicy, gh_env: dict[str, str], digest: str
) -> None:
    first_report = make_report([check(1), check(2, "passed")])
    run(first_report, policy)
    [comment] = fake.comments_on(PR_NUMBER)
    comment["body"] = _tamper(comment["body"], digest)
    push(gh_env, NEXT_SHA)
    second = make_report([check(1, "passed"), check(2)], commit=NEXT_SHA)
    result, logs = run(second, policy)
    assert result.comment == "updated"
    assert result.problems == []
    tampered_run = body(fake)
    assert [ln for ln in logs if "digest" in ln] == [
        next(ln for ln in logs if "digest" in ln)
    ]  # exactly one line about it
    assert "cannot be read" in next(ln for ln in logs if "digest" in ln)
    # the same comment as a first run of this report would write
    fake.comments.clear()
    run(second, policy)
    assert tampered_run == body(fake)


def test_digest_round_trips_and_stays_bounded() -> None:
    checks = [check(i, "passed" if i % 3 else "failed") for i in range(1, 200)]
    report = make_report(checks)
    digest = digest_of(report)
    line = encode(digest)
    assert len(line) <= MAX_DIGEST_CHARS
    back = decode("marker\n" + line + "\n\nbody")
    assert back is not None
    assert back.checks == digest.checks
    assert not back.hashed


def test_a_huge_run_keeps_a_hashed_digest_that_still_names_fixed_checks() -> None:
    def name(i: int) -> str:  # ids that do not compress: hashes
        return hashlib.sha256(str(i).encode()).hexdigest() * 2

    before = [
        CheckResult(
            id=f"data/t/columns/{name(i)}/max",
            family="data",
            status="failed" if i == 7 else "passed",
            severity="error",
            message="m",
            location=None,
        )
        for i in range(3000)
    ]
    line = encode(digest_of(make_report(before)))
    assert len(line) <= MAX_DIGEST_CHARS
    previous = decode(line)
    assert previous is not None
    assert previous.hashed
    after = [
        CheckResult(**{**c.__dict__, "status": "passed" if i == 7 else c.status})
        for i, c in enumerate(before)
    ]
    lines = since_lines(previous, make_report(after, commit="c" * 40))
    assert lines[1] == f"- ✅ fixed: data / t / columns / {name(7)} / max"


def test_a_digest_that_inflates_without_end_is_refused() -> None:
    bomb = base64.b64encode(zlib.compress(b"[" * 5_000_000)).decode()
    with pytest.raises(DigestError, match="too large"):
        decode(f"<!-- mlgate:digest {bomb} -->")


def test_no_digest_is_a_first_run() -> None:
    assert decode("<!-- mlgate:v1 config=mlgate.yml -->\n\n## ✅ all good") is None


def test_names_from_a_digest_are_escaped() -> None:
    evil = CheckResult(
        id="pytest/tests/test_x.py::test_@octocat_<b>",
        family="pytest",
        status="failed",
        severity="error",
        message="m",
        location=None,
    )
    previous = Digest(commit="a" * 40, checks={evil.id: "passed"})
    [_, newly] = since_lines(previous, make_report([evil], commit="c" * 40))
    assert "<b>" not in newly
    assert "@octocat" not in newly


STATUSES = ["passed", "failed", "warning", "error", "skipped"]
IDS = st.text(
    st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30
)  # any text, also what looks like a hash


def reference_changes(
    before: dict[str, str], now: dict[str, str]
) -> tuple[set[str], set[str], set[str], set[str]]:
    """The plain definition: failing is failed or error."""
    bad = {"failed", "error"}
    newly = {k for k, s in now.items() if s in bad and before.get(k) not in bad}
    fixed = {k for k, s in now.items() if s not in bad and before.get(k) in bad}
    return newly, fixed, set(now) - set(before), set(before) - set(now)


@given(
    st.dictionaries(IDS, st.sampled_from(STATUSES), max_size=40),
    st.dictionaries(IDS, st.sampled_from(STATUSES), max_size=40),
    st.integers(0, 3),
)
def test_compare_after_a_round_trip_matches_the_reference(
    before: dict[str, str], now: dict[str, str], level: int
) -> None:
    from mlgate.publish import digest as dg

    written = Digest(commit="a" * 40, checks=before)
    packed = dg._pack(dg._payload(written, level))
    previous = decode(f"<!-- mlgate:digest {packed} -->")
    assert previous is not None
    got = compare(previous, now)
    newly, fixed, added, removed = reference_changes(before, now)
    if level == 3:  # too many checks to keep: nothing is said of them
        assert got == Changes([], [], [], [])
        return
    assert set(got.newly_failing) == newly
    assert set(got.fixed) == fixed
    if level <= 1:
        assert set(got.added) == added
        assert len(got.removed) == len(removed)
        if level == 0:
            assert set(got.removed) == removed
    else:
        assert got.added == got.removed == []
