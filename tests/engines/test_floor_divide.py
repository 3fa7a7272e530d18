"""`//` in a rule means what numpy computes, edge values included, on DuckDB."""

from __future__ import annotations

import itertools
import math

import numpy as np

from mlgate.engines.duckdb_engine import _DIALECT
from mlgate.engines.rules_sql import _floor_divide

EDGES = [math.inf, -math.inf, math.nan, 0.0, -0.0, 5.0, -5.0, 2.5, -0.5, 1e300]


def test_floor_division_matches_numpy_on_edge_values() -> None:
    import duckdb

    pairs = list(itertools.product(EDGES, EDGES))
    con = duckdb.connect()
    con.execute("CREATE TABLE t (a DOUBLE, b DOUBLE)")
    con.executemany("INSERT INTO t VALUES (?, ?)", pairs)
    sql = _floor_divide(_DIALECT, "a", "b")
    got = [row[0] for row in con.execute(f"SELECT {sql} FROM t").fetchall()]
    with np.errstate(all="ignore"):
        want = [float(np.float64(a) // np.float64(b)) for a, b in pairs]
    mismatches = [
        (a, b, g, w)
        for (a, b), g, w in zip(pairs, got, want, strict=True)
        if not (g == w or (g is not None and math.isnan(g) and math.isnan(w)))
    ]
    assert mismatches == [], "\n".join(map(str, mismatches))
