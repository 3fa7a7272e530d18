"""The DuckDB engine gives exactly the pandas engine's verdicts, counts and examples.

Every data check key runs on the same random data through the pandas engine (the reference)
and the DuckDB engine, over parquet (read in place) and over an Arrow table (CSV and the other
formats), and the outcomes must be equal: status, message, observed value and example rows.
Means, standard deviations and quantiles are sums in another order: they must agree to 1e-9
(relative), and their verdict must agree unless the value lies within that of a bound.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mlgate.checks import Outcome
from mlgate.data import judge
from mlgate.data.backend import Profile
from mlgate.data.pandas_backend import FrameSource, PandasBackend
from mlgate.data.plan import declare
from mlgate.data.suite import Suite, build_suite
from mlgate.datasets import to_pandas

duckdb = pytest.importorskip("duckdb")

from mlgate.engines import examples_sql  # noqa: E402
from mlgate.engines.columns import UnsupportedError  # noqa: E402
from mlgate.engines.duckdb_engine import arrow_relation, connect, parquet_relation  # noqa: E402
from mlgate.engines.profile_sql import SqlProfiler  # noqa: E402

#: Suites the DuckDB engine hands to pandas (so the verdicts stay the same), and why.
KNOWN_FALLBACKS = ("infinities", "nonexistent", "ambiguous", "comparing")
TEXT = st.sampled_from(["a", "b", "ab", "", "é", "日本", "a b", "B", "ba", "abc"])
ZONES = ("UTC", "Europe/Paris")


def _col(draw: Any, n: int, values: Any, nulls: bool) -> list[Any]:
    out = draw(st.lists(values, min_size=n, max_size=n))
    if nulls:
        mask = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        out = [None if m else v for v, m in zip(out, mask, strict=True)]
    return out


@st.composite
def tables(draw: Any) -> pa.Table:
    n = draw(st.integers(0, 25))
    ints = st.integers(-4, 4) | st.sampled_from([2**52, -(2**52), 10**15])
    floats = st.sampled_from(
        [0.0, -0.0, 0.5, 1.0, -1.5, 2.0, 1e150, -1e150, 1e-300, 3.25, math.nan, 100.0]
    )
    if draw(st.integers(0, 3)) == 0:  # (quantiles of infinities: pandas computes them)
        floats = floats | st.sampled_from([math.inf, -math.inf])
    zone = draw(st.sampled_from(ZONES))
    stamps = st.sampled_from(
        ["2024-01-01 00:00", "2024-03-31 01:30", "2024-06-01 12:00", "2023-12-31 23:59:59"]
    ).map(lambda s: pd.Timestamp(s, tz=zone))
    cols = {
        "i": pa.array(_col(draw, n, ints, draw(st.booleans())), type=pa.int64()),
        "f": pa.array(_col(draw, n, floats, draw(st.booleans())), type=pa.float64()),
        "s": pa.array(_col(draw, n, TEXT, draw(st.booleans())), type=pa.string()),
        "b": pa.array(_col(draw, n, st.booleans(), draw(st.booleans())), type=pa.bool_()),
        "t": pa.array(_col(draw, n, stamps, draw(st.booleans())), type=pa.timestamp("us", tz=zone)),
    }
    cats = _col(draw, n, st.sampled_from(["x", "y", "z"]), draw(st.booleans()))
    cols["c"] = pa.array(cats, type=pa.string()).dictionary_encode()
    return pa.table(cols)


def bounds(draw: Any, values: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if draw(st.booleans()):
        out["min"] = draw(values)
    if draw(st.booleans()):
        out["max"] = draw(values)
    return out


@st.composite
def suites(draw: Any, columns: list[str]) -> dict[str, Any]:
    nums = st.sampled_from([-3, -1, 0, 0.5, 1, 2, 3.25, 100, 1e150])
    cols: dict[str, Any] = {
        "i": {"type": draw(st.sampled_from(["integer", "float", "number", "string"]))},
        "f": {"type": draw(st.sampled_from(["float", "integer"]))},
        "s": {
            "type": "string",
            "pattern": draw(st.sampled_from(["a.*", "[ab]+", "", "[a-z]", "é|日本", r"\w+"])),
        },
        "b": {"type": "boolean", "allowed": draw(st.sampled_from([[True], [1], [False, "x"]]))},
        "t": {"type": "datetime"},
    }
    for name in ("i", "f"):
        cols[name].update(bounds(draw, nums))
        if draw(st.booleans()):
            cols[name]["mean"] = bounds(draw, nums)
        if draw(st.booleans()):
            cols[name]["std"] = bounds(draw, nums)
        if draw(st.booleans()):
            cols[name]["median"] = bounds(draw, nums)
        if draw(st.booleans()):
            cols[name]["quantiles"] = {0.1: bounds(draw, nums), 0.9: bounds(draw, nums)}
        if draw(st.booleans()):
            cols[name]["unique"] = True
    cols["i"]["allowed"] = draw(st.sampled_from([[0, 1, 2], [True, "1", 2.0], [-4]]))
    cols["s"]["allowed"] = draw(st.sampled_from([["a", "b", ""], ["é", 1]]))
    cols["s"]["unique"] = draw(st.booleans())
    cols["b"]["mean"] = bounds(draw, st.sampled_from([0, 0.5, 1]))
    cols["t"].update(
        bounds(draw, st.sampled_from(["2024-01-01", "2024-03-31T02:00:00+02:00", "today"]))
    )
    for name in ("i", "f", "s", "b", "t"):
        cols[name]["nullable"] = False if draw(st.booleans()) else None
        if cols[name]["nullable"] is None:
            del cols[name]["nullable"]
            cols[name]["max_missing"] = draw(st.sampled_from([0.0, 0.2, 0.5]))
    if "c" in columns:
        cols["c"] = {"type": "category", "allowed": ["x", "y"], "pattern": "[xy]"}
    if draw(st.booleans()):
        cols["missing"] = {"type": "integer"}
    rules = draw(
        st.lists(
            st.sampled_from(
                [
                    "i < f",
                    "i + f >= 0",
                    "s == 'a' or s == ''",
                    "i % 3 == 0",
                    "f / i > 1",
                    "f // 2 <= i",
                    "i ** 2 < 10",
                    "t < '2024-03-31 02:00'",
                    "b | (i > 0)",
                    "not b",
                    "i in [0, 1, True]",
                    "s not in ['a', 'b']",
                    "-f != 1.5",
                    "0 < i < 3",
                    "nope > 1",
                ]
            ),
            max_size=4,
        )
    )
    return {
        "dataset": "data",
        "rows": bounds(draw, st.integers(0, 20)) or {"min": 1},
        "strict": draw(st.booleans()),
        "unique": draw(st.sampled_from([[], ["i"], ["i", "s"], [["s"], ["f", "t"]]])),
        **(
            {"duplicates": draw(st.sampled_from([{}, {"columns": ["s", "b"]}]))}
            if draw(st.booleans())
            else {}
        ),
        "columns": cols,
        "rules": [{"expr": r} for r in rules],
        "drift": {
            "reference": "ref",
            "method": draw(
                st.sampled_from(["auto", "psi", "ks", "chi2", "jensen_shannon", "wasserstein"])
            ),
            "min_rows": 3,
        },
    }


def outcomes(suite: Suite, entry: dict[str, Any], p: Profile, ref: Profile) -> dict[str, Outcome]:
    declared, problems = declare(entry, suite.name)
    assert not [m for _, m in problems if "greater than" not in m and "contradicts" not in m]
    out: dict[str, Outcome] = {}
    for d in declared:
        key = "/".join(d.id_parts)
        kind, params = d.kind, d.params
        if kind == "data.rows":
            out[key] = judge.rows(params, p)
        elif kind == "data.strict":
            out[key] = judge.strict(suite, p)
        elif kind == "data.unique":
            out[key] = judge.unique(params, p)
        elif kind == "data.duplicates":
            out[key] = judge.duplicates(params, p)
        elif kind == "data.rule":
            out[key] = judge.rule(params, suite, p)
        elif kind == "data.column.stat":
            out[key] = judge.stat(params, suite, p)
        elif kind == "data.drift":
            try:
                out[key] = judge.drift(params.get("column"), suite, p, ref)
            except Exception as exc:  # the same error on both engines
                out[key] = Outcome.error(f"{type(exc).__name__}: {exc}")
        else:
            out[key] = judge.column(params, suite, p, kind.rsplit(".", 1)[1])
    return out


def _near_bound(o: Outcome, params_bounds: Any) -> bool:
    value = o.observed
    if not isinstance(value, float):
        return False
    for b in params_bounds:
        if b is not None and math.isclose(value, b, rel_tol=1e-9, abs_tol=1e-300):
            return True
    return False


def magnitude(table: pa.Table) -> tuple[int, float]:
    """(rows, the largest finite |value| of a numeric column): how far summation order alone
    can move a mean or a standard deviation."""
    largest = 0.0
    for column in table.columns:
        if pa.types.is_floating(column.type) or pa.types.is_integer(column.type):
            values = np.abs(np.asarray(column.to_numpy(zero_copy_only=False), dtype=float))
            finite = values[np.isfinite(values)]
            if finite.size:
                largest = max(largest, float(finite.max()))
    return table.num_rows, largest


def assert_same(
    ref: dict[str, Outcome],
    got: dict[str, Outcome],
    entry: dict[str, Any],
    scale: tuple[int, float] = (0, 0.0),
) -> None:
    """Identical outcomes; moments may differ by the rounding their summation order allows
    (`scale`: rows and largest magnitude): 1e-15·n·M for a mean, sqrt(1e-15·n)·M for a std."""
    assert ref.keys() == got.keys()
    rows, largest = scale
    for key, want in ref.items():
        have = got[key]
        if "/mean" in key or "/std" in key or "/median" in key or "/quantiles" in key:
            parts = key.split("/")
            col = entry["columns"][parts[1]]
            b = col.get(parts[2]) or {}
            if parts[2] == "quantiles":
                b = col["quantiles"][float(parts[3])]
            w, h = want.observed, have.observed
            if isinstance(w, float) and isinstance(h, float):
                rounding = 1e-15 * rows * largest
                if "/std" in key:
                    rounding = math.sqrt(1e-15 * rows) * largest
                assert (
                    (math.isnan(w) and math.isnan(h))
                    or w == h
                    or math.isclose(w, h, rel_tol=1e-9, abs_tol=max(1e-300, rounding))
                ), (key, w, h)
                bounds = (b.get("min"), b.get("max"))
                between = [
                    x
                    for x in bounds
                    if x is not None and min(w, h) - rounding <= x <= max(w, h) + rounding
                ]
                if not _near_bound(want, bounds) and not between:
                    assert want.status == have.status, (key, want, have)
                continue
        if key.startswith("drift"):
            assert want.status == have.status, (key, want.message, have.message)
            continue
        assert want.status == have.status, (key, want.message, have.message)
        # -0.0 and 0.0 are equal: which one `min`/`max` or a group of repeats shows depends
        # on the scan order
        assert _unsigned(want.message) == _unsigned(have.message), key
        assert _plain(want.observed) == _plain(have.observed), key
        assert _plain(want.examples) == _plain(have.examples), key


def _unsigned(message: str) -> str:
    """A zero shown with its sign (`-0`) as a plain `0`."""
    return re.sub(r"(?<![\w.])-0(?![\w.])", "0", message)


def _plain(value: Any) -> Any:
    """Values compared as the report shows them (numpy scalars as Python ones, NaN == NaN)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, float) and value == 0:
        return 0.0
    if value is None or value is pd.NaT:
        return "missing"
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def both(table: pa.Table, ref_table: pa.Table, entry: dict[str, Any], tmp: Path) -> None:
    suite = build_suite(entry, "t", 20)
    ref_suite = Suite(name="t reference", dataset="ref")
    drift_cols = tuple(entry["columns"])
    pandas = PandasBackend()
    frame, ref_frame = to_pandas(table), to_pandas(ref_table)
    want_p = pandas.profile(FrameSource("data", frame), suite, drift_columns=drift_cols)
    want_r = pandas.profile(FrameSource("ref", ref_frame), ref_suite, drift_columns=drift_cols)
    want = outcomes(suite, entry, want_p, want_r)
    con = connect()
    try:
        pq.write_table(table, tmp / "data.parquet")
        pq.write_table(ref_table, tmp / "ref.parquet")
        # the failed checks' examples fetched together (files), and each check's alone (Arrow)
        for rel, ref_rel, batch_rows in (
            (parquet_relation("data", con, [tmp / "data.parquet"]),
             parquet_relation("ref", con, [tmp / "ref.parquet"]), examples_sql.BATCH_ROWS),
            (arrow_relation("data", con, table), arrow_relation("ref", con, ref_table), 0),
        ):  # fmt: skip
            assert rel is not None
            assert ref_rel is not None
            try:
                with mock.patch.object(examples_sql, "BATCH_ROWS", batch_rows):
                    got_p = SqlProfiler(rel, suite, drift_cols).run()
            except UnsupportedError as exc:  # the pandas engine computes this suite
                why = str(exc)
                if not any(known in why for known in KNOWN_FALLBACKS):
                    raise
                event(f"not on the engine: {why}")
                return
            event("compared")
            got_r = SqlProfiler(ref_rel, ref_suite, drift_cols).run()
            assert_same(want, outcomes(suite, entry, got_p, got_r), entry, magnitude(table))
    finally:
        con.close()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_duckdb_matches_pandas_on_random_data(data: Any, tmp_path: Path) -> None:
    table = data.draw(tables())
    ref_table = data.draw(tables())
    if ref_table.schema != table.schema:  # another zone
        ref_table = ref_table.cast(table.schema)
    entry = data.draw(suites(table.schema.names))
    both(table, ref_table, entry, tmp_path)


def for_postgres(table: pa.Table) -> pa.Table:
    """The table as PostgreSQL holds it: text for categories, zoned times in UTC."""
    cols = {}
    for field in table.schema:
        col = table[field.name]
        if pa.types.is_dictionary(field.type):
            col = col.cast(pa.string())
        elif pa.types.is_timestamp(field.type) and field.type.tz:
            col = col.cast(pa.timestamp("us", tz="UTC"))
        cols[field.name] = col
    return pa.table(cols)


@dataclass
class ServerCase:
    """A random table, its reference and suite, with the pandas engine's outcomes."""

    table: pa.Table
    ref_table: pa.Table
    entry: dict[str, Any]
    suite: Suite
    ref_suite: Suite
    drift_cols: tuple[str, ...]
    want: dict[str, Outcome]


def server_case(data: Any) -> ServerCase:
    """A case for a server engine: text for categories, zoned times in UTC."""
    table = for_postgres(data.draw(tables()))
    ref_table = for_postgres(data.draw(tables()))
    entry = data.draw(suites(table.schema.names))
    entry["columns"]["c"]["type"] = "string"
    suite = build_suite(entry, "t", 20)
    ref_suite = Suite(name="t reference", dataset="ref")
    drift_cols = tuple(entry["columns"])
    pandas = PandasBackend()
    want_p = pandas.profile(FrameSource("data", to_pandas(table)), suite, drift_columns=drift_cols)
    want_r = pandas.profile(
        FrameSource("ref", to_pandas(ref_table)), ref_suite, drift_columns=drift_cols
    )
    want = outcomes(suite, entry, want_p, want_r)
    return ServerCase(table, ref_table, entry, suite, ref_suite, drift_cols, want)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_postgresql_matches_pandas_on_random_data(
    data: Any, postgres_url: str, pg_load: Any
) -> None:
    from mlgate.engines.postgres import PostgresRelation

    case = server_case(data)
    table, ref_table, entry, suite = case.table, case.ref_table, case.entry, case.suite
    ref_suite, drift_cols, want = case.ref_suite, case.drift_cols, case.want
    pg_load("data", table)
    pg_load("ref", ref_table)
    rel = PostgresRelation("data", postgres_url, "data", None)
    ref_rel = PostgresRelation("ref", postgres_url, "ref", None)
    try:
        try:
            got_p = SqlProfiler(rel, suite, drift_cols).run()
        except UnsupportedError as exc:
            if not any(k in str(exc) for k in (*KNOWN_FALLBACKS, "`**`")):
                raise
            event(f"not on the engine: {exc}")
            return
        event("compared")
        got_r = SqlProfiler(ref_rel, ref_suite, drift_cols).run()
        assert_same(want, outcomes(suite, entry, got_p, got_r), entry, magnitude(table))
    finally:
        rel.close()
        ref_rel.close()


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_spark_matches_pandas_on_random_data(
    data: Any, spark_session: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    spark_matches_pandas(data, spark_session, tmp_path_factory.mktemp("spark"))


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_spark_connect_matches_pandas_on_random_data(
    data: Any, spark_connect: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The same through a real Spark Connect server (`sc://127.0.0.1:PORT`), half the rows
    read by a read-only `sql:` query."""
    spark_matches_pandas(data, spark_connect, tmp_path_factory.mktemp("connect"), by_sql=True)


def spark_matches_pandas(data: Any, spark: Any, folder: Path, by_sql: bool = False) -> None:
    """One random table and suite: Spark's outcomes equal the pandas engine's."""
    from mlgate.engines.spark import SparkRelation

    case = server_case(data)
    table, ref_table, entry, suite = case.table, case.ref_table, case.entry, case.suite
    ref_suite, drift_cols, want = case.ref_suite, case.drift_cols, case.want
    pq.write_table(table, folder / "data.parquet")
    pq.write_table(ref_table, folder / "ref.parquet")
    if by_sql and data.draw(st.booleans()):
        query = f"select * from parquet.`{folder / 'data.parquet'}`"
        rel = SparkRelation("data", spark, None, None, None, sql=query)
    else:
        rel = SparkRelation("data", spark, [str(folder / "data.parquet")], "parquet", None)
    ref_rel = SparkRelation("ref", spark, [str(folder / "ref.parquet")], "parquet", None)
    # order statistics (quantiles, exact drift) in ranges of 2 rows, as a cluster runs them
    with mock.patch(
        "mlgate.engines.windows_sql.RANGE_ROWS", data.draw(st.sampled_from([2, 10**9]))
    ):
        try:
            got_p = SqlProfiler(rel, suite, drift_cols).run()
        except UnsupportedError as exc:
            if not any(k in str(exc) for k in KNOWN_FALLBACKS):
                raise
            event(f"not on the engine: {exc}")
            return
        event("compared")
        got_r = SqlProfiler(ref_rel, ref_suite, drift_cols).run()
    assert_same(want, outcomes(suite, entry, got_p, got_r), entry, magnitude(table))
