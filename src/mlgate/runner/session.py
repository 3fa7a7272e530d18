"""What a run knows about where it runs: the event payload, the base and head commits."""

from __future__ import annotations

import subprocess

from mlgate.config import Config
from mlgate.context import RunContext
from mlgate.ghenv import GitHubEnv
from mlgate.gitref import commit_of


def head_sha(env: GitHubEnv) -> str:
    """The PR's head commit (not the merge commit), else GITHUB_SHA, else git HEAD."""
    sha = env.head_sha()
    if sha:
        return sha
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def build_context(config: Config, base_ref: str | None) -> RunContext:
    """The run's context: `--base-ref`, else the pull request's base commit from the event."""
    env = GitHubEnv.from_environ()
    ref = base_ref or env.base_sha()
    if ref:  # `HEAD~1` as the commit it names now: every read and the report use that one
        ref = commit_of(ref, config.root.resolve()) or ref
    return RunContext(config=config, base_ref=ref, event=env.event)
