"""Integers beyond 2**53 mean the same on every engine: pandas (the reference), DuckDB,
PostgreSQL and Spark give the same verdicts, counts and example rows for `min`/`max` bounds,
`allowed` lists and rules on values around ±2**53 and the ends of int64.

Before `mlgate.engines.exact_sql`, the SQL engines compared a BIGINT with a double bound, and
computed rules on integer columns, in doubles (`max: 9007199254740992.0` passed a column holding
9007199254740993; `a == b` held for 9007199254740993 and 9007199254740992), and read an integer
column with missing values exactly where pandas rounds it to float64.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mlgate.checks import Outcome
from mlgate.data.backend import Profile
from mlgate.data.pandas_backend import FrameSource, PandasBackend
from mlgate.data.suite import Suite, build_suite
from mlgate.datasets import to_pandas

pytest.importorskip("duckdb")

from mlgate.engines.columns import UnsupportedError
from mlgate.engines.duckdb_engine import arrow_relation, connect, parquet_relation
from mlgate.engines.profile_sql import SqlProfiler
from mlgate.engines.sql import Relation
from tests.engines.test_differential import assert_same, outcomes

P53 = 2**53
I64 = (-(2**63), 2**63 - 1)
#: the only suites an engine may hand back to pandas here, and why
BEYOND = "beyond 2**53"

TABLE = pa.table(
    {
        "a": pa.array([P53 + 1, P53, -P53 - 1, I64[1], I64[0], 0, 5, P53 + 3], pa.int64()),
        "b": pa.array([P53, P53 + 1, -P53, I64[1] - 1, I64[0] + 1, 1, 5, P53 + 2], pa.int64()),
        "n": pa.array([P53 + 1, None, -P53 - 1, I64[1], 7, None, 5, P53 + 3], pa.int64()),
        "f": pa.array(
            [2.0**53, 2.0**53, -(2.0**53), 2.0**63, -(2.0**63), 0.5, 5.0, 2.0**53 + 2],
            pa.float64(),
        ),
        "g": pa.array([0.1, 0.5, 2.0**24 + 1, -1.0, 3.0, 0.25, 1.5, 7.0], pa.float32()),
    }
)
RULES = [
    "a == b",
    "a != b",
    "a < b",
    "a - b == 1",
    "a + b > 0",
    "a * 2 > b",
    "-a < b",
    "a - 1 < b",
    "a < f",
    "a == f",
    "a >= f",
    "n == b",
    "n > a",
    "a > 9007199254740992.0",
    "a == 9007199254740993",
    "f < 9007199254740993",
    "f >= 9007199254740993",
    "a < 9223372036854775808",
    "a >= -9223372036854775809",
    "a * a >= 0",
    "a in [9007199254740993, 5]",
    "b not in [9007199254740992.0, 1.5]",
    "a + f > 0",
    "a ** 2 > 0",
    "(a > b) == True",
    "a - b + 0.5 > 1",
]


def bounded(values: list[Any]) -> dict[str, Any]:
    return {"min": values[0], "max": values[1]}


def entry(rules: list[str], columns: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "dataset": "data",
        "rows": {"min": 1},
        "columns": columns
        if columns is not None
        else {
            "a": {"type": "integer", **bounded([-(2**63), P53]), "allowed": [P53 + 1, 0, 5]},
            "b": {"type": "integer", **bounded([-(2**63) + 2, 9007199254740992.0])},
            "n": {"type": "float", **bounded([-P53, P53]), "allowed": [P53, 5, 7.0]},
            "f": {"type": "float", **bounded([-(2**63), P53 + 1])},
            "g": {"type": "float", "max": 0.1, "min": -1},
        },
        "rules": [{"expr": r} for r in rules],
    }


def reference(table: pa.Table, entry: dict[str, Any]) -> tuple[Suite, dict[str, Outcome]]:
    suite = build_suite(entry, "t", 20)
    p = PandasBackend().profile(FrameSource("data", to_pandas(table)), suite, drift_columns=())
    return suite, outcomes(suite, entry, p, p)


def on_engine(rel: Relation, suite: Suite, entry: dict[str, Any]) -> dict[str, Outcome]:
    p: Profile = SqlProfiler(rel, suite, ()).run()
    return outcomes(suite, entry, p, p)


def for_postgres(table: pa.Table) -> pa.Table:
    """PostgreSQL has no float32 (REAL is loaded as DOUBLE PRECISION here): without `g`."""
    return table.drop_columns([c for c in table.schema.names if c == "g"])


def without_g(spec: dict[str, Any]) -> dict[str, Any]:
    """The suite without `g`, and without `**` (PostgreSQL raises where numpy gives inf)."""
    spec = dict(spec, columns={k: v for k, v in spec["columns"].items() if k != "g"})
    spec["rules"] = [
        r for r in spec["rules"] if "g" not in r["expr"].split() and "**" not in r["expr"]
    ]
    return spec


# -- failing before: one per wrong verdict ---------------------------------------------------


def duck_outcomes(table: pa.Table, spec: dict[str, Any], tmp: Path) -> list[dict[str, Outcome]]:
    suite = build_suite(spec, "t", 20)
    con = connect()
    try:
        pq.write_table(table, tmp / "data.parquet")
        rels = [parquet_relation("data", con, [tmp / "data.parquet"]),
                arrow_relation("data", con, table)]  # fmt: skip
        return [on_engine(r, suite, spec) for r in rels if r is not None]
    finally:
        con.close()


def test_a_bigint_against_a_fractional_bound_is_exact(tmp_path: Path) -> None:
    table = pa.table({"a": pa.array([P53 + 1], pa.int64())})
    spec = entry([], {"a": {"type": "integer", "max": 9007199254740992.0}})
    for got in duck_outcomes(table, spec, tmp_path):
        assert got["columns/a/max"].status == "failed", got["columns/a/max"].message


def test_a_rule_on_two_bigints_differing_by_one_is_exact(tmp_path: Path) -> None:
    table = pa.table({"a": pa.array([P53 + 1], pa.int64()), "b": pa.array([P53], pa.int64())})
    spec = entry(["a == b", "a - b == 1", "a > b"], {})
    for got in duck_outcomes(table, spec, tmp_path):
        assert [got[f"rules/{i}"].status for i in range(3)] == ["failed", "passed", "passed"]


def test_an_integer_column_with_missing_values_is_float64_as_in_pandas(tmp_path: Path) -> None:
    table = pa.table({"n": pa.array([P53 + 1, None], pa.int64())})
    spec = entry([], {"n": {"type": "float", "max": P53}})
    _, want = reference(table, spec)
    assert want["columns/n/max"].status == "passed"  # pandas rounds 2**53 + 1 to 2**53
    for got in duck_outcomes(table, spec, tmp_path):
        assert got["columns/n/max"].status == "passed", got["columns/n/max"].message


def test_a_float_column_against_an_integer_bound_is_exact(tmp_path: Path) -> None:
    table = pa.table({"f": pa.array([2.0**53], pa.float64())})
    spec = entry([], {"f": {"type": "float", "min": P53 + 1}})
    for got in duck_outcomes(table, spec, tmp_path):
        assert got["columns/f/min"].status == "failed", got["columns/f/min"].message


def test_a_float32_column_is_compared_as_pandas_does_in_float64(tmp_path: Path) -> None:
    table = pa.table({"g": pa.array([0.1], pa.float32())})
    spec = entry([], {"g": {"type": "float", "max": 0.1}})
    _, want = reference(table, spec)
    for got in duck_outcomes(table, spec, tmp_path):
        assert got["columns/g/max"].status == want["columns/g/max"].status == "failed"


def test_allowed_integers_beyond_doubles_match_as_pandas_isin_reads_them(
    tmp_path: Path,
) -> None:
    """`isin` matches exactly, but one float in the list makes the list float64 first."""
    values = pa.array([P53, -P53], pa.int64())
    table = pa.table({"a": values, "b": values})
    spec = entry([], {"a": {"type": "integer", "allowed": [P53 + 1, -P53 - 1]},
                      "b": {"type": "integer", "allowed": [P53 + 1, -P53 - 1, 0.5]}})  # fmt: skip
    _, want = reference(table, spec)
    assert want["columns/a/allowed"].status == "failed"
    assert want["columns/b/allowed"].status == "passed"
    for got in duck_outcomes(table, spec, tmp_path):
        assert got["columns/a/allowed"].status == "failed"
        assert got["columns/b/allowed"].status == "passed"


def test_allowed_with_an_integer_numpy_cannot_hold_compares_exactly(tmp_path: Path) -> None:
    """With 2**64 in the list, numpy keeps it objects and nothing is rounded: -2**63 is not
    -(2**63 - 1) (found by the property test below)."""
    table = pa.table({"f": pa.array([0.0, 0.0, -(2.0**63)], pa.float64())})
    spec = entry([], {"f": {"allowed": [-(2**63) + 1, 0.0, 2**64]}})
    _, want = reference(table, spec)
    assert want["columns/f/allowed"].status == "failed"
    for got in duck_outcomes(table, spec, tmp_path):
        assert got["columns/f/allowed"].status == "failed", got["columns/f/allowed"].message
        assert got["columns/f/allowed"].message == want["columns/f/allowed"].message


def test_sums_beyond_int64_neither_overflow_nor_wrap(tmp_path: Path) -> None:
    table = pa.table({"a": pa.array([I64[1]], pa.int64()), "b": pa.array([I64[1]], pa.int64())})
    spec = entry(["a + b > a", "a * b > 0", "-b - b < a"], {})
    for got in duck_outcomes(table, spec, tmp_path):
        assert [got[f"rules/{i}"].status for i in range(3)] == ["passed"] * 3


def test_division_of_integers_beyond_doubles_goes_to_pandas(tmp_path: Path) -> None:
    """`//` is a double operation in pandas while the integers are within 2**53 and an exact
    one beyond: the engine computes the first and hands the second back."""
    small = pa.table({"a": pa.array([7, -7], pa.int64())})
    big = pa.table({"a": pa.array([P53 + 1, 3], pa.int64())})
    spec = entry(["a // 2 >= -4", "a % 3 <= 2", "a / 2 < 4"], {})
    assert [o.status for o in duck_outcomes(small, spec, tmp_path)[0].values()] == ["passed"] * 4
    with pytest.raises(UnsupportedError, match=r"`//` on integers beyond 2\*\*53"):
        duck_outcomes(big, spec, tmp_path)


# -- the whole corpus on every engine ---------------------------------------------------------


def test_duckdb_matches_pandas_around_the_edges(tmp_path: Path) -> None:
    spec = entry(RULES)
    _, want = reference(TABLE, spec)
    for got in duck_outcomes(TABLE, spec, tmp_path):
        assert_same(want, got, spec)


def test_postgresql_matches_pandas_around_the_edges(postgres_url: str, pg_load: Any) -> None:
    from mlgate.engines.postgres import PostgresRelation

    table, spec = for_postgres(TABLE), without_g(entry(RULES))
    suite, want = reference(table, spec)
    pg_load("data", table)
    rel = PostgresRelation("data", postgres_url, "data", None)
    try:
        assert_same(want, on_engine(rel, suite, spec), spec)
    finally:
        rel.close()


def test_spark_matches_pandas_around_the_edges(
    spark_session: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from mlgate.engines.spark import SparkRelation

    spec = entry(RULES)
    suite, want = reference(TABLE, spec)
    folder = tmp_path_factory.mktemp("spark-exact")
    pq.write_table(TABLE, folder / "data.parquet")
    rel = SparkRelation("data", spark_session, [str(folder / "data.parquet")], "parquet", None)
    assert_same(want, on_engine(rel, suite, spec), spec)


# -- property: random integers around the edges -----------------------------------------------

EDGES = [0, P53, -P53, I64[0], I64[1], 2**62, -(2**62)]
INTS = st.builds(lambda e, k: max(I64[0], min(I64[1], e + k)), st.sampled_from(EDGES),
                 st.integers(-3, 3))  # fmt: skip
NUMBERS = INTS | INTS.map(float) | st.sampled_from([0.5, -2.5, 2.0**63, 1e19, -1e19, 2**64])
PROPERTY_RULES = [
    "a == b", "a < b", "a <= b + 1", "a - b == 1", "a + b >= a", "a * b > 0", "-a > b",
    "a < f", "a == f", "f <= b", "n < a", "n == f", "a == 9007199254740993",
    "a > 9007199254740992.0", "f < 9007199254740993", "a in [9007199254740993, 0]",
    "a - f > 0.5", "a * 3 - b * 2 >= n", "(a - b) * 3 < n + a", "a + n == b",
]  # fmt: skip
#: in doubles in pandas while their integers are within 2**53: handed back beyond
DIVISIONS = ["a // 3 > b", "a % 2 == 0", "a / b > 1"]


@st.composite
def edge_tables(draw: Any) -> pa.Table:
    rows = draw(st.integers(1, 10))
    ints = st.lists(INTS, min_size=rows, max_size=rows)
    nulls = st.lists(st.none() | INTS, min_size=rows, max_size=rows)
    floats = st.lists(INTS.map(float), min_size=rows, max_size=rows)
    return pa.table({
        "a": pa.array(draw(ints), pa.int64()),
        "b": pa.array(draw(ints), pa.int64()),
        "n": pa.array(draw(nulls), pa.int64()),
        "f": pa.array(draw(floats), pa.float64()),
    })  # fmt: skip


@st.composite
def edge_suites(draw: Any) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    for name in ("a", "b", "n", "f"):
        col: dict[str, Any] = {}
        for key in ("min", "max"):
            if draw(st.booleans()):
                col[key] = draw(NUMBERS)
        if draw(st.booleans()):
            col["allowed"] = draw(st.lists(NUMBERS, min_size=1, max_size=3))
        columns[name] = col
    rules = draw(st.lists(st.sampled_from(PROPERTY_RULES), max_size=4, unique=True))
    if draw(st.integers(0, 3)) == 0:
        rules.append(draw(st.sampled_from(DIVISIONS)))
    return entry(rules, columns)


def compare_engine(table: pa.Table, spec: dict[str, Any], run: Any) -> None:
    suite, want = reference(table, spec)
    try:
        got = run(suite)
    except UnsupportedError as exc:
        why = str(exc)
        got = None
    if got is None:
        assert BEYOND in why, why
        event(f"handed to pandas: {why.split(': ')[-1]}")
        return
    event("compared")
    assert_same(want, got, spec)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(table=edge_tables(), spec=edge_suites())
def test_duckdb_matches_pandas_on_random_integers(
    table: pa.Table, spec: dict[str, Any], tmp_path: Path
) -> None:
    con = connect()
    try:
        pq.write_table(table, tmp_path / "data.parquet")
        rel = parquet_relation("data", con, [tmp_path / "data.parquet"])
        assert rel is not None
        compare_engine(table, spec, lambda suite: on_engine(rel, suite, spec))
    finally:
        con.close()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(table=edge_tables(), spec=edge_suites())
def test_postgresql_matches_pandas_on_random_integers(
    table: pa.Table, spec: dict[str, Any], postgres_url: str, pg_load: Any
) -> None:
    from mlgate.engines.postgres import PostgresRelation

    pg_load("data", table)
    rel = PostgresRelation("data", postgres_url, "data", None)
    spec = without_g(spec)
    try:
        compare_engine(table, spec, lambda suite: on_engine(rel, suite, spec))
    finally:
        rel.close()


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(table=edge_tables(), spec=edge_suites())
def test_spark_matches_pandas_on_random_integers(
    table: pa.Table,
    spec: dict[str, Any],
    spark_session: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from mlgate.engines.spark import SparkRelation

    folder = tmp_path_factory.mktemp("spark-int")
    pq.write_table(table, folder / "data.parquet")
    rel = SparkRelation("data", spark_session, [str(folder / "data.parquet")], "parquet", None)
    compare_engine(table, spec, lambda suite: on_engine(rel, suite, spec))
