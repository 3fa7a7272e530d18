"""Rendering a `Report`: JSON, JUnit XML, Markdown (Jinja2) and the terminal summary."""

from mlgate.report.write import write_reports

__all__ = ["write_reports"]
