"""The data benchmark runs end to end on a tiny frame (mlgate only: the others are optional)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_the_benchmark_runs_small() -> None:
    cmd = [sys.executable, str(REPO / "benchmarks" / "data.py"), "--rows", "3000",
           "--csv-rows", "4000", "--chunk-rows", "1000", "--tools", "mlgate",
           "--engines", "duckdb,pandas"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("3,000 rows x 20 columns; frame ")
    row = next(line for line in lines if line.startswith("| mlgate |"))
    assert row.endswith("| 0 |")  # no check fails on the clean frame
    assert "CSV, 4,000 rows" in done.stdout
    assert "not passed: none" in done.stdout
    assert "| mlgate (duckdb) |" in done.stdout
    assert "| mlgate (pandas) |" in done.stdout
    assert "disagree" not in done.stdout
