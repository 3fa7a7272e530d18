"""Writes current.csv and reference.csv: a data set with 10 planted faults (seeded).

The faults, one per check of `mlgate.yml` here: strict, duplicates, an unknown category, a
non-integer column, min, max, a missing column, missing values, a broken rule, drift."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent


def write_faults(folder: Path = HERE) -> None:
    rng = np.random.default_rng(7)
    n = 2000
    ref = pd.DataFrame(
        {
            "id": [f"C{i:06d}" for i in range(n)],
            "age": rng.integers(18, 90, n),
            "income": rng.normal(50_000, 10_000, n).round(2),
            "gender": rng.choice(["F", "M", "X"], n),
            "children": rng.integers(0, 4, n),
            "loan": rng.uniform(1_000, 20_000, n).round(2),
            "region": rng.choice(["north", "south", "east", "west"], n),
        }
    )
    cur = ref.copy()
    cur["income"] = rng.normal(65_000, 10_000, n).round(2)  # drift
    cur.loc[:24, "age"] = 150  # max
    cur.loc[25:34, "age"] = 5  # min
    cur.loc[35:40, "gender"] = "Q"  # unknown category
    cur["children"] = cur["children"].astype(float)
    cur.loc[41:50, "children"] = 1.5  # a non-integer column
    cur.loc[51:90, "loan"] = np.nan  # missing values
    cur.loc[91:99, "loan"] = cur.loc[91:99, "income"] * 20  # broken rule
    cur = cur.drop(columns=["region"])  # a missing column
    cur["extra"] = 1  # strict
    cur = pd.concat([cur, cur.iloc[100:130]], ignore_index=True)  # duplicates
    cur.to_csv(folder / "current.csv", index=False)
    ref.to_csv(folder / "reference.csv", index=False)


if __name__ == "__main__":
    write_faults()
