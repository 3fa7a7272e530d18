"""The data benchmark runs end to end on a tiny frame (mlgate only: the others are optional)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_the_benchmark_runs_small() -> None:
    cmd = [sys.executable, str(REPO / "benchmarks" / "data.py"), "--rows", "3000",
           "--csv-rows", "4000", "--chunk-rows", "1000", "--tools", "mlgate",
           "--engines", "duckdb,pandas", "--repeat", "1", "--widths", "20,40",
           "--width-rows", "3000", "--big-rows", "5000"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=True)
    out = done.stdout
    assert "3,000 rows x 20 columns; frame " in out
    row = next(line for line in out.splitlines() if line.startswith("| mlgate |"))
    assert row.endswith("| 7 | exactly |")  # the 7 checks of the planted faults, no other
    assert "| mlgate run (duckdb) |" in out
    assert "| mlgate run (pandas) |" in out
    assert "differs" not in out
    assert "disagree" not in out
    assert "FLAG" not in out
    assert "profiler / hand-written: " in out
    assert "| 40 | " in out  # the width table
    assert "Parquet, 5,000 rows x 20 columns" in out
    assert "CSV, 4,000 rows" in out
    assert out.count("not passed: none") == 2  # the big parquet and the CSV are clean
