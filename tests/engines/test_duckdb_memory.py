"""DuckDB's memory limit bounds the run's memory, never its answers: a query that does not fit
runs again with more memory."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("duckdb")

from mlgate.data.pandas_backend import FrameSource, PandasBackend
from mlgate.data.suite import build_suite
from mlgate.engines import duckdb_engine
from mlgate.engines.profile_sql import SqlProfiler


def test_a_query_beyond_the_memory_limit_runs_again_with_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = 300_000
    table = pa.table({"id": [f"key-{i % (n - 7)}" for i in range(n)], "x": list(range(n))})
    pq.write_table(table, tmp_path / "d.parquet")
    suite = build_suite({"dataset": "d", "unique": ["id"], "duplicates": {}}, "s", 5)
    want = PandasBackend().profile(FrameSource("d", table.to_pandas()), suite, drift_columns=())
    monkeypatch.setattr(duckdb_engine, "MEMORY_LIMIT", "1MB")
    con = duckdb_engine.connect(tmp_path / "spill")
    try:
        rel = duckdb_engine.parquet_relation("d", con, [tmp_path / "d.parquet"])
        assert rel is not None
        got = SqlProfiler(rel, suite, ()).run()
        limit = con.sql("SELECT current_setting('memory_limit')").fetchall()[0][0]
    finally:
        con.close()
    assert limit.endswith(" GiB")  # it ran out of 1 MB (976.5 KiB) and was given more
    assert got.keys[("id",)].count == want.keys[("id",)].count == 7
    assert got.keys[("id",)].examples == want.keys[("id",)].examples
    assert got.duplicates is not None
    assert want.duplicates is not None
    assert got.duplicates.count == want.duplicates.count == 0
