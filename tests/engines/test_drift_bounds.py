"""The drift statistics from samples: the pieces equal numpy's and scipy's, and two samples on
different engines give a bounded approximation whose stated bound holds.

`reference_edges` must be `np.quantile`'s edges bit for bit, `ks_pvalue` scipy's `ks_2samp`
p-value from the distance alone, the infinity rules numpy's merged-sample Wasserstein sum; the
step summaries (`Sketch`) of each side must bracket the exact KS and Wasserstein distances
(seeded simulations), and an engine's summary must equal the one computed from the values.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import ks_2samp

from mlgate.data import drift
from mlgate.data.drift import (
    ArrayJoint,
    ArraySample,
    ks_pvalue,
    reference_edges,
    sample_drift,
    sketch_bounds,
    wasserstein_sorted,
)

FLOATS = st.sampled_from([0.0, -0.0, 1.0, -1.5, 2.5, 1e150, -1e150, 1e-300, 7.0]) | st.floats(
    -1e6, 1e6, allow_nan=False
)
WITH_INF = FLOATS | st.sampled_from([math.inf, -math.inf])


def same_floats(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


@settings(deadline=None, max_examples=300)
@given(values=st.lists(WITH_INF, min_size=1, max_size=60), bins=st.integers(1, 40))
def test_edges_are_numpys_quantiles(values: list[float], bins: int) -> None:
    x = np.sort(np.array(values))
    with np.errstate(invalid="ignore"):
        want = np.unique(np.quantile(x, np.linspace(0, 1, bins + 1)[1:-1])) + 0.0
        got = reference_edges(ArraySample(x), bins)
    assert same_floats(got, want)


@settings(deadline=None, max_examples=300)
@given(
    a=st.lists(st.integers(-5, 5) | FLOATS, min_size=1, max_size=50),
    b=st.lists(st.integers(-5, 5) | FLOATS, min_size=1, max_size=50),
)
def test_ks_from_the_distance_is_scipys(a: list[float], b: list[float]) -> None:
    x, y = np.sort(np.array(a, dtype=float)), np.sort(np.array(b, dtype=float))
    want = ks_2samp(x, y)
    d = ArrayJoint(x, y).ks_distance()
    assert math.isclose(d, float(want.statistic), rel_tol=1e-12)  # (exact mode: h / lcm)
    assert ks_pvalue(d, len(x), len(y)) == float(want.pvalue)


SIZES = [(9000, 10000, 0.02), (10000, 10001, 0.0), (30000, 12000, 0.03), (5, 20000, 1.0)]


@pytest.mark.parametrize(("n1", "n2", "shift"), SIZES)
def test_ks_from_the_distance_is_scipys_near_and_beyond_the_exact_limit(
    n1: int, n2: int, shift: float
) -> None:
    rng = np.random.default_rng(n1 + n2)
    x = np.sort(rng.normal(0, 1, n1))
    y = np.sort(np.round(rng.normal(shift, 1, n2), 2))
    want = ks_2samp(x, y)
    d = ArrayJoint(x, y).ks_distance()
    assert math.isclose(d, float(want.statistic), rel_tol=1e-12)
    assert ks_pvalue(d, n1, n2) == float(want.pvalue)


@settings(deadline=None, max_examples=300)
@given(a=st.lists(WITH_INF, min_size=1, max_size=30), b=st.lists(WITH_INF, min_size=1, max_size=30))
def test_wasserstein_rules_for_infinities_are_numpys(a: list[float], b: list[float]) -> None:
    x, y = np.sort(np.array(a)), np.sort(np.array(b))
    with np.errstate(invalid="ignore", over="ignore"):
        want = wasserstein_sorted(x, y)
        low, high = drift._wasserstein(ArraySample(x), ArraySample(y), ArrayJoint(x, y))
    assert low == high or (math.isnan(low) and math.isnan(high))
    assert (math.isnan(want) and math.isnan(low)) or want == low


DISTRIBUTIONS = {
    "normal": lambda rng, n, s: rng.normal(s, 1, n),
    "lognormal": lambda rng, n, s: rng.lognormal(s, 1, n),
    "ties": lambda rng, n, s: np.round(rng.normal(s, 3, n)),
    "mixture": lambda rng, n, s: np.where(
        rng.random(n) < 0.3, rng.normal(5 + s, 1, n), rng.exponential(1, n)
    ),
}


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
@pytest.mark.parametrize("points", [50, 400])
def test_sketch_bounds_hold_on_seeded_simulations(name: str, points: int) -> None:
    """The exact KS and Wasserstein distances lie within the bounds of the two step summaries,
    and the bounds are tight: KS within about 1/points per side."""
    make = DISTRIBUTIONS[name]
    for seed in range(25):
        rng = np.random.default_rng(seed)
        shift = [0.0, 0.05, 0.3][seed % 3]
        x = np.sort(make(rng, int(rng.integers(200, 5000)), 0.0))
        y = np.sort(make(rng, int(rng.integers(200, 5000)), shift))
        exact = ArrayJoint(x, y)
        (ks_lo, ks_hi), (w_lo, w_hi) = sketch_bounds(
            ArraySample(x).sketch(points), ArraySample(y).sketch(points)
        )
        d, w = exact.ks_distance(), exact.wasserstein_distance()
        assert ks_lo - 1e-12 <= d <= ks_hi + 1e-12, (seed, d, ks_lo, ks_hi)
        assert w_lo * (1 - 1e-9) <= w <= w_hi * (1 + 1e-9), (seed, w, w_lo, w_hi)
        assert ks_hi - ks_lo <= 4.0 / points + 2.0 / len(x) + 2.0 / len(y)


def test_sketches_of_few_distinct_values_are_exact() -> None:
    rng = np.random.default_rng(3)
    x, y = (
        np.sort(rng.integers(0, 40, 3000).astype(float)),
        np.sort(rng.integers(2, 45, 2000).astype(float)),
    )
    (ks_lo, ks_hi), (w_lo, w_hi) = sketch_bounds(
        ArraySample(x).sketch(100), ArraySample(y).sketch(100)
    )
    exact = ArrayJoint(x, y)
    assert ks_lo == ks_hi == exact.ks_distance()
    assert math.isclose(w_lo, exact.wasserstein_distance(), rel_tol=1e-12)
    assert w_lo == w_hi


# -- one side on an engine, the other in memory ------------------------------------------------


@pytest.fixture
def engine_sample(tmp_path: Path) -> Any:
    """An `SqlSample` of values written to parquet and read by DuckDB."""
    pytest.importorskip("duckdb")
    from mlgate.data.suite import Suite
    from mlgate.engines.duckdb_engine import connect, parquet_relation
    from mlgate.engines.profile_sql import SqlProfiler

    con = connect()

    def make(values: np.ndarray, name: str = "x") -> Any:
        path = tmp_path / f"{name}.parquet"
        pq.write_table(pa.table({"x": values}), path)
        rel = parquet_relation(name, con, [path])
        return SqlProfiler(rel, Suite(name="s", dataset=name), ("x",)).run().column["x"].drift

    yield make
    con.close()


def test_an_engines_sketch_equals_the_values_sketch(engine_sample: Any) -> None:
    rng = np.random.default_rng(7)
    values = np.concatenate([rng.normal(0, 1, 5000), np.round(rng.normal(0, 1, 5000), 1)])
    values[:3] = [-0.0, 0.0, np.inf]
    engine, memory = engine_sample(values), ArraySample(values)
    for points in (100, 30_000):
        a, b = engine.sketch(points), memory.sketch(points)
        assert a.n == b.n
        assert same_floats(a.points, b.points)
        assert same_floats(a.below, b.below)
        assert same_floats(a.upto, b.upto)


@pytest.mark.parametrize("method", ["ks", "wasserstein"])
def test_different_engines_state_the_bound_and_it_holds(
    engine_sample: Any, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(drift, "SKETCH_POINTS", 300)
    for seed in range(6):
        rng = np.random.default_rng(100 + seed)
        ref = rng.normal(0, 1, 20_000)
        cur = rng.normal([0.0, 0.02, 0.2][seed % 3], 1, 15_000)
        exact = sample_drift(ArraySample(ref), ArraySample(cur), method, None, 10)
        mixed = sample_drift(engine_sample(ref, f"r{seed}"), ArraySample(cur), method, None, 10)
        assert exact.approximate == ""
        assert mixed.approximate.startswith(
            f"approximate: {'KS distance' if method == 'ks' else 'wasserstein score'} within ±"
        )
        assert "different engines" in mixed.approximate
        assert mixed.histogram == exact.histogram  # bins are counted exactly on each side
        bound = float(mixed.approximate.split("±")[1].split(",")[0].split(" ")[0])
        if method == "wasserstein":
            assert abs(mixed.score - exact.score) <= bound * 1.01
        else:
            d = ArrayJoint(np.sort(ref), np.sort(cur)).ks_distance()
            lo = float(mixed.approximate.split("between ")[1].split(" and ")[0])
            hi = float(mixed.approximate.split(" and ")[1].split(" ")[0])
            assert lo * (1 - 1e-3) <= exact.score <= hi * (1 + 1e-3), (d, lo, hi)


def test_the_drift_check_says_it_is_approximate(engine_sample: Any, tmp_path: Path) -> None:
    """A reference on the pandas engine and a current dataset on DuckDB: the check's message
    and details carry the bound; the verdict is the exact one's."""
    from mlgate.data import judge
    from mlgate.data.backend import Profile
    from mlgate.data.pandas_backend import FrameSource, PandasBackend
    from mlgate.data.suite import Drift, Suite
    from mlgate.datasets import to_pandas

    rng = np.random.default_rng(11)
    ref_values, cur_values = rng.normal(0, 1, 30_000), rng.normal(0.1, 1, 30_000)
    suite = Suite(name="s", dataset="cur", drift=Drift(reference="ref", method="ks"))
    ref_p = PandasBackend().profile(
        FrameSource("ref", to_pandas(pa.table({"x": ref_values}))), suite, drift_columns=("x",)
    )
    cur_p = Profile(dataset="cur", rows=30_000, columns=["x"])
    cur_p.column["x"] = engine_sample_profile(engine_sample, cur_values)
    got = judge.drift("x", suite, cur_p, ref_p)
    exact = judge.drift(
        "x",
        suite,
        PandasBackend().profile(
            FrameSource("cur", to_pandas(pa.table({"x": cur_values}))), suite, drift_columns=("x",)
        ),
        ref_p,
    )
    assert got.status == exact.status == "failed"
    assert "approximate: KS distance within ±" in got.message
    assert "different engines" in got.message
    assert "approximate" not in exact.message
    assert got.details["approximate"].startswith("approximate: KS distance within ±")


def engine_sample_profile(engine_sample: Any, values: np.ndarray) -> Any:
    from mlgate.data.backend import ColumnProfile

    cp = ColumnProfile("x", kinds={"float"}, dtypes=["float64"], count=len(values))
    cp.drift = engine_sample(values, "cur")
    return cp
