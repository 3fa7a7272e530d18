"""Repeated keys and duplicated rows on DuckDB: the search narrowed to rows whose declared key
repeats (or is missing) finds the same counts and examples as the pandas engine."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("duckdb")

from mlgate.data.backend import Profile
from mlgate.data.pandas_backend import FrameSource, PandasBackend
from mlgate.data.suite import build_suite
from mlgate.engines.duckdb_engine import connect, parquet_relation
from mlgate.engines.profile_sql import _LISTED, SqlProfiler


def _profiles(
    tmp_path: Path, table: pa.Table, entry: dict[str, Any], narrowed: int | None = None
) -> tuple[Profile, Profile]:
    """The DuckDB profile (`narrowed`: how many copies of repeated rows it made) and pandas'."""
    pq.write_table(table, tmp_path / "d.parquet", row_group_size=500)
    suite = build_suite({"dataset": "d", **entry}, "s", max_examples=5)
    reference = PandasBackend().profile(
        FrameSource("d", table.to_pandas()), suite, drift_columns=()
    )
    con = connect()
    try:
        rel = parquet_relation("d", con, [tmp_path / "d.parquet"])
        assert rel is not None
        profiler = SqlProfiler(rel, suite, ())
        profile = profiler.run()
        assert narrowed is None or len(profiler.narrowed) == narrowed
        return profile, reference
    finally:
        con.close()


def _same(got: Any, want: Any) -> None:
    assert (got.count, got.denominator) == (want.count, want.denominator)
    assert got.examples == want.examples


ROWS = {
    # rows 1 and 4 repeat row 0 in full (a NULL key too: rows 6 and 7); row 2 repeats the key only
    "id": [1, 1, 1, 2, 1, 3, None, None, 4],
    "x": ["a", "a", "b", "c", "a", "d", "e", "e", "f"],
    "y": [0.5, 0.5, 0.5, math.nan, 0.5, 1.0, math.nan, math.nan, 2.0],
}


@pytest.mark.parametrize("keys", [{"unique": ["id"]}, {"columns": {"id": {"unique": True}}}])
def test_duplicated_rows_and_repeated_keys_match_pandas(tmp_path: Path, keys: Any) -> None:
    table = pa.table({"id": pa.array(ROWS["id"], pa.int64()), "x": ROWS["x"], "y": ROWS["y"]})
    got, want = _profiles(tmp_path, table, {**keys, "duplicates": {"max": 0}})
    assert want.duplicates is not None
    assert want.duplicates.count == 3
    assert got.duplicates is not None
    _same(got.duplicates, want.duplicates)
    if "unique" in keys:
        _same(got.keys[("id",)], want.keys[("id",)])
    else:
        _same(got.column["id"].checks["unique"], want.column["id"].checks["unique"])


def test_many_repeated_text_keys_are_found_without_listing_them(tmp_path: Path) -> None:
    n = _LISTED + 50  # more repeated values than a query lists
    ids = [f"k{i}" for i in range(n)] * 2 + ["z"]
    other = list(range(n)) + list(range(n)) + [0]
    other[n + 3] = -1  # row n+3 repeats the key of row 3, not the whole row
    table = pa.table({"id": ids, "v": pa.array(other, pa.int64())})
    got, want = _profiles(tmp_path, table, {"unique": ["id"], "duplicates": {"max": 0}})
    assert want.duplicates is not None
    assert want.duplicates.count == n - 1
    assert got.duplicates is not None
    _same(got.duplicates, want.duplicates)
    _same(got.keys[("id",)], want.keys[("id",)])


def test_repeated_integer_keys_beyond_2_53_are_listed_exactly(tmp_path: Path) -> None:
    big = 2**62
    ids = [big + 1, big + 1, big + 2, big + 3, big + 3]  # as floats, all five would be equal
    table = pa.table({"id": pa.array(ids, pa.int64()), "x": ["a", "a", "a", "b", "c"]})
    got, want = _profiles(tmp_path, table, {"unique": ["id"], "duplicates": {"max": 0}})
    assert want.duplicates is not None
    assert want.duplicates.count == 1
    assert got.duplicates is not None
    _same(got.duplicates, want.duplicates)
    _same(got.keys[("id",)], want.keys[("id",)])


@pytest.mark.parametrize("kind", ["text", "integer"])
def test_rows_of_repeated_keys_are_copied_out_and_searched_apart(tmp_path: Path, kind: str) -> None:
    """The rows whose key repeats are read once (the parquet reader filtering by the key, over
    several row groups) and searched apart: NaN in another column and missing keys as pandas."""
    n = 3000
    ids: list[Any] = list(range(n))
    ids[10] = ids[20] = ids[2900] = 5  # rows 10 and 20 repeat row 5 in full, 2900 its key only
    ids[2500] = ids[2600] = None  # missing keys: row 2600 repeats row 2500 in full
    y = [float(i % 7) for i in range(n)]
    y[5] = y[10] = y[20] = math.nan
    y[2500] = y[2600] = 1.5
    column = (
        pa.array([None if i is None else f"k{i}" for i in ids])
        if kind == "text"
        else pa.array(ids, pa.int64())
    )
    table = pa.table({"id": column, "y": y, "x": ["a"] * n})
    entry = {"unique": ["id"], "duplicates": {"max": 0}}
    got, want = _profiles(tmp_path, table, entry, narrowed=1)
    assert want.duplicates is not None
    assert want.duplicates.count == 3
    assert got.duplicates is not None
    _same(got.duplicates, want.duplicates)
    _same(got.keys[("id",)], want.keys[("id",)])
    assert got.keys[("id",)].values == want.keys[("id",)].values
