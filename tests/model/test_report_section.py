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
        "| metric | this PR | base | Δ | CI of Δ | change |\n"
        "|---|---:|---:|---:|---:|---|\n"
        "| roc\\_auc | 0.871 | 0.876 | −0.005 | — | — |\n"
        "| accuracy | 0.812 | — | — | — | — |\n"
        "| brier | 0.100 | 0.100 | ±0 | — | — |"
    )


def test_each_delta_has_its_interval_and_a_word_consistent_with_the_verdict() -> None:
    def drop(metric: str, value: float, base: float, ci: list[float], rule: str) -> CheckResult:
        return result(
            f"model/credit/baseline/max_drop/{metric}",
            {
                "metric": metric,
                "value": value,
                "base": base,
                "delta_ci": ci,
                "confidence": 0.95,
                "decide": rule,
                "model": "credit",
            },
        )

    checks = [
        # the metrics: check has no interval: the max_drop row's figures win
        result(
            "model/credit/metrics/roc_auc",
            {"metric": "roc_auc", "value": 0.8712, "base": 0.8730, "model": "credit"},
        ),
        drop("roc_auc", 0.8712, 0.8730, [-0.0061, 0.0025], "evidence"),
        drop("accuracy", 0.78, 0.83, [-0.071, -0.029], "evidence"),
        drop("brier", 0.150, 0.162, [-0.02, -0.004], "evidence"),  # lower is better
        drop("log_loss", 0.46, 0.45, [-0.01, 0.03], "estimate"),  # judged on the estimate
    ]
    md = metrics_section(Report("failure", Counts.of(checks), checks))
    assert md is not None
    assert md.splitlines()[2:] == [
        "| metric | this PR | base | Δ | 95% CI of Δ | change |",
        "|---|---:|---:|---:|---:|---|",
        "| roc\\_auc | 0.871 | 0.873 | −0.002 | −0.006 to +0.003 | no detectable change |",
        "| accuracy | 0.780 | 0.830 | −0.050 | −0.071 to −0.029 | worse |",
        "| brier | 0.150 | 0.162 | −0.012 | −0.020 to −0.004 | better |",
        "| log\\_loss | 0.460 | 0.450 | +0.010 | −0.010 to +0.030 | worse |",
    ]


def test_no_metric_checks_no_section() -> None:
    checks = [result("model/credit/latency", {"p95": 1.0})]
    assert metrics_section(Report("success", Counts.of(checks), checks)) is None
