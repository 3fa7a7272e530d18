"""Writing `report.json`, `report.md` and `junit.xml` into the report folder."""

from __future__ import annotations

from pathlib import Path

from mlgate.report.junit import render_junit
from mlgate.report.markdown import render_markdown
from mlgate.results import Report


def write_reports(
    report: Report, report_dir: Path, *, template: Path | None = None
) -> dict[str, Path]:
    """Write the three files (before any network call) and return their paths."""
    report_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": report_dir / "report.json",
        "markdown": report_dir / "report.md",
        "junit": report_dir / "junit.xml",
    }
    paths["json"].write_text(report.to_json() + "\n", encoding="utf-8")
    paths["junit"].write_text(render_junit(report), encoding="utf-8")
    paths["markdown"].write_text(render_markdown(report, template), encoding="utf-8")
    return paths
