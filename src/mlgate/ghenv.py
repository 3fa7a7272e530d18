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

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> GitHubEnv:
        env = os.environ if environ is None else environ
        event: dict[str, Any] = {}
        if env.get("GITHUB_EVENT_PATH"):
            try:
                data = json.loads(Path(env["GITHUB_EVENT_PATH"]).read_text(encoding="utf-8"))
                event = data if isinstance(data, dict) else {}
            except (OSError, ValueError):
                event = {}
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
