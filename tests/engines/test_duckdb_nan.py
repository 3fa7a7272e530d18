"""A NaN in a parquet column is missing on the DuckDB engine too (its statistics omit NaN)."""

from __future__ import annotations

import math
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("duckdb")

from mlgate.data.suite import Suite
from mlgate.engines.duckdb_engine import connect, parquet_relation
from mlgate.engines.profile_sql import SqlProfiler


def test_a_nan_among_repeated_values_is_missing(tmp_path: Path) -> None:
    values = [0.0] * 15 + [math.nan] + [0.0] * 3 + [-1e300, 0.0, 0.0]
    pq.write_table(pa.table({"f": values}), tmp_path / "d.parquet")
    con = connect()
    try:
        rel = parquet_relation("d", con, [tmp_path / "d.parquet"])
        assert rel is not None
        cp = SqlProfiler(rel, Suite(name="s", dataset="d"), ["f"]).run().column["f"]
        values, counts = cp.drift.value_counts()  # the drift sample, counted by DuckDB
        distinct = cp.drift.distinct(10)
    finally:
        con.close()
    assert (cp.count, cp.nulls) == (21, 1)
    assert int(counts.sum()) == 21
    assert not any(math.isnan(v) for v in values)
    assert distinct == 2
