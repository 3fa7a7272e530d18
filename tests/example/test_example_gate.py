"""The shipped example end to end: the demo passes, a deliberate break fails at its line in all
three reports, and plain `pytest` in the example runs the same checks as `mlgate run`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

EXAMPLE = REPO / "examples" / "credit"


def mlgate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    return subprocess.run(
        [sys.executable, "-m", "mlgate", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("demo")
    done = mlgate(
        "run",
        "--config",
        "examples/credit/mlgate.yml",
        "--publish",
        "none",
        "--report-dir",
        str(out),
        cwd=REPO,
    )
    report = json.loads((out / "report.json").read_text())
    return {"code": done.returncode, "stdout": done.stdout, "report": report}


def test_the_demo_passes_with_every_family(demo: dict[str, Any]) -> None:
    assert demo["code"] == 0, demo["stdout"][-3000:]
    report = demo["report"]
    assert report["conclusion"] == "success"
    families = {c["family"] for c in report["checks"]}
    assert families == {"data", "model", "api", "shadow", "pytest"}
    skipped = [c for c in report["checks"] if c["status"] == "skipped"]
    assert all("ref: base" in c["message"] for c in skipped)  # only what needs a pull request
    assert "✅ Credit model gate — all" in demo["stdout"]


def test_plain_pytest_in_the_example_runs_the_same_checks(demo: dict[str, Any]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly"],
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # node ids are relative to the rootdir (this repository, which has a pyproject.toml)
    nodeids = [ln.removeprefix("examples/credit/") for ln in done.stdout.splitlines() if "::" in ln]
    collected = {n.split("::", 1)[1] if n.startswith("mlgate.yml::") else n for n in nodeids}
    ran = {c["id"].removeprefix("pytest/") for c in demo["report"]["checks"]}
    assert collected == ran


def test_a_deliberate_break_fails_at_its_line_in_all_three_reports(tmp_path: Path) -> None:
    project = tmp_path / "credit"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("mlgate-report", "__pycache__"))
    config = project / "mlgate.yml"
    text = config.read_text()
    old = "rows: {min: 1000, max: 50000000}"
    assert old in text
    config.write_text(text.replace(old, "rows: {min: 1000000, max: 50000000}", 1))
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if old in ln)
    done = mlgate("run", "--publish", "none", "-k", "data and train and rows", cwd=project)
    assert done.returncode == 1, done.stdout[-2000:]
    report = json.loads((project / "mlgate-report" / "report.json").read_text())
    failed = [c for c in report["checks"] if c["status"] == "failed"]
    assert [c["id"] for c in failed] == ["data/train/rows"]
    assert failed[0]["location"]["line"] == line
    assert failed[0]["observed"] == 4000
    md = (project / "mlgate-report" / "report.md").read_text()
    assert f"| data / train / rows | `mlgate.yml:{line}` | 4,000 |" in md
    case = ET.parse(project / "mlgate-report" / "junit.xml").find(
        ".//testcase[@name='data/train/rows']"
    )
    assert case is not None
    assert case.get("line") == str(line)
    assert f"mlgate.yml:{line}: data/train/rows" in done.stdout
