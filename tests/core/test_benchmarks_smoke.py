"""The model and api benchmarks run end to end on tiny inputs and print their ratio."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize(
    ("script", "args", "ratio_line"),
    [
        ("model.py", ["--rows", "2000"], "ratio:"),
        ("api.py", ["--rounds", "1", "--requests", "100"], "mlgate / bare:"),
    ],
)
def test_benchmark_runs_small(script: str, args: list[str], ratio_line: str) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert ratio_line in done.stdout
