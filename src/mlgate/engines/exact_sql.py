"""Exact comparisons of integers with numbers in SQL, as `mlgate.data.exact` makes them.

SQL engines compare a BIGINT with a DOUBLE (or a DECIMAL with a DOUBLE) in floating point, so
`9007199254740993 > 9007199254740992.0` is false there; Python and the pandas engine say true.
These helpers write each comparison so that it is exact:

- an integer against a number known now (a bound, a rule's constant): the number becomes an
  integer (`x < 2.5` is `x < 3`) or the answer is known (`int64 < 2**70` is always true);
- a double against an integer known now: against the doubles either side of it when the
  integer is not a double itself;
- an integer against a double of the row: in doubles when they differ there (rounding to a
  double keeps the order), else as integers (the double is then a whole number).

An integer expression carries a bound on its magnitude, known from the column types and the
constants; arithmetic beyond 64 bits runs in the dialect's exact type (`Dialect.exact_type`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlgate.engines.sql import Dialect

#: Integers of at most this magnitude are doubles exactly.
FLOAT_EXACT = 2**53
#: The BIGINT range: beyond it, integer arithmetic runs in the dialect's exact type.
I64_MAX = 2**63 - 1
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "<>": "<>"}
_PY = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
}


def flip(op: str) -> str:
    """The operator with its sides swapped (`a < b` is `b > a`)."""
    return _FLIP[op]


def _const(answer: bool) -> str:
    return "TRUE" if answer else "FALSE"


def int_bound(dtype: str) -> tuple[int, int]:
    """The range of an integer column of this pandas dtype (int8 ... uint64)."""
    unsigned = dtype.startswith("uint")
    digits = "".join(ch for ch in dtype if ch.isdigit())
    bits = int(digits) if digits else 64
    return (0, 2**bits - 1) if unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)


def int_vs_number(d: Dialect, op: str, expr: str, lo: int, hi: int, value: int | float) -> str:
    """`expr op value` for an integer `expr` in [lo, hi] and a number known now, exactly."""
    if isinstance(value, float):
        if math.isnan(value):
            return _const(op == "<>")
        if math.isinf(value):
            return _const(_PY[op](0, value))
        # for an integer x: x < f <=> x < ceil(f); x <= f <=> x <= floor(f); and so on
        if op in ("<", ">="):
            value = math.ceil(value)
        elif op in ("<=", ">"):
            value = math.floor(value)
        elif value != math.floor(value):
            return _const(op == "<>")
        else:
            value = int(value)
    if value < lo or value > hi:  # every x is on the same side of it
        return _const(_PY[op](lo, value))
    return f"({expr} {op} {d.int_literal(value)})"


def double_vs_int(d: Dialect, op: str, expr: str, value: int) -> str:
    """`expr op value` for a double `expr` (not NaN) and an integer known now, exactly."""
    try:
        f = float(value)
    except OverflowError:
        f = math.inf if value > 0 else -math.inf
    if math.isfinite(f) and int(f) == value:
        return f"({expr} {op} {d.number(f)})"
    if math.isinf(f):  # beyond the largest double: between it and infinity
        big = math.nextafter(math.inf, 0.0)
        below, above = (big, math.inf) if f > 0 else (-math.inf, -big)
    elif int(f) > value:
        below, above = math.nextafter(f, -math.inf), f
    else:
        below, above = f, math.nextafter(f, math.inf)
    if op in ("<", "<="):
        return f"({expr} <= {d.number(below)})"
    if op in (">", ">="):
        return f"({expr} >= {d.number(above)})"
    return _const(op == "<>")


def int_vs_double(d: Dialect, op: str, expr: str, bound: int, other: str) -> str:
    """`expr op other` for an integer `expr` (|expr| <= bound) and a double `other` that is not
    NaN: in doubles where the integer's double differs from `other` (rounding keeps the order),
    else as integers (`other` is then a whole number no larger than `bound`'s double)."""
    as_double = d.int_to_double(expr, bound)
    whole = d.double_to_int(other, bound)
    return (
        f"(CASE WHEN {as_double} <> {other} THEN ({as_double} {op} {other}) "
        f"ELSE ({expr} {op} {whole}) END)"
    )
