"""The check run on the PR's head commit (annotations, 50 per request), or a commit status."""

from __future__ import annotations

import os
import posixpath
from datetime import UTC, datetime
from typing import Any

from mlgate.publish.client import GitHubClient, answer
from mlgate.publish.limits import CHECK_MAX_BYTES, fit, utf8_bytes
from mlgate.report.text import clean_api_text, value_text
from mlgate.results import CheckResult, Report

ANNOTATIONS_PER_REQUEST = 50
STATUS_DESCRIPTION_MAX = 140
_LEVEL = {"failed": "failure", "error": "failure", "warning": "warning"}


def conclusion(report: Report) -> str:
    """success, failure, or neutral (passed, but with warnings/failures tolerated or no checks)."""
    if report.conclusion == "failure":
        return "failure"
    c = report.counts
    if c.failed or c.warnings or c.errors or c.total == 0:
        return "neutral"
    return "success"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def repo_file(file: str, prefix: str) -> str:
    """A path relative to the working directory, made relative to the repository root."""
    if os.path.isabs(file):
        file = os.path.relpath(file)
    return posixpath.normpath(prefix + file.replace(os.sep, "/"))


def annotation(check: CheckResult, prefix: str) -> dict[str, Any] | None:
    """The annotation of a failed/error/warning check at the line that declared it."""
    level = _LEVEL.get(check.status)
    if level is None or check.location is None:
        return None
    loc = check.location
    message = check.message or check.status
    if check.observed is not None or check.expected is not None:
        message += (
            f"\nobserved: {value_text(check.observed)} · expected: {value_text(check.expected)}"
        )
    return {
        "path": repo_file(loc.file, prefix),
        "start_line": max(1, int(loc.line)),
        "end_line": max(1, int(loc.line)),
        "annotation_level": level,
        "title": clean_api_text(_cut(check.id, 255)),
        "message": clean_api_text(_cut(message, 60_000)),
    }


def annotations_of(report: Report, prefix: str) -> list[dict[str, Any]]:
    return [a for c in report.checks if (a := annotation(c, prefix)) is not None]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def create_check_run(
    client: GitHubClient,
    *,
    name: str,
    sha: str,
    report: Report,
    title: str,
    markdown: str,
    note: str,
    prefix: str,
    details_url: str = "",
) -> tuple[int, int]:
    """Create the completed check run, then add annotations 50 at a time; (id, annotations)."""
    summary = fit(clean_api_text(markdown), CHECK_MAX_BYTES, note, utf8_bytes)
    output: dict[str, Any] = {"title": clean_api_text(_cut(title, 255)), "summary": summary}
    notes = annotations_of(report, prefix)
    batches = [
        notes[i : i + ANNOTATIONS_PER_REQUEST]
        for i in range(0, len(notes), ANNOTATIONS_PER_REQUEST)
    ] or [[]]
    body: dict[str, Any] = {
        "name": name,
        "head_sha": sha,
        "status": "completed",
        "conclusion": conclusion(report),
        "completed_at": _now(),
        "output": {**output, "annotations": batches[0]} if batches[0] else output,
    }
    if details_url:
        body["details_url"] = details_url
    resp = client.request("POST", client.repo_path("check-runs"), json=body)
    run_id = int(answer(resp)["id"])
    for batch in batches[1:]:
        client.request(
            "PATCH",
            client.repo_path(f"check-runs/{run_id}"),
            json={"output": {**output, "annotations": batch}},
        )
    return run_id, len(notes)


def status_description(report: Report, headline: str) -> str:
    """A commit status description: at most 140 characters."""
    return _cut(clean_api_text(headline), STATUS_DESCRIPTION_MAX)


def create_status(
    client: GitHubClient, *, context: str, sha: str, report: Report, headline: str, url: str = ""
) -> None:
    """A commit status (for tokens that may not create check runs)."""
    body: dict[str, Any] = {
        "state": "failure" if report.conclusion == "failure" else "success",
        "context": context,
        "description": status_description(report, headline),
    }
    if url:
        body["target_url"] = url
    client.request("POST", client.repo_path(f"statuses/{sha}"), json=body)
