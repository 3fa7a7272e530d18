"""Numbers in rules and bounds mean what they say: rules and `min`/`max` against a slow per-row
Python reference (exact integers, no float rounding, no int64 wrap-around)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgate.data.expr import RuleSyntaxError, parse_rule
from mlgate.data.pandas_backend import FrameSource, PandasBackend
from mlgate.data.suite import build_suite
from tests.data.helpers import run_gate

I64 = (-(2**63), 2**63 - 1)
EDGES = [2**53, 2**53 + 1, 2**62, 2**63 - 1, -(2**63), 2**63, 2**64 + 1, -(2**64) - 1]

ints64 = st.one_of(
    st.integers(-1000, 1000),
    st.integers(*I64),
    st.sampled_from([e for e in EDGES if I64[0] <= e <= I64[1]]),
)
floats = st.one_of(
    st.floats(-1e20, 1e20, allow_nan=False),
    st.sampled_from([0.5, -0.5, 2.0**53, 2.0**53 + 2, 2.0**63, -(2.0**63), 1e19]),
)
constants = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from([str(e) for e in EDGES] + ["2 ** 64 + 1", "2 ** 63", "-2 ** 63"]),
    floats.map(repr),
).map(lambda text: f"({text})")


def _arith(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, st.sampled_from(["+", "-", "*"]), children).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"
    )
    divided = st.tuples(
        children,
        st.sampled_from(["/", "//", "%"]),
        st.one_of(st.integers(1, 10**6), st.integers(-(10**6), -1)),
    ).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
    return st.one_of(binary, divided, children.map(lambda c: f"(-{c})"))


terms = st.recursive(st.one_of(st.sampled_from(["a", "u", "f"]), constants), _arith, max_leaves=4)
comparisons = st.tuples(terms, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), terms).map(
    lambda t: f"{t[0]} {t[1]} {t[2]}"
)
memberships = st.tuples(
    st.sampled_from(["a", "u", "f"]), st.lists(st.one_of(ints64, floats), min_size=1, max_size=4)
).map(lambda t: f"{t[0]} in [{', '.join(repr(v) for v in t[1])}]")
rules = st.recursive(
    st.one_of(comparisons, memberships),
    lambda c: st.one_of(
        st.tuples(c, st.sampled_from(["and", "or"]), c).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        c.map(lambda x: f"not ({x})"),
    ),
    max_leaves=3,
)


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 12))
    a = draw(st.lists(ints64, min_size=n, max_size=n))
    u = draw(
        st.lists(
            st.integers(0, 2**64 - 1) | st.sampled_from([0, 2**63, 2**64 - 1]),
            min_size=n,
            max_size=n,
        )
    )
    f = draw(st.lists(st.none() | floats, min_size=n, max_size=n))
    return pd.DataFrame(
        {
            "a": np.array(a, dtype=np.int64),
            "u": np.array(u, dtype=np.uint64),
            "f": np.array([np.nan if x is None else x for x in f], dtype=np.float64),
        }
    )


def reference_count(frame: pd.DataFrame, expr: str) -> tuple[int, int]:
    """Rows breaking `expr`, evaluated row by row with Python numbers; rows with a missing
    operand are not judged."""
    rule = parse_rule(expr)
    failed = judged = 0
    for row in frame.itertuples(index=False):
        values: dict[str, Any] = {"a": int(row.a), "u": int(row.u), "f": float(row.f)}
        if any(isinstance(values[c], float) and math.isnan(values[c]) for c in rule.columns):
            continue
        judged += 1
        failed += not eval(expr, {"__builtins__": {}}, values)  # generated rules only
    return failed, judged


def backend_count(frame: pd.DataFrame, expr: str) -> tuple[int, int]:
    suite = build_suite({"dataset": "d", "rules": [{"expr": expr}]}, "s")
    v = PandasBackend().profile(FrameSource("d", frame), suite).rules[0]
    assert v.problem is None, v.problem
    return v.count, v.denominator


@settings(max_examples=300, deadline=None)
@given(frame=frames(), expr=rules)
def test_rules_count_the_rows_python_would(frame: pd.DataFrame, expr: str) -> None:
    assert backend_count(frame, expr) == reference_count(frame, expr)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.one_of(ints64, st.none()), min_size=1, max_size=12),
    dtype=st.sampled_from(["int64", "float64", "Int64"]),
    lo=st.one_of(st.none(), ints64, floats, st.sampled_from(EDGES)),
    hi=st.one_of(st.none(), ints64, floats, st.sampled_from(EDGES)),
)
def test_min_and_max_count_the_values_python_would(
    values: list[int | None], dtype: str, lo: Any, hi: Any
) -> None:
    if dtype != "Int64":
        values = [v for v in values if v is not None] or [0]
    series = pd.Series(values, dtype=dtype)
    bounds = {k: v for k, v in (("min", lo), ("max", hi)) if v is not None}
    if not bounds:
        return
    suite = build_suite({"dataset": "d", "columns": {"x": bounds}}, "s")
    profile = PandasBackend().profile(FrameSource("d", pd.DataFrame({"x": series})), suite)
    present = [v for v in series.tolist() if v is not None and v is not pd.NA]
    exact = [int(v) if dtype != "float64" else float(v) for v in present]
    for key, bound in bounds.items():
        expected = sum((x < bound) if key == "min" else (x > bound) for x in exact)
        v = profile.column["x"].checks.get(key)  # absent: no value to judge
        assert (v.count if v else 0) == expected, (key, bound, exact)


def test_uint64_and_python_int_columns_compare_exactly() -> None:
    frame = pd.DataFrame(
        {
            "u": np.array([2**64 - 1, 0], dtype=np.uint64),
            "big": pd.Series([2**70, 5], dtype=object),
        }
    )
    assert reference_free(frame, "u > 2**64 - 2") == 1
    assert reference_free(frame, "-u < 0") == 1
    assert reference_free(frame, "big > 2**70 - 1") == 1
    assert reference_free(frame, "big + u > 2**70") == 1


def reference_free(frame: pd.DataFrame, expr: str) -> int:
    """How many rows satisfy `expr` (= rows breaking `not (expr)`)."""
    count, _ = backend_count(frame, f"not ({expr})")
    return count


def test_constants_that_cannot_mean_anything_are_refused() -> None:
    for expr, message in [
        ("x > 9**9**9", r"9 \*\* 387420489 is too large"),
        ("x < 2 ** 5000", "more than 4096 bits"),
        ("x < 1e400", "beyond the floating-point range"),
        ("x > 1 % 0", "division by zero"),
    ]:
        with pytest.raises(RuleSyntaxError, match=message):
            parse_rule(expr)


def test_a_huge_integer_in_a_rule_and_a_bound_means_what_it_says(tmp_path: Path) -> None:
    """Issue 9 item 3: `age < 2 ** 64 + 1` failed every row (numpy wrapped 2**64 to 0)."""
    ids = [2**53 + 1, 2**53, 5]
    (tmp_path / "t.csv").write_text(
        "age,id\n" + "".join(f"{i + 20},{v}\n" for i, v in enumerate(ids))
    )
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\n"
        "datasets:\n  t: {path: t.csv}\n"
        "data:\n"
        "  - dataset: t\n"
        "    columns:\n"
        "      id: {max: 9007199254740992}\n"
        "    rules:\n"
        "      - {name: huge, expr: 'age < 2 ** 64 + 1'}\n"
        "      - {name: exact, expr: 'id != 2 ** 53 + 1'}\n"
        "      - {name: mixed, expr: 'id <= 9007199254740992.0'}\n"
    )
    code, checks = run_gate(tmp_path)
    assert checks["data/t/rules/huge"]["status"] == "passed"
    for ident in ("data/t/rules/exact", "data/t/rules/mixed", "data/t/columns/id/max"):
        assert checks[ident]["status"] == "failed", checks[ident]
        assert checks[ident]["examples"][0]["row"] == 0, checks[ident]
    assert code == 1
