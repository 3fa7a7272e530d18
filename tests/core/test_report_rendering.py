"""report.md (golden files per input), report.json's shape, junit.xml, the terminal summary."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlgate.report.junit import render_junit
from mlgate.report.markdown import render_markdown
from mlgate.report.terminal import render_terminal
from mlgate.report.text import message_md
from mlgate.results import CheckResult, Counts, Location, Report
from tests.conftest import REPO, assert_golden

GOLDEN = REPO / "tests" / "golden" / "report"


def check(id_: str, status: str, message: str, line: int, **kw: object) -> CheckResult:
    family = id_.split("/")[0]
    return CheckResult(
        id=id_,
        family=family,
        status=status,
        severity=kw.pop("severity", "error"),  # type: ignore[arg-type]
        message=message,
        location=Location("mlgate.yml", line, 5),
        duration_s=0.25,
        **kw,  # type: ignore[arg-type]
    )


MIXED = [
    check("data/train/rows", "passed", "48,210 rows (expected >= 1000)", 14),
    check(
        "data/train/columns/age/max",
        "failed",
        "5 of 48,210 rows (0.010%) are above 120 · max seen 150",
        31,
        observed=150,
        expected="<= 120",
        examples=[{"row": 17, "age": 150}, {"row": 902, "age": 131}],
    ),
    check(
        "data/train/drift/income",
        "warning",
        "PSI 0.31 (threshold 0.2)",
        44,
        severity="warning",
        observed=0.31,
        expected="<= 0.2",
    ),
    check(
        "model/credit/metrics/roc_auc",
        "error",
        "model 'credit': cannot load models/credit.joblib: file not found",
        52,
    ),
    check("api/scoring/latency", "skipped", "no service URL", 80),
    check("pytest/tests/ml/test_x.py::test_y", "passed", "passed", 3),
]


def report_of(checks: list[CheckResult], conclusion: str = "failure") -> Report:
    return Report(
        conclusion=conclusion,  # type: ignore[arg-type]
        counts=Counts.of(checks),
        checks=checks,
        title="Model gate",
        mlgate_version="0.1.0",
        commit="1a2b3c4d5e6f",
        base_ref="9f8e7d6c",
        duration_s=12.8,
    )


@pytest.mark.parametrize(
    ("name", "report"),
    [
        ("mixed", report_of(MIXED)),
        ("all-passed", report_of([MIXED[0], MIXED[5]], "success")),
        ("warnings-only", report_of([MIXED[0], MIXED[2]], "success")),
        ("empty", report_of([], "success")),
    ],
)
def test_report_md_matches_its_golden_file(name: str, report: Report) -> None:
    assert_golden(render_markdown(report), GOLDEN / f"{name}.md")


def test_links_point_at_the_declaring_line() -> None:
    md = render_markdown(report_of(MIXED), link_base="https://github.com/o/r/blob/abc")
    assert "[`mlgate.yml:31`](https://github.com/o/r/blob/abc/mlgate.yml#L31)" in md


def test_untrusted_text_cannot_ping_or_inject_html() -> None:
    evil = check(
        "data/t/columns/x/allowed",
        "failed",
        "value <script>alert(1)</script> from @octocat #12",
        9,
        examples=[{"row": 1, "x": "@octocat <b>hi</b>"}],
    )
    md = render_markdown(report_of([evil]))
    outside_code = md.replace("`@octocat <b>hi</b>`", "")
    assert "<script>" not in md
    assert "<b>" not in outside_code
    assert "@octocat" not in outside_code
    assert "#12" not in outside_code


def test_report_json_has_the_documented_fields() -> None:
    data = json.loads(report_of(MIXED).to_json())
    assert data["version"] == 1
    assert data["conclusion"] == "failure"
    assert data["counts"] == {"passed": 2, "failed": 1, "warnings": 1, "errors": 1, "skipped": 1}
    first = data["checks"][1]
    assert set(first) >= {
        "id",
        "family",
        "status",
        "severity",
        "message",
        "observed",
        "expected",
        "location",
        "examples",
        "duration_s",
    }
    assert first["location"] == {"file": "mlgate.yml", "line": 31, "column": 5}
    assert Report.from_dict(data) == report_of(MIXED)


def test_junit_has_a_suite_per_family_and_a_case_per_check() -> None:
    root = ET.fromstring(render_junit(report_of(MIXED)))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == ["data", "model", "api", "pytest"]
    assert suites["data"].get("failures") == "1"
    assert suites["model"].get("errors") == "1"
    case = root.find(".//testcase[@name='data/train/columns/age/max']")
    assert case is not None
    assert case.get("line") == "31"
    failure = case.find("failure")
    assert failure is not None
    assert "observed: 150" in (failure.text or "")


def test_terminal_summary_names_each_failure_with_its_line() -> None:
    text = render_terminal(report_of(MIXED), "mlgate-report")
    assert "❌ Model gate — 1 check failed, 1 error, 1 warning · 2 passed, 1 skipped" in text
    assert "FAIL  mlgate.yml:31: data/train/columns/age/max: 5 of 48,210 rows" in text
    assert "ERROR mlgate.yml:52: model/credit/metrics/roc_auc" in text


@given(st.text(max_size=80))
def test_message_md_never_lets_html_or_mentions_through_outside_code(text: str) -> None:
    rendered = message_md(text)
    outside = re.sub(r"(`+)(?:(?!\1).)+?\1", "", rendered)  # drop code spans
    assert "<" not in outside.replace("<br>", "")
    assert not re.search(r"@[A-Za-z0-9]", outside)
    assert not re.search(r"(?<![&\w])#\d", outside)


def test_message_md_keeps_code_spans_and_escapes_the_rest() -> None:
    assert message_md("column `Recrods` is <b>missing</b>") == (
        "column `Recrods` is &lt;b&gt;missing&lt;/b&gt;"
    )
    assert message_md("`@octocat` and @octocat") == "`@octocat` and @\u2060octocat"


def test_message_md_keeps_double_backtick_spans() -> None:
    assert message_md("rule `` `a b` > 1 `` failed") == "rule `` `a b` > 1 `` failed"


def test_report_fields_from_an_untrusted_run_are_escaped() -> None:
    report = replace(
        report_of(MIXED),
        fail_on="@octo-org/team <img src=x>",
        config_file="a`b.yml",
        mlgate_version="<b>1</b>",
    )
    md = render_markdown(report)
    footer = md.strip().splitlines()[-1]
    assert "@octo" not in footer.replace("@\u2060octo", "")
    assert "<img" not in footer
    assert "<b>" not in footer
    assert "``a`b.yml``" in footer


def test_a_malformed_report_json_is_a_value_error() -> None:
    data = json.loads(report_of(MIXED).to_json())
    data["checks"][0]["status"] = "bogus"
    with pytest.raises(ValueError, match="unknown status 'bogus'"):
        Report.from_dict(data)
    with pytest.raises(ValueError, match="conclusion"):
        Report.from_dict({"conclusion": "maybe", "checks": []})
