"""PostgreSQL raises "value out of range" (SQLSTATE 22003) where IEEE arithmetic gives ±inf or
±0: a dataset's checks then compute as numpy does (the guarded dialect) instead of all failing
with that error."""

from __future__ import annotations

import itertools
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from mlgate.engines.postgres import GuardedPostgresDialect
from tests.data.helpers import run_gate

MAX = sys.float_info.max
EDGES = [
    1e308, -1e308, 5e-324, -5e-324, 0.0, -0.0, math.inf, -math.inf, math.nan, MAX, -MAX,
    MAX / 2, 2.0**1023, 2.0**970, 2.0**971, 1.5 * 2.0**969, math.sqrt(MAX), 2.0**512, 2.0**-537,
    2.0**-538, 1.5 * 2.0**-538, 1e-300, 1e300, 3.0, -0.5, 10.0,
]  # fmt: skip
OPS = {
    "+": lambda d, a, b: d.arith("+", a, b),
    "-": lambda d, a, b: d.arith("-", a, b),
    "*": lambda d, a, b: d.arith("*", a, b),
    "/": lambda d, a, b: d.divide(a, b),
}
NUMPY = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}


def _same(got: float | None, want: float) -> bool:
    """Equal as doubles: NaN to NaN, and zeros and infinities with their sign."""
    if got is None:
        return False
    if math.isnan(want):
        return math.isnan(got)
    return got == want and math.copysign(1.0, got) == math.copysign(1.0, want)


def _constant(value: float) -> str:
    """A double constant, -0.0 included (`CAST(-0.0 AS …)` casts a NUMERIC, which has no -0)."""
    return f"CAST('{value!r}' AS DOUBLE PRECISION)"


def _pairs(op: str) -> list[tuple[float, float]]:
    pairs = list(itertools.product(EDGES, EDGES))
    if op == "/":  # x / -0.0 is -inf in numpy, +inf in every SQL engine (-0.0 = 0): left alone
        pairs = [(a, b) for a, b in pairs if not (b == 0 and math.copysign(1.0, b) < 0)]
    return pairs


@pytest.mark.parametrize("op", list(OPS))
def test_guarded_arithmetic_matches_numpy(postgres_url: str, op: str) -> None:
    """On columns, and on constants (which PostgreSQL computes while planning, in every
    branch of a CASE whose condition is constant too)."""
    import psycopg

    d = GuardedPostgresDialect()
    pairs = _pairs(op)
    with np.errstate(all="ignore"):
        want = [float(NUMPY[op](np.float64(a), np.float64(b))) for a, b in pairs]
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute("CREATE TEMPORARY TABLE t (i INTEGER, a DOUBLE PRECISION, b DOUBLE PRECISION)")
        with con.cursor() as cur:
            cur.executemany(
                "INSERT INTO t VALUES (%s, %s, %s)", [(i, a, b) for i, (a, b) in enumerate(pairs)]
            )
        on_columns = [r[0] for r in con.execute(f"SELECT {OPS[op](d, 'a', 'b')} FROM t ORDER BY i")]
        constants = ", ".join(OPS[op](d, _constant(a), _constant(b)) for a, b in pairs)
        on_constants = list(con.execute(f"SELECT {constants}").fetchone() or [])
    for got in (on_columns, on_constants):
        wrong = [
            f"{a!r} {op} {b!r}: {g!r}, numpy {w!r}"
            for (a, b), g, w in zip(pairs, got, want, strict=True)
            if not _same(g, w)
        ]
        assert wrong == [], "\n".join(wrong)


def test_extreme_values_lose_no_check(
    tmp_path: Path, postgres_url: str, pg_load: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A column holding 1e200 and 1e308: the mean's sum and the variance's squares overflow,
    and so does `x * 10`. PostgreSQL gives every check the verdict DuckDB and pandas give."""
    import pyarrow.parquet as pq

    table = pa.table({"x": [1e200, -1e200, 1e308, 2.0], "y": [1.0, 2.0, 3.0, 4.0]})
    pg_load("big", table)
    pq.write_table(table, tmp_path / "big.parquet")
    monkeypatch.setenv("MLGATE_TEST_PG", postgres_url)
    suite = """  - dataset: {name}
    rows: {{min: 3}}
    rules: [{{expr: "x * 10 > y"}}, {{expr: "y > 0"}}, {{expr: "x + x > y"}}]
    columns:
      x: {{type: float, mean: {{max: 1.0e+307}}, std: {{min: 0}}}}
      y: {{type: float, max: 5}}
"""
    checks, status = _on_every_engine(tmp_path, suite)
    assert status["db"] == status["file"] == status["pd"]
    assert status["db"] == {
        "rows": "passed",
        "rules/0": "failed",  # -1e201 > 2 is false; 1e309 is inf > 3
        "rules/1": "passed",
        "rules/2": "failed",  # -2e200 > 2 and 4 > 4 are false; 2e308 is inf > 3
        "columns/x/type": "passed",
        "columns/x/mean": "failed",  # 2.5e307
        "columns/x/std": "passed",  # inf (its squares overflow, as numpy's)
        "columns/y/type": "passed",
        "columns/y/max": "passed",
    }
    for n in NAMES:
        assert "mean of `x` is 2.5e+307" in checks[f"data/{n}/columns/x/mean"]["message"]
        assert "std of `x` is inf" in checks[f"data/{n}/columns/x/std"]["message"]
    assert not [c for c, v in checks.items() if "overflow" in v["message"]]


def test_pandas_std_of_overflowing_squares_is_inf_as_duckdb(tmp_path: Path) -> None:
    """Squares beyond the largest double make the variance inf (numpy's and DuckDB's), not NaN
    (the first chunk's merge multiplied that inf by 0), so `std: {min: 0}` passes."""
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"x": [1e200, -1e200, 1e308, 2.0]}), tmp_path / "big.parquet")
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\ndatasets:\n  file: {path: big.parquet}\n"
        "  pd: {path: big.parquet, engine: pandas}\ndata:\n"
        "  - dataset: file\n    columns: {x: {std: {min: 0}}}\n"
        "  - dataset: pd\n    columns: {x: {std: {min: 0}}}\n"
    )
    _, checks = run_gate(tmp_path)
    for n in ("file", "pd"):
        check = checks[f"data/{n}/columns/x/std"]
        assert check["status"] == "passed", check["message"]
        assert "std of `x` is inf" in check["message"]


@pytest.mark.parametrize(
    "values",
    [
        [1e308, 1e308, 1.0],  # the sum overflows: the mean is inf, as numpy's
        [1e160, 0.0, 1.0],  # only the variance's squares overflow (PostgreSQL's avg computes them)
        [1e308, -math.inf, 1e-300],  # an infinity among them
        [1e-300, 3e-300, 2.0],  # a product underflows in the rule: 0 in IEEE
    ],
)
def test_engines_agree_where_postgresql_raises(
    tmp_path: Path, postgres_url: str, pg_load: Any, monkeypatch: pytest.MonkeyPatch,
    values: list[float],
) -> None:  # fmt: skip
    import pyarrow.parquet as pq

    table = pa.table({"x": values, "y": [1.0, 2.0, 3.0]})
    pg_load("big", table)
    pq.write_table(table, tmp_path / "big.parquet")
    monkeypatch.setenv("MLGATE_TEST_PG", postgres_url)
    suite = """  - dataset: {name}
    rows: {{min: 3}}
    rules: [{{expr: "x * 1e-300 > 0"}}, {{expr: "x - y * 1e308 < x / 1e-300"}}]
    columns:
      x: {{mean: {{max: 1.0e+300}}, std: {{max: 1.0e+300}}}}
      y: {{mean: {{max: 5}}}}
"""
    checks, status = _on_every_engine(tmp_path, suite)
    assert "error" not in status["db"].values(), checks
    assert status["db"] == status["file"] == status["pd"]


NAMES = ("file", "pd", "db")


def _on_every_engine(
    tmp_path: Path, suite: str
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, str]]]:
    """The suite (a template with `{name}`) on big.parquet read by DuckDB and by pandas and on
    the `big` table of PostgreSQL: the checks, and each engine's statuses by check."""
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\ndatasets:\n  file: {path: big.parquet}\n"
        "  pd: {path: big.parquet, engine: pandas}\n"
        "  db: {connection: '${MLGATE_TEST_PG}', table: big}\ndata:\n"
        + "".join(suite.format(name=n) for n in NAMES)
    )
    _, checks = run_gate(tmp_path)
    status = {
        n: {
            c[len(f"data/{n}/") :]: v["status"]
            for c, v in checks.items()
            if c.startswith(f"data/{n}/")
        }
        for n in NAMES
    }
    return checks, status
