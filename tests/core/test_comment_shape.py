"""The PR comment's shape, rendered as GitHub renders it (cmark-gfm, hard line breaks): every
failure named and linked before the first `<details>`, a short first part, Mermaid charts that
parse, and charts dropped first when the comment nears its size limit."""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlgate.cli import main
from mlgate.publish.comment import comment_body
from mlgate.publish.limits import COMMENT_MAX_CHARS
from mlgate.report.charts import MAX_BARS, label, xychart
from mlgate.report.markdown import pretty_id, render_markdown
from mlgate.report.terminal import render_terminal
from mlgate.results import CheckResult, Counts, Location, Report
from tests.conftest import REPO, assert_golden

cmarkgfm = pytest.importorskip("cmarkgfm")
from cmarkgfm.cmark import Options  # noqa: E402

FAULTS = REPO / "tests" / "golden" / "report" / "faults"
GOLDEN = REPO / "tests" / "golden" / "report"
SHA = "0123456789abcdef0123456789abcdef01234567"
LINK_BASE = f"https://github.com/octo/repo/blob/{SHA}"
#: The ten planted faults, each one check (see faults/make_faults.py).
PLANTED = {
    "data/current/strict",
    "data/current/duplicates",
    "data/current/columns/gender/allowed",
    "data/current/columns/children/type",
    "data/current/columns/age/min",
    "data/current/columns/age/max",
    "data/current/columns/region/type",
    "data/current/columns/loan/max_missing",
    "data/current/rules/loan under 10x income",
    "data/current/drift/income",
}


def gfm(markdown: str) -> str:
    """HTML as GitHub renders a comment (GFM, hard line breaks; raw HTML kept for <details>)."""
    opts = Options.CMARK_OPT_HARDBREAKS | Options.CMARK_OPT_UNSAFE
    return str(cmarkgfm.github_flavored_markdown_to_html(markdown, options=opts))


# --- a small grammar of the Mermaid charts mlgate draws (xychart-beta, bar and line) -------
_STR = r'"[^"\n`<>]*"'
_NUM = r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?"
_LIST_STR = rf"\[\s*{_STR}(?:\s*,\s*{_STR})*\s*\]"
_LIST_NUM = rf"\[\s*{_NUM}(?:\s*,\s*{_NUM})*\s*\]"


def parse_xychart(block: str) -> dict[str, object]:
    """Check one chart against the `xychart-beta` grammar; its x labels and series."""
    lines = [ln.strip() for ln in block.strip().splitlines() if ln.strip()]
    assert lines[0] == "xychart-beta", lines[0]
    out: dict[str, object] = {"series": []}
    series: list[list[float]] = []
    for line in lines[1:]:
        if m := re.fullmatch(rf"title ({_STR})", line):
            out["title"] = m.group(1)[1:-1]
        elif m := re.fullmatch(rf"x-axis(?: {_STR})? ({_LIST_STR})", line):
            out["x"] = re.findall(r'"([^"]*)"', m.group(1))
        elif m := re.fullmatch(rf"y-axis(?: ({_STR}))?(?: ({_NUM}) --> ({_NUM}))?", line):
            if m.group(2) is not None:
                assert float(m.group(2)) < float(m.group(3)), line
                out["y"] = (float(m.group(2)), float(m.group(3)))
        elif m := re.fullmatch(rf"(bar|line) ({_LIST_NUM})", line):
            series.append([float(v) for v in re.findall(_NUM, m.group(2))])
        else:
            raise AssertionError(f"not xychart-beta: {line!r}")
    assert "x" in out, "an x-axis with categories"
    assert series, "at least one bar or line"
    x = out["x"]
    assert isinstance(x, list)
    assert all(len(s) == len(x) for s in series), "every series has one value per category"
    if "y" in out:
        low, high = out["y"]  # type: ignore[misc]
        assert all(low <= v <= high for s in series for v in s), "values inside the y range"
    out["series"] = series
    return out


def mermaid_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```mermaid\n(.*?)^```$", markdown, re.MULTILINE | re.DOTALL)


# --- the ten planted faults -----------------------------------------------------------------
@pytest.fixture(scope="module")
def faults_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    import importlib.util

    root = tmp_path_factory.mktemp("faults")
    shutil.copy(FAULTS / "mlgate.yml", root / "mlgate.yml")
    spec = importlib.util.spec_from_file_location("make_faults", FAULTS / "make_faults.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_faults(root)
    here = os.getcwd()
    os.chdir(root)  # locations as in a repository: `mlgate.yml:13`
    try:
        code = main(["run", "--config", "mlgate.yml", "--report-dir", "out", "--publish", "none"])
    finally:
        os.chdir(here)
    assert code == 1
    report = Report.load(root / "out" / "report.json")
    # what varies from run to run: the clock
    checks = [replace(c, duration_s=0.0) for c in report.checks]
    return replace(report, checks=checks, duration_s=1.0, mlgate_version="0.0.0", commit=SHA)


def test_the_ten_faults_each_fail_one_check(faults_report: Report) -> None:
    failed = {c.id for c in faults_report.checks if c.status == "failed"}
    assert failed == PLANTED


def test_faults_comment_matches_its_golden_file(faults_report: Report) -> None:
    assert_golden(render_markdown(faults_report, link_base=LINK_BASE), GOLDEN / "faults.md")


def test_every_failure_is_named_and_linked_before_the_first_details(
    faults_report: Report,
) -> None:
    body = comment_body("mlgate.yml", render_markdown(faults_report, link_base=LINK_BASE), "x")
    html = gfm(body)
    first_details = html.index("<details")
    before = html[:first_details]
    for c in faults_report.with_status("failed"):
        assert c.location is not None
        name = pretty_id(c.id)
        link = f'href="{LINK_BASE}/mlgate.yml#L{c.location.line}"'
        assert name in before, name
        row = next(r for r in before.split("<tr>") if name in r)
        assert link in row, (name, row)
    # every link to the config points at the head commit
    links = re.findall(r'href="([^"]*mlgate\.yml[^"]*)"', html)
    assert links
    assert all(u.startswith(f"{LINK_BASE}/mlgate.yml#L") for u in links)


def test_the_part_outside_details_is_at_most_60_lines(faults_report: Report) -> None:
    md = render_markdown(faults_report, link_base=LINK_BASE)
    outside = re.sub(r"<details>.*?</details>\n?", "", md, flags=re.DOTALL)
    assert len(outside.strip().splitlines()) <= 60
    head = md[: md.index("<details")]
    assert len(head.strip().splitlines()) <= 60


def test_the_drift_failure_has_its_chart(faults_report: Report) -> None:
    md = render_markdown(faults_report, link_base=LINK_BASE)
    [chart] = mermaid_blocks(md)
    parsed = parse_xychart(chart)
    assert "income" in str(parsed["title"])
    reference, current = parsed["series"]  # type: ignore[misc]
    assert len(reference) == 10
    assert abs(sum(reference) - 100) < 0.5
    assert abs(sum(current) - 100) < 0.5
    assert max(current) > 50  # the planted shift: most current incomes in the top bin
    assert md.index("```mermaid") < md.index("<details")
    assert '<pre lang="mermaid">' in gfm(md)


def test_charts_off_draws_none(faults_report: Report) -> None:
    md = render_markdown(replace(faults_report, charts=False), link_base=LINK_BASE)
    assert "```mermaid" not in md
    assert "data / current / drift / income" in md


def test_charts_are_dropped_first_near_the_size_limit(faults_report: Report) -> None:
    md = render_markdown(faults_report, link_base=LINK_BASE)
    chart = mermaid_blocks(md)[0]
    # grow the folded part until the comment is just over its limit with the chart
    spare = COMMENT_MAX_CHARS - len(comment_body("mlgate.yml", md, "NOTE"))
    pad = "<details><summary>padding</summary>\n\n" + "x" * (spare - 10) + "\n\n</details>\n"
    over = md + pad
    assert len(comment_body("mlgate.yml", md, "NOTE")) <= COMMENT_MAX_CHARS
    body = comment_body("mlgate.yml", over, "NOTE")
    assert len(body) <= COMMENT_MAX_CHARS
    assert chart not in body
    assert "```mermaid" not in body
    assert "padding" in body  # only the chart had to go: the rest is whole
    assert "NOTE" not in body
    assert "\n\n\n" not in body  # no hole where it was
    for c in faults_report.with_status("failed"):
        assert pretty_id(c.id).replace("_", "\\_") in body


def test_metrics_against_the_base_commit_get_a_chart() -> None:
    def metric(name: str, value: float, base: float) -> CheckResult:
        return CheckResult(
            id=f"model/credit/baseline/{name}",
            family="model",
            status="passed",
            severity="error",
            message="ok",
            location=Location("mlgate.yml", 3, 1),
            details={"metric": name, "value": value, "base": base, "model": "credit", "ci": [1]},
        )

    checks = [metric("roc_auc", 0.871, 0.876), metric("accuracy", 0.812, 0.809)]
    report = Report(conclusion="success", counts=Counts.of(checks), checks=checks)
    md = render_markdown(report)
    [chart] = mermaid_blocks(md)
    parsed = parse_xychart(chart)
    assert parsed["x"] == ["roc_auc", "accuracy"]
    assert parsed["series"] == [[0.871, 0.812], [0.876, 0.809]]


def test_drift_details_without_a_histogram_draw_no_chart() -> None:
    """Reports from before the histogram (or a changed drift check) render without a chart."""
    drift = CheckResult(
        id="data/train/drift/income",
        family="data",
        status="warning",
        severity="warning",
        message="psi 0.31",
        location=Location("mlgate.yml", 9, 1),
        details={"method": "psi", "histogram": {"bins": ["a"], "reference": [1.0]}},
    )
    report = Report(conclusion="success", counts=Counts.of([drift]), checks=[drift])
    assert "```mermaid" not in render_markdown(report)


@given(
    st.lists(st.text(max_size=40), min_size=1, max_size=MAX_BARS),
    st.text(max_size=100),
    st.data(),
)
def test_any_labels_make_a_chart_that_parses_and_cannot_inject(
    bins: list[str], title: str, data: st.DataObject
) -> None:
    values = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)
    bars = data.draw(st.lists(values, min_size=len(bins), max_size=len(bins)))
    line = data.draw(st.lists(values, min_size=len(bins), max_size=len(bins)))
    block = xychart(title, bins, "y", bars, line)
    assert block.startswith("```mermaid\n")
    assert block.endswith("\n```")
    inner = block.removeprefix("```mermaid\n").removesuffix("\n```")
    assert "```" not in inner
    parse_xychart(inner)
    for bad in ("@", "<", "`"):
        assert bad not in inner


def test_labels_are_bounded() -> None:
    assert len(label("x" * 500)) <= 24
    assert label('a"b') == "a?b"


def test_terminal_lists_every_failure_on_one_line_before_any_detail(
    faults_report: Report,
) -> None:
    long = CheckResult(
        id="pytest/tests/test_a.py::test_b",
        family="pytest",
        status="failed",
        severity="error",
        message="assert 1 == 2\n  where 1 = f()\n  and more",
        location=Location("tests/test_a.py", 12, 1),
    )
    report = replace(faults_report, checks=[long, *faults_report.checks])
    text = render_terminal(report)
    lines = text.splitlines()
    fails = [i for i, ln in enumerate(lines) if ln.startswith(("  FAIL", "  ERROR", "  WARN"))]
    assert len(fails) == 11
    assert fails == list(range(fails[0], fails[0] + 11))  # one block, one line each
    assert all(re.search(r"\S+:\d+: ", lines[i]) for i in fails)
    detail = next(i for i, ln in enumerate(lines) if ln.endswith("where 1 = f()"))
    assert detail > fails[-1]


def test_report_json_keeps_the_report_settings(faults_report: Report) -> None:
    data = json.loads(faults_report.to_json())
    assert data["charts"] is True
    assert data["max_failures_shown"] == 5
    assert Report.from_dict(data) == faults_report


def test_details_say_how_many_more_rows_there_are(faults_report: Report) -> None:
    md = render_markdown(faults_report)
    dup = md.split("<details><summary>data / current / duplicates")[1].split("</details>")[0]
    assert dup.count("\n| `") == 5
    assert "… and 25 more" in dup


def test_summary_text_is_inert() -> None:
    evil = CheckResult(
        id="pytest/t.py::test_@octocat_<img src=x>",
        family="pytest",
        status="failed",
        severity="error",
        message="x\n" * 3,
        location=Location("t.py", 1, 1),
        examples=[{"a": 1}],
    )
    report = Report(conclusion="failure", counts=Counts.of([evil]), checks=[evil])
    html = gfm(render_markdown(report))
    assert "<img" not in html
    assert not re.search(r"@octocat", html.replace("@\u2060octocat", ""))


def test_a_value_too_long_for_its_cell_is_shown_whole_in_the_details() -> None:
    observed = {f"column_{i}": i for i in range(8)}
    c = CheckResult(
        id="data/t/strict",
        family="data",
        status="failed",
        severity="error",
        message="short",
        location=Location("mlgate.yml", 2, 1),
        observed=observed,
    )
    md = render_markdown(Report(conclusion="failure", counts=Counts.of([c]), checks=[c]))
    row = next(ln for ln in md.splitlines() if ln.startswith("| data / t / strict"))
    assert "…" in row
    assert "column\\_7: 7" in md.split("<details>")[1]


def test_report_settings_from_an_untrusted_report_are_validated(faults_report: Report) -> None:
    data = json.loads(faults_report.to_json())
    data["max_failures_shown"] = "all"
    with pytest.raises(ValueError, match="max_failures_shown"):
        Report.from_dict(data)
    data["max_failures_shown"] = 3
    data["charts"] = "no"
    assert Report.from_dict(data).charts is True  # only `false` turns them off
    data["charts"] = False
    assert Report.from_dict(data).charts is False
