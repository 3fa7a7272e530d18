"""Data check kinds (computed with pandas)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlgate.checks import CHECKS, CheckSpec, Outcome
from mlgate.context import RunContext
from mlgate.registry import suggest

if TYPE_CHECKING:
    import pandas as pd


@CHECKS.register("data.rows")
def check_rows(spec: CheckSpec, ctx: RunContext) -> Outcome:
    df = ctx.dataset(spec.params["dataset"])
    n = len(df)
    lo, hi = spec.params.get("min"), spec.params.get("max")
    expected = " and ".join(
        part
        for part in (f">= {lo}" if lo is not None else "", f"<= {hi}" if hi is not None else "")
        if part
    )
    ok = (lo is None or n >= lo) and (hi is None or n <= hi)
    return Outcome.judge(ok, f"{n:,} rows (expected {expected})", observed=n, expected=expected)


def _column(spec: CheckSpec, ctx: RunContext) -> pd.Series | Outcome:
    df = ctx.dataset(spec.params["dataset"])
    name = spec.params["column"]
    if name not in df.columns:
        hint = suggest(name, [str(c) for c in df.columns])
        return Outcome.failed(
            f"column `{name}` is not in the dataset{hint}", observed="missing", expected="present"
        )
    return df[name]


def dtype_matches(series: pd.Series, wanted: str) -> bool:
    from pandas.api import types as t

    checks = {
        "integer": t.is_integer_dtype,
        "float": t.is_float_dtype,
        "number": lambda s: t.is_numeric_dtype(s) and not t.is_bool_dtype(s),
        "string": lambda s: t.is_string_dtype(s) or t.is_object_dtype(s),
        "boolean": t.is_bool_dtype,
        "category": lambda s: (
            isinstance(s.dtype, __import__("pandas").CategoricalDtype)
            or t.is_string_dtype(s)
            or t.is_object_dtype(s)
        ),
        "datetime": t.is_datetime64_any_dtype,
    }
    return bool(checks[wanted](series))


@CHECKS.register("data.column.type")
def check_type(spec: CheckSpec, ctx: RunContext) -> Outcome:
    col = _column(spec, ctx)
    if isinstance(col, Outcome):
        return col
    wanted = spec.params["type"]
    ok = dtype_matches(col, wanted)
    return Outcome.judge(
        ok,
        f"`{col.name}` has dtype {col.dtype} (expected {wanted})",
        observed=str(col.dtype),
        expected=wanted,
    )


@CHECKS.register("data.column.nullable")
def check_nullable(spec: CheckSpec, ctx: RunContext) -> Outcome:
    col = _column(spec, ctx)
    if isinstance(col, Outcome):
        return col
    missing = col.isna()
    k = int(missing.sum())
    examples = [{"row": int(i)} for i in col.index[missing][:20]]
    return Outcome.judge(
        k == 0,
        f"{k:,} of {len(col):,} values missing in `{col.name}`",
        observed=k,
        expected="0 missing",
        examples=examples,
    )
