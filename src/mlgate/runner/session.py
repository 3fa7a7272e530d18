"""What a run knows about where it runs: the event payload, the base and head commits."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from mlgate.config import Config
from mlgate.context import RunContext


def read_event() -> dict[str, Any]:
    """The GitHub event payload (GITHUB_EVENT_PATH), or {} outside GitHub Actions."""
    path = os.environ.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def base_ref_from_event(event: dict[str, Any]) -> str | None:
    pr = event.get("pull_request")
    if isinstance(pr, dict):
        base = pr.get("base")
        if isinstance(base, dict) and isinstance(base.get("sha"), str):
            return str(base["sha"])
    return None


def head_sha(event: dict[str, Any]) -> str:
    """The PR's head commit (not the merge commit), else GITHUB_SHA, else git HEAD."""
    pr = event.get("pull_request")
    if isinstance(pr, dict) and isinstance(pr.get("head"), dict):
        sha = pr["head"].get("sha")
        if isinstance(sha, str):
            return sha
    if os.environ.get("GITHUB_SHA"):
        return os.environ["GITHUB_SHA"]
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def build_context(config: Config, base_ref: str | None) -> RunContext:
    event = read_event()
    return RunContext(config=config, base_ref=base_ref or base_ref_from_event(event), event=event)
