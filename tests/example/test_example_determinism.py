"""The same commit and data give the same report: the example gate run twice gives identical
data and model results in report.json (every interval, bootstrap and drift test among them),
timings aside: durations and the checks that time this machine (latency, and the api and
shadow checks -k also selects, whose messages quote response times)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import REPO
from tests.example.test_example_gate import mlgate

SELECT = "(data or model) and not latency"
FAMILIES = ("data", "model")


def report_without_timings(out: Path) -> dict[str, Any]:
    done = mlgate(
        "run",
        "--config",
        "examples/credit/mlgate.yml",
        "--publish",
        "none",
        "--report-dir",
        str(out),
        "-k",
        SELECT,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    report.pop("duration_s", None)
    kept = [c for c in report["checks"] if c["family"] in FAMILIES]
    for check in kept:
        check.pop("duration_s", None)
    return {**report, "checks": kept, "counts": None, "conclusion": None}


def test_two_runs_give_the_same_report(tmp_path: Path) -> None:
    first = report_without_timings(tmp_path / "one")
    second = report_without_timings(tmp_path / "two")
    ids = [c["id"] for c in first["checks"]]
    assert any("/baseline/max_drop/" in i for i in ids)
    assert any("/slices/" in i for i in ids)
    assert any("/drift/" in i for i in ids)
    assert first == second
