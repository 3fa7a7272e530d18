"""Publishing a report: GitHub (sticky comment, check run, status, summary, outputs) or nowhere."""

from __future__ import annotations

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
    """Publish `report` (already written to `options.report_dir`). Never raises for GitHub faults."""
    if options.mode == "none":
        return
