"""Publishing a report to GitHub: check run (or status), sticky comment, summary, outputs."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from mlgate.ghenv import GitHubEnv
from mlgate.publish.checkrun import create_check_run, create_status, repo_file
from mlgate.publish.client import GitHubClient, GitHubError, answer
from mlgate.publish.comment import comment_body, find_ours, marker, upsert
from mlgate.publish.digest import (
    Digest,
    DigestError,
    baseline,
    decode,
    digest_of,
    encode,
    since_lines,
)
from mlgate.publish.retry import RetryPolicy
from mlgate.publish.workflow import append_summary, command, print_commands, write_outputs
from mlgate.results import Report

if TYPE_CHECKING:
    from mlgate.publish import PublishOptions

MAX_LOG_ANNOTATIONS = 50
#: What a call may raise: GitHub's refusal, or an answer not shaped as documented.
_FAULTS = (GitHubError, ValueError, KeyError, TypeError, AttributeError)
Log = Callable[[str], None]


@dataclass
class PublishResult:
    """What was published where (for the log and the tests)."""

    check_run_id: int | None = None
    annotations: int = 0
    status_posted: bool = False
    comment: str = "not attempted"
    comment_id: int | None = None
    summary_written: bool = False
    outputs_written: bool = False
    problems: list[str] = field(default_factory=list)
    forbidden: bool = False


def _forbidden(exc: Exception) -> bool:
    return isinstance(exc, GitHubError) and exc.forbidden


def _log(message: str) -> None:
    print(message, flush=True)


def _render(report: Report, options: PublishOptions, link_base: str, log: Log) -> str:
    from mlgate.report.markdown import render_markdown

    try:
        return render_markdown(report, options.template, link_base=link_base)
    except Exception as exc:  # a broken user template must not lose the report
        if options.template is None:
            raise
        log(f"mlgate: the report template {options.template} failed ({exc}); using the built-in")
        return render_markdown(report, None, link_base=link_base)


def _where(env: GitHubEnv, options: PublishOptions, prefix: str) -> str:
    folder = f"`{prefix}{options.report_dir.as_posix().rstrip('/')}/`"
    run = env.source_run_url() or env.run_url
    if run:
        return f"the job summary of [the run]({run}) and the {folder} folder"
    return f"the {folder} folder (report.json, report.md, junit.xml)"


def workflow_commands(report: Report, prefix: str) -> list[str]:
    """`::error file=...,line=...::` per failed check, `::warning` per warning (escaped)."""
    lines: list[str] = []
    for c in report.checks:
        if c.status not in ("failed", "error", "warning") or len(lines) >= MAX_LOG_ANNOTATIONS:
            continue
        kind = "warning" if c.status == "warning" else "error"
        loc = c.location
        lines.append(
            command(
                kind,
                c.message or c.status,
                file=repo_file(loc.file, prefix) if loc else None,
                line=loc.line if loc else None,
                title=f"mlgate: {c.id}",
            )
        )
    return lines


def outputs(report: Report, options: PublishOptions, prefix: str) -> dict[str, str]:
    c = report.counts
    folder = options.report_dir.as_posix().rstrip("/")
    return {
        "conclusion": report.conclusion,
        "passed": str(c.passed),
        "failed": str(c.failed),
        "warnings": str(c.warnings),
        "errors": str(c.errors),
        "skipped": str(c.skipped),
        "report-json": repo_file(f"{folder}/report.json", prefix),
        "report-markdown": repo_file(f"{folder}/report.md", prefix),
    }


def publish_github(
    report: Report,
    options: PublishOptions,
    *,
    env: GitHubEnv | None = None,
    policy: RetryPolicy | None = None,
    log: Log = _log,
    api: bool = True,
) -> PublishResult:
    """Publish everywhere the environment allows; GitHub faults are logged, never raised."""
    from mlgate.report.markdown import headline

    env = env or GitHubEnv.from_environ()
    result = PublishResult()
    prefix = env.path_prefix()
    sha = env.head_sha(report.commit)
    link_base = f"{env.server_url}/{env.repository}/blob/{sha}/{prefix}".rstrip("/")
    markdown = _render(report, options, link_base if env.repository and sha else "", log)
    client = None
    previous: Previous | None = None
    if api and env.token and env.repository:
        client = GitHubClient(env.api_url, env.repository, env.token, policy=policy, log=log)
        previous = _previous(env, report, options, sha, policy, log)
        if previous is not None:
            markdown = with_changes(markdown, previous.changes)
    where = _where(env, options, prefix)
    footer = f"<sub>full report: {where}</sub>"
    note = f"**The report is too long to show here in full: the rest is in {where}.**"
    body = markdown.rstrip("\n") + "\n\n" + footer + "\n"

    if env.in_actions:
        print_commands(workflow_commands(report, prefix))
    if env.summary_file:
        try:
            folder = options.report_dir.as_posix().rstrip("/")
            rest = (
                "**The report is too long for the job summary: the rest is in the "
                f"`{prefix}{folder}/` folder (report.json, report.md).**"
            )
            append_summary(env.summary_file, markdown, rest)
            result.summary_written = True
        except OSError as exc:
            log(f"mlgate: could not write the job summary ({exc})")
    if env.output_file:
        try:
            write_outputs(env.output_file, outputs(report, options, prefix))
            result.outputs_written = True
        except OSError as exc:
            log(f"mlgate: could not write the step outputs ({exc})")
    if not api:
        return result
    if client is None:
        missing = "token (the github-token input or GITHUB_TOKEN is empty)"
        if env.token:
            missing = "repository (GITHUB_REPOSITORY is not set)"
        log(f"mlgate: not publishing to GitHub: no {missing}; the report is in {where}")
        return result

    icon, title = headline(report)
    _post_check(
        client, report, options, env, sha, f"{icon} {title}", body, note, prefix, result, log
    )
    _post_comment(client, report, options, env, body, note, result, log, previous)
    if result.forbidden:
        folder = repo_file(options.report_dir.as_posix(), prefix)
        fork = (
            " (this pull request comes from a fork, so its token is read-only)"
            if env.is_fork()
            else ""
        )
        log(
            f"mlgate: GitHub refused to publish{fork}. Nothing is lost: the report is in {where}. "
            f"To publish it on the pull request, upload {folder} as an artifact and run "
            f"`mlgate publish {folder}/report.json` from a `workflow_run` workflow that holds the "
            "write token (the fork-safe two-workflow pattern in the mlgate README), or give this "
            "job `permissions: {checks: write, pull-requests: write, statuses: write}`."
        )
    return result


def with_changes(markdown: str, lines: list[str]) -> str:
    """The report with "Since the last push" under its headline (the first `## ` line)."""
    if not lines:
        return markdown
    block = "\n".join(lines) + "\n\n"
    head, sep, rest = markdown.partition("\n\n")
    if head.startswith("## ") and sep:
        return head + sep + block + rest
    return block + markdown


@dataclass(frozen=True)
class Previous:
    """The PR, our comments on it (oldest first) and what changed since the last run."""

    number: int
    ours: list[dict[str, Any]]
    changes: list[str]
    baseline: Digest | None = None


def _previous(
    env: GitHubEnv,
    report: Report,
    options: PublishOptions,
    sha: str,
    policy: RetryPolicy | None,
    log: Log,
) -> Previous | None:
    """Our sticky comment and the changes since the run whose digest it holds.

    One attempt per call, no waiting (a fault here costs only the "since" lines; the comment
    step looks again with retries). An unreadable digest is ignored with a log line."""
    if options.comment == "never":
        return None
    once = replace(policy or RetryPolicy(), max_attempts=1)
    quiet = GitHubClient(env.api_url, env.repository, env.token, policy=once, log=lambda _: None)
    try:
        number = _pr_number(quiet, env, sha, lambda _: None)
        if number is None:
            return None
        ours = find_ours(quiet, number, marker(report.config_file))
    except _FAULTS as exc:
        log(f'mlgate: could not read the last comment ({exc}): no "since the last push"')
        return None
    finally:
        quiet.session.close()
    changes: list[str] = []
    target = None
    if ours:
        try:
            digest = decode(str(ours[0].get("body") or ""))
        except DigestError as exc:
            log(
                f"mlgate: the last run's digest in the comment cannot be read ({exc}); "
                "not comparing with it"
            )
            digest = None
        if digest is not None:
            target = baseline(digest, sha)
            changes = since_lines(target, report, sha)
    return Previous(number, ours, changes, target)


def _post_check(
    client: GitHubClient,
    report: Report,
    options: PublishOptions,
    env: GitHubEnv,
    sha: str,
    title: str,
    body: str,
    note: str,
    prefix: str,
    result: PublishResult,
    log: Log,
) -> None:
    if not sha:
        log("mlgate: no commit to report on (no pull_request head or GITHUB_SHA): no check run")
        return
    try:
        run_id, n = create_check_run(
            client,
            name=options.check_name,
            sha=sha,
            report=report,
            title=title,
            markdown=body,
            note=note,
            prefix=prefix,
            details_url=env.run_url,
        )
        result.check_run_id, result.annotations = run_id, n
        log(f"mlgate: check run '{options.check_name}' on {sha[:7]}: {n} annotation(s)")
        return
    except _FAULTS as exc:
        result.problems.append(str(exc))
        if getattr(exc, "status", 0) not in (403, 404):
            log(f"mlgate: could not create the check run: {exc}")
            return
        log(f"mlgate: no check run ({exc}); posting a commit status instead")
    try:
        create_status(
            client,
            context=options.check_name,
            sha=sha,
            report=report,
            headline=title,
            url=env.run_url,
        )
        result.status_posted = True
        log(f"mlgate: commit status '{options.check_name}' on {sha[:7]}")
    except _FAULTS as exc:
        result.problems.append(str(exc))
        result.forbidden = result.forbidden or _forbidden(exc)
        log(f"mlgate: could not post the commit status: {exc}")


def _pr_number(client: GitHubClient, env: GitHubEnv, sha: str, log: Log) -> int | None:
    number = env.pr_number()
    if number is not None or env.event_name != "workflow_run":
        return number
    raw = os.environ.get("MLGATE_PR_NUMBER", "").strip()
    if not raw.isdigit():
        return None
    pull = answer(client.request("GET", client.repo_path(f"pulls/{int(raw)}")))
    if (pull.get("head") or {}).get("sha") != sha:
        log(f"mlgate: MLGATE_PR_NUMBER={raw} is not the pull request of {sha[:7]}: no comment")
        return None
    return int(raw)


def _post_comment(
    client: GitHubClient,
    report: Report,
    options: PublishOptions,
    env: GitHubEnv,
    body: str,
    note: str,
    result: PublishResult,
    log: Log,
    previous: Previous | None = None,
) -> None:
    if options.comment == "never":
        result.comment = "disabled"
        return
    try:
        number = (
            previous.number
            if previous is not None
            else _pr_number(client, env, env.head_sha(report.commit), log)
        )
        if number is None:
            result.comment = "no pull request"
            return
        since = previous.baseline if previous is not None else None
        digest = digest_of(report, since, env.head_sha(report.commit))
        text = comment_body(report.config_file, body, note, encode(digest))
        create = options.comment == "always" or report.conclusion == "failure"
        found = previous.ours if previous is not None else None
        done = upsert(client, number, text, create=create, log=log, found=found)
    except _FAULTS as exc:
        result.problems.append(str(exc))
        result.forbidden = result.forbidden or _forbidden(exc)
        result.comment = "failed"
        log(f"mlgate: could not post the pull request comment: {exc}")
        return
    result.comment, result.comment_id = done.action, done.comment_id
    if done.action != "skipped":
        log(f"mlgate: comment on #{number} {done.action}")
