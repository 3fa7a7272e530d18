"""The metrics table of the Markdown report reads only the checks' details."""

from __future__ import annotations

from mlgate.model.report_section import metrics_section
from mlgate.results import CheckResult, Counts, Report


def result(check_id: str, details: dict[str, object]) -> CheckResult:
    return CheckResult(
        id=check_id,
        family="model",
        status="passed",
        severity="error",
        message="",
        location=None,
        details=details,
    )


def test_table_rows_with_base_and_signed_delta() -> None:
    checks = [
        result(
            "model/credit/metrics/roc_auc",
            {"metric": "roc_auc", "value": 0.871, "base": 0.876, "model": "credit"},
        ),
        result(
            "model/credit/metrics/accuracy",
            {"metric": "accuracy", "value": 0.812, "base": None, "model": "credit"},
        ),
        result(
            "model/credit/baseline/max_drop/brier",
            {"metric": "brier", "value": 0.1, "base": 0.1, "model": "credit"},
        ),
        result("model/credit/invariance/x", {"feature": "x", "k": 1}),
    ]
    md = metrics_section(Report("success", Counts.of(checks), checks))
    assert md == (
        "### Metrics against the base commit\n\n"
        "| metric | this PR | base | Δ |\n"
        "|---|---:|---:|---:|\n"
        "| roc\\_auc | 0.871 | 0.876 | −0.005 |\n"
        "| accuracy | 0.812 | — | — |\n"
        "| brier | 0.100 | 0.100 | ±0 |"
    )


def test_no_metric_checks_no_section() -> None:
    checks = [result("model/credit/latency", {"p95": 1.0})]
    assert metrics_section(Report("success", Counts.of(checks), checks)) is None
