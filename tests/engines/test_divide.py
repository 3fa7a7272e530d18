"""`/` in a rule means what numpy computes on every engine, division by zero and NaN included
(PostgreSQL and Spark raise or return NULL on a division by zero; their dialect spells IEEE's
answer out)."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from mlgate.engines.duckdb_engine import _DIALECT as DUCKDB

EDGES = [math.inf, -math.inf, math.nan, 0.0, 5.0, -5.0, 2.5, -0.5, 1e300]
#: x / -0.0 is -inf in numpy but +inf on every SQL engine (-0.0 = 0 there): left out.
PAIRS = [(a, b) for a, b in itertools.product([*EDGES, -0.0], EDGES)]


def _numpy() -> list[float]:
    with np.errstate(all="ignore"):
        return [float(np.float64(a) / np.float64(b)) for a, b in PAIRS]


def _mismatches(got: list[Any]) -> list[str]:
    return [
        f"{a!r} / {b!r}: {g!r}, numpy {w!r}"
        for (a, b), g, w in zip(PAIRS, got, _numpy(), strict=True)
        if not (g == w or (g is not None and math.isnan(g) and math.isnan(w)))
    ]


def test_duckdb_divides_as_numpy() -> None:
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, a DOUBLE, b DOUBLE)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)", [(i, a, b) for i, (a, b) in enumerate(PAIRS)])
    sql = DUCKDB.divide("a", "b")
    assert (
        _mismatches([r[0] for r in con.execute(f"SELECT {sql} FROM t ORDER BY i").fetchall()]) == []
    )


def test_postgresql_divides_as_numpy(postgres_url: str) -> None:
    import psycopg

    from mlgate.engines.postgres import PostgresDialect

    sql = PostgresDialect().divide("a", "b")
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute("CREATE TEMPORARY TABLE t (i INTEGER, a DOUBLE PRECISION, b DOUBLE PRECISION)")
        with con.cursor() as cur:
            cur.executemany(
                "INSERT INTO t VALUES (%s, %s, %s)", [(i, a, b) for i, (a, b) in enumerate(PAIRS)]
            )
        got = [r[0] for r in con.execute(f"SELECT {sql} FROM t ORDER BY i")]
    assert _mismatches(got) == []


def test_spark_divides_as_numpy(spark_session: Any) -> None:
    from mlgate.engines.spark import SparkDialect

    frame = spark_session.createDataFrame(
        [(i, a, b) for i, (a, b) in enumerate(PAIRS)], "i INT, a DOUBLE, b DOUBLE"
    )
    frame.createOrReplaceTempView("mlgate_divide")
    sql = SparkDialect().divide("a", "b")
    rows = spark_session.sql(f"SELECT {sql} AS q FROM mlgate_divide ORDER BY i").collect()
    assert _mismatches([r["q"] for r in rows]) == []
