"""Numeric and date drift computed by the SQL engines equals the pandas engine's.

Both datasets on one engine connection (two parquet files on one DuckDB connection, two tables
of one PostgreSQL database, one Spark session): the engine computes KS and Wasserstein jointly,
bin counts and order statistics per side, and every score, histogram and "moved" bin must equal
the pandas engine's (the Wasserstein score to float rounding: sums in another order).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlgate.data.backend import ColumnProfile
from mlgate.data.drift import DriftResult, sample_drift
from mlgate.data.judge import drift_sample
from mlgate.data.pandas_backend import FrameSource, PandasBackend
from mlgate.data.suite import Suite
from mlgate.datasets import to_pandas

duckdb = pytest.importorskip("duckdb")

from mlgate.engines.drift_sql import SqlJoint, SqlSample  # noqa: E402
from mlgate.engines.duckdb_engine import connect, parquet_relation  # noqa: E402
from mlgate.engines.profile_sql import SqlProfiler  # noqa: E402

METHODS = ("auto", "psi", "ks", "chi2", "jensen_shannon", "wasserstein")
SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def columns(draw: Any, kind: str, zone: str) -> pa.Array:
    """A column of 1-40 values with ties, missing values, infinities or few distinct values."""
    n = draw(st.integers(1, 40))
    if kind == "integer":
        pool = st.integers(-3, 3) | st.integers(-(10**6), 10**6)
        values: list[Any] = draw(st.lists(pool, min_size=n, max_size=n))
        typ: pa.DataType = pa.int64()
    elif kind == "float":
        few = st.sampled_from([0.0, -0.0, 0.5, 1.0, -1.5, 1e150, 1e-300, 3.25, 100.0])
        wide = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
        special = st.sampled_from([math.nan, math.inf, -math.inf])
        pool = few | wide
        if draw(st.booleans()):
            pool = pool | special
        values = draw(st.lists(pool, min_size=n, max_size=n))
        typ = pa.float64()
    else:
        start = pd.Timestamp("2024-03-30", tz=zone)
        offsets = st.sampled_from([0, 3600, 5400, 86400 * 3, 86400 * 40]) | st.integers(
            0, 86400 * 400
        )
        seconds = draw(st.lists(offsets, min_size=n, max_size=n))
        values = [start + pd.Timedelta(seconds=s) for s in seconds]
        typ = pa.timestamp("us", tz=zone)
    if draw(st.booleans()):
        mask = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        values = [None if m else v for v, m in zip(values, mask, strict=True)]
    return pa.array(values, type=typ)


def pandas_column(table: pa.Table) -> ColumnProfile:
    suite = Suite(name="s", dataset="d")
    profile = PandasBackend().profile(
        FrameSource("d", to_pandas(table)), suite, drift_columns=("x",)
    )
    return profile.column["x"]


def engine_column(rel: Any) -> ColumnProfile:
    return SqlProfiler(rel, Suite(name="s", dataset="d"), ("x",)).run().column["x"]


def drift_of(ref: ColumnProfile, cur: ColumnProfile, method: str, bins: int) -> DriftResult:
    dates = "datetime" in (ref.kind, cur.kind)
    return sample_drift(drift_sample(ref), drift_sample(cur), method, None, bins, dates=dates)


def assert_same(want: DriftResult, got: DriftResult) -> None:
    assert got.method == want.method
    assert not got.approximate
    assert got.histogram == want.histogram
    assert got.moved == want.moved
    assert (got.reference_rows, got.current_rows) == (want.reference_rows, want.current_rows)
    w, g = want.score, got.score
    if want.method == "wasserstein":  # sums in another order: rounding only
        same = (math.isnan(w) and math.isnan(g)) or w == g or math.isclose(w, g, rel_tol=1e-9)
        assert same, (w, g)
        if not math.isclose(w, want.threshold, rel_tol=1e-9):
            assert got.drifted == want.drifted
    else:  # the same counts and the same distance: the same float
        assert (math.isnan(w) and math.isnan(g)) or w == g, (want.method, w, g)
        assert got.drifted == want.drifted


def compare(tables: list[tuple[pa.Table, pa.Table]], rels: list[tuple[Any, Any]], method: str,
            bins: int, grouped: bool | None = None) -> int:  # fmt: skip
    """Compare every pair; returns how many were comparable (numeric on both sides).
    `grouped`: the joint query's plan (one row per distinct value, or per value), else the
    engine's pick."""
    if grouped is not None:
        with mock.patch.object(SqlJoint, "_grouped", return_value=grouped):
            return compare(tables, rels, method, bins)
    compared = 0
    for (ref_t, cur_t), (ref_rel, cur_rel) in zip(tables, rels, strict=True):
        want_r, want_c = pandas_column(ref_t), pandas_column(cur_t)
        got_r, got_c = engine_column(ref_rel), engine_column(cur_rel)
        assert (got_r.count, got_c.count) == (want_r.count, want_c.count)
        if not want_r.count or not want_c.count:
            continue
        assert isinstance(got_r.drift, SqlSample)
        assert isinstance(got_c.drift, SqlSample)
        assert got_r.values == []  # nothing pulled
        assert got_c.values == []
        assert_same(drift_of(want_r, want_c, method, bins), drift_of(got_r, got_c, method, bins))
        compared += 1
    return compared


def pair(draw: Any) -> tuple[pa.Table, pa.Table, str, int]:
    zone = draw(st.sampled_from(["UTC", "Europe/Paris"]))
    kinds = draw(
        st.sampled_from([("integer",) * 2, ("float",) * 2, ("datetime",) * 2, ("integer", "float")])
    )
    ref = pa.table({"x": draw(columns(kinds[0], zone))})
    cur_zone = draw(st.sampled_from(["UTC", zone]))
    cur = pa.table({"x": draw(columns(kinds[1], cur_zone))})
    return ref, cur, draw(st.sampled_from(METHODS)), draw(st.sampled_from([1, 2, 3, 10]))


@SETTINGS
@given(data=st.data())
def test_duckdb_drift_equals_pandas(data: Any, tmp_path: Path) -> None:
    ref, cur, method, bins = pair(data.draw)
    pq.write_table(ref, tmp_path / "ref.parquet")
    pq.write_table(cur, tmp_path / "cur.parquet")
    con = connect()
    try:
        rels = (
            parquet_relation("ref", con, [tmp_path / "ref.parquet"]),
            parquet_relation("cur", con, [tmp_path / "cur.parquet"]),
        )
        compare([(ref, cur)], [rels], method, bins, data.draw(st.booleans()))
    finally:
        con.close()


def for_server(table: pa.Table) -> pa.Table:
    """Zoned times in UTC (as PostgreSQL and Spark hold them)."""
    col = table["x"]
    if pa.types.is_timestamp(col.type) and col.type.tz:
        col = col.cast(pa.timestamp("us", tz="UTC"))
    return pa.table({"x": col})


@settings(SETTINGS, max_examples=40)
@given(data=st.data())
def test_postgresql_drift_equals_pandas(data: Any, postgres_url: str, pg_load: Any) -> None:
    from mlgate.engines.postgres import PostgresRelation

    ref, cur, method, bins = pair(data.draw)
    ref, cur = for_server(ref), for_server(cur)
    pg_load("dref", ref)
    pg_load("dcur", cur)
    rels = (
        PostgresRelation("ref", postgres_url, "dref", None),
        PostgresRelation("cur", postgres_url, "dcur", None),
    )
    try:
        compare([(ref, cur)], [rels], method, bins, data.draw(st.booleans()))
    finally:
        for rel in rels:
            rel.close()


@pytest.mark.parametrize("method", ["wasserstein", "ks"])
def test_postgresql_drift_of_the_smallest_doubles_is_computed(
    method: str, postgres_url: str, pg_load: Any
) -> None:
    """PostgreSQL raises "underflow" where a product of doubles rounds to 0 (5e-324 / 9):
    the Wasserstein sum is computed as numpy does instead (found by the property test)."""
    from mlgate.engines.postgres import PostgresRelation

    ref = pa.table({"x": pa.array([0.0, 0.0, 0.0, 0.0, 0.5, 1.0, -1.5, 2.0, math.inf])})
    cur = pa.table({"x": pa.array([0.0, 5e-324, 1e-200, 1e-200 + 1e-215])})
    pg_load("tiny_ref", ref)
    pg_load("tiny_cur", cur)
    rels = (
        PostgresRelation("ref", postgres_url, "tiny_ref", None),
        PostgresRelation("cur", postgres_url, "tiny_cur", None),
    )
    try:
        for grouped in (True, False):
            assert compare([(ref, cur)], [rels], method, 10, grouped) == 1
    finally:
        for rel in rels:
            rel.close()


@settings(SETTINGS, max_examples=8)
@given(data=st.data())
def test_spark_drift_equals_pandas(
    data: Any, spark_session: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from mlgate.engines.spark import SparkRelation

    ref, cur, method, bins = pair(data.draw)
    ref, cur = for_server(ref), for_server(cur)
    folder = tmp_path_factory.mktemp("spark-drift")
    pq.write_table(ref, folder / "ref.parquet")
    pq.write_table(cur, folder / "cur.parquet")
    rels = (
        SparkRelation("ref", spark_session, [str(folder / "ref.parquet")], "parquet", None),
        SparkRelation("cur", spark_session, [str(folder / "cur.parquet")], "parquet", None),
    )
    # windows in ranges of 1 or 3 rows (as a cluster runs them), or over all rows at once
    range_rows = data.draw(st.sampled_from([1, 3, 10**9]))
    with mock.patch("mlgate.engines.windows_sql.RANGE_ROWS", range_rows):
        compare([(ref, cur)], [rels], method, bins, data.draw(st.booleans()))


def many_bins_pair() -> tuple[pa.Table, pa.Table]:
    rng = np.random.default_rng(5)
    ref = np.round(rng.normal(0, 1, 4000), 3)
    cur = np.round(rng.normal(0.05, 1.1, 3000), 3)
    return pa.table({"x": ref}), pa.table({"x": cur})


@pytest.mark.parametrize("method", ["psi", "ks", "wasserstein"])
def test_a_thousand_bins_on_duckdb(method: str, tmp_path: Path) -> None:
    ref, cur = many_bins_pair()
    pq.write_table(ref, tmp_path / "ref.parquet")
    pq.write_table(cur, tmp_path / "cur.parquet")
    con = connect()
    try:
        rels = (
            parquet_relation("ref", con, [tmp_path / "ref.parquet"]),
            parquet_relation("cur", con, [tmp_path / "cur.parquet"]),
        )
        assert compare([(ref, cur)], [rels], method, 1000) == 1
    finally:
        con.close()


def test_a_thousand_bins_on_postgresql(postgres_url: str, pg_load: Any) -> None:
    from mlgate.engines.postgres import PostgresRelation

    ref, cur = many_bins_pair()
    pg_load("bref", ref)
    pg_load("bcur", cur)
    rels = (
        PostgresRelation("ref", postgres_url, "bref", None),
        PostgresRelation("cur", postgres_url, "bcur", None),
    )
    try:
        for method in ("psi", "ks", "wasserstein"):
            assert compare([(ref, cur)], [rels], method, 1000) == 1
    finally:
        for rel in rels:
            rel.close()


def test_a_thousand_bins_on_spark(
    spark_session: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from mlgate.engines.spark import SparkRelation

    ref, cur = many_bins_pair()
    folder = tmp_path_factory.mktemp("spark-bins")
    pq.write_table(ref, folder / "ref.parquet")
    pq.write_table(cur, folder / "cur.parquet")
    rels = (
        SparkRelation("ref", spark_session, [str(folder / "ref.parquet")], "parquet", None),
        SparkRelation("cur", spark_session, [str(folder / "cur.parquet")], "parquet", None),
    )
    for method in ("psi", "wasserstein"):
        assert compare([(ref, cur)], [rels], method, 1000) == 1
    query = SparkRelation.query
    with (
        mock.patch("mlgate.engines.windows_sql.RANGE_ROWS", 500),  # 14 ranges
        mock.patch.object(SparkRelation, "query", autospec=True, side_effect=query) as spy,
    ):
        for method, grouped in (("ks", False), ("wasserstein", True)):
            assert compare([(ref, cur)], [rels], method, 1000, grouped) == 1
    ranged = [c.args[1] for c in spy.call_args_list if "PARTITION BY mlgate_r" in c.args[1]]
    assert len(ranged) >= 3  # the joint query of each plan, and order statistics


def test_spark_quantiles_come_from_ranks_range_by_range(
    spark_session: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Spark's exact `percentile` merges every distinct value on one executor: quantile checks
    read the values at the quantiles' ranks instead (in ranges of rows, here 20 of 100),
    numpy's interpolation of them."""
    from mlgate.data.suite import build_suite
    from mlgate.engines.spark import SparkRelation

    rng = np.random.default_rng(7)
    values = np.concatenate([np.round(rng.lognormal(0, 2, 1900), 2), np.full(100, 3.0)])
    values[::97] = np.nan
    qs = [0.0, 0.001, 0.1, 0.25, 0.5, 0.9, 0.999, 1.0]
    folder = tmp_path_factory.mktemp("spark-quantiles")
    pq.write_table(pa.table({"x": rng.permutation(values)}), folder / "q.parquet")
    rel = SparkRelation("q", spark_session, [str(folder / "q.parquet")], "parquet", None)
    entry = {
        "dataset": "q",
        "columns": {"x": {"median": {"max": 100}, "quantiles": {q: {"max": 1e9} for q in qs}}},
    }
    query = SparkRelation.query
    with (
        mock.patch("mlgate.engines.windows_sql.RANGE_ROWS", 100),
        mock.patch.object(SparkRelation, "query", autospec=True, side_effect=query) as spy,
    ):
        got = SqlProfiler(rel, build_suite(entry, "q", 20), []).run().column["x"]
    present = values[~np.isnan(values)]
    want = {q: float(np.quantile(present, q)) for q in [*qs, 0.5]}
    assert got.quantiles == want
    sql = [c.args[1] for c in spy.call_args_list]
    assert not any("percentile(" in s for s in sql)
    assert any("PARTITION BY mlgate_r" in s for s in sql)
