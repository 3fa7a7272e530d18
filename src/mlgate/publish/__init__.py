"""Publishing a report: GitHub (sticky comment, check run, status, summary, outputs) or nowhere."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mlgate.results import Report


@dataclass(frozen=True)
class PublishOptions:
    """How and where to publish; the action's inputs map onto these."""

    mode: str = "auto"  # auto | github | none
    comment: str = "always"  # always | on-failure | never
    check_name: str = "mlgate"
    report_dir: Path = Path("mlgate-report")
    template: Path | None = None


def publish(report: Report, options: PublishOptions) -> None:
    """Publish `report` (already written to `options.report_dir`). Never raises for GitHub faults.

    `auto`: in GitHub Actions, the job summary, outputs and annotations always, and the check
    run and PR comment when a token is there; outside Actions, nothing. `github`: all of it.
    """
    if options.mode == "none":
        return
    in_actions = os.environ.get("GITHUB_ACTIONS") == "true"
    if options.mode == "auto" and not in_actions:
        return
    from mlgate.publish.github import publish_github

    has_token = bool(os.environ.get("GITHUB_TOKEN") or os.environ.get("INPUT_GITHUB-TOKEN"))
    try:
        publish_github(report, options, api=options.mode == "github" or has_token)
    except Exception as exc:  # publishing never changes the verdict, nor loses the report
        where = options.report_dir.as_posix()
        print(
            f"mlgate: publishing failed ({type(exc).__name__}: {exc}); the report is in {where}",
            flush=True,
        )
