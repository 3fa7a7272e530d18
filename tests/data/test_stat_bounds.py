"""A statistic at its bound meets it on every engine: the last digits of a mean or a quantile
depend on the engine and the summation order, and are no evidence (found by a user trial:
DuckDB failed `mean: {min: 0.2333333333333333}` on 0.1, 0.2, 0.4; pandas failed
`mean: {max: 59.375}` on values summing to exactly 356.25)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgate.data.judge import STAT_TOLERANCE, meets
from tests.data.helpers import run_gate

CASES = [  # (values, the check's params, why the value meets the bound exactly)
    ([0.1, 0.2, 0.4], "mean: {min: 0.2333333333333333}", "fsum / 3 is 0.23333333333333336"),
    ([51.61, 11.59, 62.35, 77.67, 61.3, 91.73], "mean: {max: 59.375}", "sum 356.25 / 6"),
    ([63.7, 26.98, 4.1, 1.65, 81.33], "quantiles: {0.7: {min: 56.356}}", "26.98 + 0.8 x 36.72"),
    ([0.1, 0.2, -0.3], "mean: {max: 0}", "decimal values summing to 0"),
]


@pytest.mark.parametrize(("values", "check", "why"), CASES)
def test_a_statistic_at_its_bound_passes_on_both_engines(
    tmp_path: Path, values: list[float], check: str, why: str
) -> None:
    (tmp_path / "t.csv").write_text("x\n" + "\n".join(repr(v) for v in values) + "\n")
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\ndatasets:\n  duck: {path: t.csv}\n  pd: {path: t.csv, engine: pandas}\n"
        f"data:\n  - dataset: duck\n    columns: {{x: {{{check}}}}}\n"
        f"  - dataset: pd\n    columns: {{x: {{{check}}}}}\n"
    )
    code, checks = run_gate(tmp_path)
    assert {cid: c["status"] for cid, c in checks.items()} == dict.fromkeys(checks, "passed"), why
    assert code == 0


def test_a_failure_next_to_its_bound_shows_the_digits_that_differ(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("x\n1.0\n1.0000001\n")
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\ndatasets:\n  t: {path: t.csv}\n"
        "data:\n  - dataset: t\n    columns: {x: {mean: {max: 1.0}}}\n"
    )
    _, checks = run_gate(tmp_path)
    [check] = checks.values()
    assert check["status"] == "failed"
    assert check["message"] == (
        "mean of `x` is 1.00000005 over 2 non-missing values (expected <= 1.0)"
    )


finite = st.floats(-1e12, 1e12, allow_nan=False)


@settings(deadline=None)
@given(value=finite, bound=finite, magnitude=st.floats(0, 1e12))
def test_the_tolerance_only_forgives_last_digits(
    value: float, bound: float, magnitude: float
) -> None:
    scale = max(abs(value), magnitude)
    if value > bound + STAT_TOLERANCE * scale:
        assert not meets(value, None, bound, scale)
    if value <= bound:
        assert meets(value, None, bound, scale)
    assert not meets(math.nan, bound, None, scale)
    assert not meets(math.inf, None, bound, math.inf)
    assert meets(math.inf, bound, None, math.inf)
    assert np.isclose(value, bound, rtol=0, atol=STAT_TOLERANCE * scale) or (
        meets(value, None, bound, scale) == (value <= bound)
    )
