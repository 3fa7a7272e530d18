"""Shared helpers: a realistic credit-like frame and a way to run the gate in a folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlgate.cli import main


def credit_frame(n: int = 3000, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    income = np.round(np.exp(rng.normal(np.log(52_000), 0.45, size=n)), 2)
    income[rng.random(n) < 0.01] = np.nan
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:06d}" for i in rng.choice(1_000_000, size=n, replace=False)],
            "age": rng.integers(18, 91, size=n),
            "income": income,
            "gender": rng.choice(["F", "M", "X"], size=n, p=[0.46, 0.46, 0.08]),
            "region": rng.choice(["north", "south", "east", "west"], size=n),
            "signup": pd.Timestamp("2016-01-01")
            + pd.to_timedelta(rng.integers(0, 3000, size=n), unit="D"),
            "debt": np.round(rng.gamma(2.0, 5000.0, size=n), 2),
            "loan_amount": np.round(np.nan_to_num(income, nan=50_000) * rng.uniform(0.1, 3, n), 2),
            "approved": rng.integers(0, 2, size=n),
        }
    )


def run_gate(folder: Path, *extra: str) -> tuple[int, dict[str, dict[str, Any]]]:
    """`mlgate run` in `folder`; the exit code and the checks of report.json by id."""
    import os

    here = os.getcwd()
    os.chdir(folder)
    try:
        code = main(["run", "--publish", "none", "--report-dir", "out", *extra])
    finally:
        os.chdir(here)
    report = json.loads((folder / "out" / "report.json").read_text())
    return code, {c["id"]: c for c in report["checks"]}


def line_of(text: str, needle: str) -> int:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in the config")
