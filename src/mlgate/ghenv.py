"""What GitHub Actions tells a step about where it runs: environment variables and the event."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class GitHubEnv:
    """The parts of the Actions environment the run and its publishing need."""

    api_url: str = "https://api.github.com"
    server_url: str = "https://github.com"
    repository: str = ""
    token: str = ""
    event_name: str = ""
    event: dict[str, Any] = field(default_factory=dict)
    sha: str = ""
    run_id: str = ""
    workspace: str = ""
    output_file: str = ""
    summary_file: str = ""
    in_actions: bool = False
    #: Why the event payload could not be read ("" when it was): a trust decision that
    #: needs the payload then fails closed.
    event_error: str = ""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> GitHubEnv:
        env = os.environ if environ is None else environ
        event, event_error = _read_event(env.get("GITHUB_EVENT_PATH", ""))
        return cls(
            api_url=env.get("GITHUB_API_URL") or "https://api.github.com",
            server_url=env.get("GITHUB_SERVER_URL") or "https://github.com",
            repository=env.get("GITHUB_REPOSITORY", ""),
            token=env.get("GITHUB_TOKEN") or env.get("INPUT_GITHUB-TOKEN") or "",
            event_name=env.get("GITHUB_EVENT_NAME", ""),
            event=event,
            sha=env.get("GITHUB_SHA", ""),
            run_id=env.get("GITHUB_RUN_ID", ""),
            workspace=env.get("GITHUB_WORKSPACE", ""),
            output_file=env.get("GITHUB_OUTPUT", ""),
            summary_file=env.get("GITHUB_STEP_SUMMARY", ""),
            in_actions=env.get("GITHUB_ACTIONS") == "true",
            event_error=event_error,
        )

    @property
    def run_url(self) -> str:
        if not (self.repository and self.run_id):
            return ""
        return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"

    def _pr(self) -> dict[str, Any]:
        pr = self.event.get("pull_request")
        return pr if isinstance(pr, dict) else {}

    def _workflow_run(self) -> dict[str, Any]:
        run = self.event.get("workflow_run")
        return run if isinstance(run, dict) else {}

    def pr_number(self) -> int | None:
        """The pull request this run is about, if any (`pull_request*` or `workflow_run`)."""
        number = self._pr().get("number") or self.event.get("number")
        if isinstance(number, int):
            return number
        prs = self._workflow_run().get("pull_requests")
        if isinstance(prs, list) and prs and isinstance(prs[0], dict):
            n = prs[0].get("number")
            return n if isinstance(n, int) else None
        return None

    def base_sha(self) -> str | None:
        """The pull request's base commit (for `ref: base`), if this run is for one."""
        base = self._pr().get("base")
        if isinstance(base, dict) and isinstance(base.get("sha"), str):
            return str(base["sha"])
        return None

    def head_sha(self, report_commit: str = "") -> str:
        """The commit to report on: the PR's head (never the merge commit)."""
        head = self._pr().get("head")
        if isinstance(head, dict) and isinstance(head.get("sha"), str):
            return str(head["sha"])
        run_sha = self._workflow_run().get("head_sha")
        if isinstance(run_sha, str) and run_sha:
            return run_sha
        return report_commit or self.sha

    def is_fork(self) -> bool:
        """Whether the PR comes from another repository (its token is read-only)."""
        pr = self._pr()
        head = (pr.get("head") or {}).get("repo") or {}
        base = (pr.get("base") or {}).get("repo") or {}
        if isinstance(head, dict) and isinstance(base, dict) and head and base:
            return bool(head.get("full_name") != base.get("full_name"))
        run = self._workflow_run()
        head_repo = run.get("head_repository") or {}
        if isinstance(head_repo, dict) and head_repo.get("full_name"):
            return bool(head_repo.get("full_name") != self.repository)
        return False

    def untrusted_code(self) -> str | None:
        """Why this run cannot be shown to hold only trusted code, when it may hold a write
        token (None when it can). Fails closed: a payload that is missing, unreadable or
        silent about where the code comes from counts as a fork's.

        Only `pull_request_target` and `workflow_run` give a fork's pull request a write
        token; every other event either runs the repository's own code or gives a fork a
        read-only token. Outside GitHub Actions (no event) the code is the user's own.
        """
        name = self.event_name
        if not name:
            if self.in_actions:
                return "GITHUB_EVENT_NAME is not set, so the event that started this run is unknown"
            return None
        if name not in ("pull_request_target", "workflow_run"):
            return None
        run = f"this `{name}` run holds a write token"
        if self.event_error:
            return f"{run} and {self.event_error}, so it cannot tell whether the code is a fork's"
        if name == "pull_request_target":
            return _pull_request_target_doubt(run, self._pr())
        return _workflow_run_doubt(run, self._workflow_run(), self._repository_name())

    def _repository_name(self) -> str:
        repo = self.event.get("repository")
        name = repo.get("full_name") if isinstance(repo, dict) else None
        return name if isinstance(name, str) and name else self.repository

    def source_run_url(self) -> str:
        """For `workflow_run`: the run that made the report."""
        url = self._workflow_run().get("html_url")
        return url if isinstance(url, str) else ""

    def path_prefix(self, cwd: Path | None = None) -> str:
        """The working directory relative to the workspace (`""` at the root), as `a/b/`."""
        if not self.workspace:
            return ""
        here = (cwd or Path.cwd()).resolve()
        try:
            rel = here.relative_to(Path(self.workspace).resolve())
        except ValueError:
            return ""
        text = rel.as_posix()
        return "" if text in ("", ".") else text + "/"


def _read_event(path: str) -> tuple[dict[str, Any], str]:
    """The event payload at `path` and, when it cannot be had, why ("" when it was read)."""
    if not path:
        return {}, "there is no event payload (GITHUB_EVENT_PATH is not set)"
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        return {}, f"the event payload {path} cannot be read ({exc.strerror or exc})"
    except ValueError:
        return {}, f"the event payload {path} is not valid JSON"
    if not isinstance(data, dict):
        return {}, f"the event payload {path} is not a JSON object"
    return data, ""


def _full_name(repo: Any) -> str:
    name = repo.get("full_name") if isinstance(repo, dict) else None
    return name if isinstance(name, str) else ""


def _pull_request_target_doubt(run: str, pr: dict[str, Any]) -> str | None:
    """None only when the pull request's head repository is the base repository."""
    if not pr:
        return f"{run} and its payload names no pull request, so the code's origin is unknown"
    head_repo = (pr.get("head") or {}).get("repo") if isinstance(pr.get("head"), dict) else None
    base = _full_name(
        (pr.get("base") or {}).get("repo") if isinstance(pr.get("base"), dict) else None
    )
    if not isinstance(head_repo, dict) or not head_repo:
        return f"{run} for a pull request whose head repository is gone (a deleted fork)"
    head = _full_name(head_repo)
    if not head or not base:
        return f"{run} and its payload does not name both repositories of the pull request"
    if head_repo.get("fork") is True or head != base:
        return f"{run} for a pull request from the fork {head}"
    return None


def _workflow_run_doubt(run: str, source: dict[str, Any], repository: str) -> str | None:
    """None only when the triggering run's head repository is this repository."""
    if not source:
        return f"{run} and its payload has no `workflow_run`, so the code's origin is unknown"
    head = _full_name(source.get("head_repository"))
    if not head:
        return (
            f"{run} for a run whose head repository is not given (a deleted fork?), so the "
            "code's origin is unknown"
        )
    if not repository:
        return f"{run} and neither the payload nor GITHUB_REPOSITORY names this repository"
    if head != repository:
        return f"{run} for a run from the fork {head}"
    return None
