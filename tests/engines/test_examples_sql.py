"""Examples of failed checks on DuckDB, whichever way they are fetched (together with the other
failed checks, or alone when a check has many offending rows): the same first rows and value
counts as the pandas engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("duckdb")

from mlgate.data.pandas_backend import FrameSource, PandasBackend
from mlgate.data.suite import build_suite
from mlgate.engines.duckdb_engine import connect, parquet_relation
from mlgate.engines.examples_sql import BATCH_ROWS
from mlgate.engines.profile_sql import SqlProfiler

N = BATCH_ROWS + 10_000


def _table() -> pa.Table:
    rng = np.random.default_rng(7)
    age = rng.integers(18, 90, N)
    age[rng.choice(N, 1500, replace=False)] = 150
    score = rng.integers(0, 10, N).astype(float)
    score[[5, 9, 12]] = np.nan  # an integer column with missing values: float64 in pandas
    score[[100, 200]] = 11.0
    code = np.array(["AB-1234"] * N, dtype=object)
    code[[3, 29_000, 7]] = ["bad", "worse", "bad"]
    debt = rng.normal(size=N)
    debt[[40, 41]] = np.nan
    return pa.table(
        {
            "age": pa.array(age, pa.int64()),
            "score": pa.array([None if s != s else int(s) for s in score], pa.int64()),
            "code": pa.array(code, pa.string()),
            "debt": pa.array(debt),
            "x": pa.array(rng.integers(0, 100, N), pa.int64()),
        }
    )


ENTRY: dict[str, Any] = {
    "columns": {
        "age": {"max": 120},
        "score": {"max": 10},
        "code": {"pattern": "[A-Z]{2}-[0-9]{4}"},
        "debt": {"nullable": False},
    },
    "rules": [{"expr": "x < 20"}],  # fails on ~80% of the rows: more than a batch holds, alone
}


def test_examples_are_those_of_pandas_whichever_way_they_are_fetched(tmp_path: Path) -> None:
    table = _table()
    pq.write_table(table, tmp_path / "d.parquet", row_group_size=7_000)
    suite = build_suite({"dataset": "d", **ENTRY}, "s", max_examples=5)
    want = PandasBackend().profile(FrameSource("d", table.to_pandas()), suite, drift_columns=())
    con = connect()
    try:
        rel = parquet_relation("d", con, [tmp_path / "d.parquet"])
        assert rel is not None
        got = SqlProfiler(rel, suite, ()).run()
    finally:
        con.close()
    counts = {"age": 1500, "score": 2, "code": 3}  # together, with the null rows of `debt`
    for name, count in counts.items():
        key = "max" if name != "code" else "pattern"
        g, w = got.column[name].checks[key], want.column[name].checks[key]
        assert (g.count, w.count) == (count, count)
        assert g.examples == w.examples
        assert g.values == w.values
        assert list(g.values.items()) == list(w.values.items())
    assert got.column["score"].checks["max"].examples == [  # floats: the column has nulls
        {"row": 100, "value": 11.0},
        {"row": 200, "value": 11.0},
    ]
    assert got.column["debt"].null_rows == want.column["debt"].null_rows == [40, 41]
    rule_got, rule_want = got.rules[0], want.rules[0]
    assert rule_got.count == rule_want.count > BATCH_ROWS  # fetched alone
    assert rule_got.examples == rule_want.examples
