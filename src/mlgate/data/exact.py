"""Exact arithmetic and comparisons of column values with numbers, as Python would do them.

numpy silently rounds an int64 to float64 when it meets a float, and wraps on overflow
(`np.int64(2) ** 64 == 0`). Rules and `min`/`max` bounds must mean what they say, so:

- integers stay integers: int64/uint64 arrays, or arrays of Python ints (dtype object) when a
  result or a constant does not fit in 64 bits (detected, never wrapped);
- a comparison of integers with floats is exact (`2**53 + 1 > 2.0**53`), as in Python;
- `/`, `//`, `%` and `**` on columns compute in float64 (exact while the integers are below
  2**53), or with Python ints when those are larger.

Every engine (pandas here, SQL or Spark ones later) must give the same answers.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from mlgate.data.expr import is_int

_FLOAT_EXACT = 2**53
_I64 = (-(2**63), 2**63 - 1)
_U64 = (0, 2**64 - 1)

Op = Callable[[Any, Any], Any]
_FLIP: dict[Op, Op] = {
    operator.lt: operator.gt,
    operator.le: operator.ge,
    operator.gt: operator.lt,
    operator.ge: operator.le,
    operator.eq: operator.eq,
    operator.ne: operator.ne,
}


def _int_array(a: Any) -> bool:
    return isinstance(a, np.ndarray) and a.dtype.kind in "iu"


def _float_array(a: Any) -> bool:
    return isinstance(a, np.ndarray) and a.dtype.kind == "f"


def _int_like(a: Any) -> bool:
    return is_int(a) or _int_array(a) or _py_ints(a)


def _py_ints(a: Any) -> bool:
    """An object array of Python ints (what integer results beyond 64 bits become)."""
    return isinstance(a, np.ndarray) and a.dtype == object and all(is_int(x) for x in a.flat)


def _objects(a: Any) -> Any:
    if isinstance(a, np.ndarray) and a.dtype != object:
        return a.astype(object)
    return a


def _max_abs(a: Any) -> int:
    if is_int(a):
        return abs(int(a))
    if isinstance(a, np.ndarray) and a.size:
        if a.dtype == object:
            return max(abs(int(x)) for x in a.flat)
        return max(abs(int(a.max())), abs(int(a.min())))
    return 0


def arith(op: Op, left: Any, right: Any) -> Any:
    """`left op right` for numbers and arrays of numbers, integers computed exactly."""
    if not (_int_like(left) and _int_like(right)):
        return _float_op(op, left, right)
    if is_int(left) and is_int(right):
        return op(left, right)  # constants (folded at parse time: bounded)
    if op in (operator.add, operator.sub, operator.mul):
        fast = _int64_op(op, left, right)
        if fast is not None:
            return fast
        return op(_objects(left), _objects(right))
    if max(_max_abs(left), _max_abs(right)) <= _FLOAT_EXACT:
        return _float_op(op, _as_float(left), _as_float(right))
    if op is operator.pow:  # huge integers raised to column values: in floating point
        return _float_op(op, _as_float(left), _as_float(right))
    return op(_objects(left), _objects(right))


def _as_float(a: Any) -> Any:
    if isinstance(a, np.ndarray):
        return a.astype(np.float64)
    return float(a) if is_int(a) else a


def _float_op(op: Op, left: Any, right: Any) -> Any:
    with np.errstate(all="ignore"):
        if op is operator.pow and isinstance(left, (int, float)):
            left = np.float64(left)  # numpy power: inf on overflow, never a hang
        return op(left, right)


def _int64_op(op: Op, left: Any, right: Any) -> Any:
    """The result in int64 when both sides and the result fit, else None."""
    parts: list[Any] = []
    for side in (left, right):
        if is_int(side):
            if not _I64[0] <= side <= _I64[1]:
                return None
            parts.append(np.int64(side))
        elif isinstance(side, np.ndarray) and side.dtype.kind == "i":
            parts.append(side.astype(np.int64, copy=False))
        else:
            return None  # uint64 or Python ints: exactly, as objects
    with np.errstate(all="ignore"):
        approx = op(np.asarray(parts[0], np.float64), np.asarray(parts[1], np.float64))
        if np.any(np.abs(approx) >= 2.0**62):
            return None
        return op(parts[0], parts[1])


def negate(value: Any) -> Any:
    """`-value`, exact for integers (uint64 and the smallest int64 become Python ints)."""
    if (
        isinstance(value, np.ndarray)
        and value.dtype.kind in "iu"
        and (value.dtype.kind == "u" or (value.size and int(value.min()) == _I64[0]))
    ):
        return -value.astype(object)
    return -value


def compare(op: Op, left: Any, right: Any) -> Any:
    """`left op right` (op: < <= > >= == !=), exact between integers and floats."""
    with np.errstate(all="ignore"):  # NaN compares False, as in Python
        return _compare(op, left, right)


def _compare(op: Op, left: Any, right: Any) -> Any:
    if (
        isinstance(left, (int, float))
        and not isinstance(left, bool)
        and (isinstance(right, np.ndarray))
    ):
        return _compare(_FLIP[op], right, left)
    if isinstance(left, np.ndarray) and left.dtype.kind in "iu" and is_int(right):
        return _int_array_vs_int(op, left, right)
    if isinstance(left, np.ndarray) and left.dtype.kind in "iu" and isinstance(right, float):
        return _int_array_vs_float(op, left, right)
    if _float_array(left) and is_int(right):
        return _float_array_vs_int(op, left, right)
    if (_int_array(left) and _float_array(right)) or (_float_array(left) and _int_array(right)):
        return _int_vs_float_arrays(op, left, right)
    with np.errstate(all="ignore"):
        return op(left, right)


def _int_array_vs_int(op: Op, arr: np.ndarray, value: int) -> Any:
    lo, hi = _U64 if arr.dtype.kind == "u" else _I64
    if lo <= value <= hi:
        return op(arr, arr.dtype.type(value))
    above = value > hi  # every element is below `value` (above: False)
    outcome = {
        operator.lt: above,
        operator.le: above,
        operator.gt: not above,
        operator.ge: not above,
        operator.eq: False,
        operator.ne: True,
    }[op]
    return np.full(arr.shape, outcome)


def _int_array_vs_float(op: Op, arr: np.ndarray, value: float) -> Any:
    if math.isnan(value):
        return np.full(arr.shape, op is operator.ne)
    if math.isinf(value):
        below = value > 0
        outcome = {
            operator.lt: below,
            operator.le: below,
            operator.gt: not below,
            operator.ge: not below,
            operator.eq: False,
            operator.ne: True,
        }[op]
        return np.full(arr.shape, outcome)
    # for an integer x: x < f <=> x < ceil(f); x <= f <=> x <= floor(f); and so on
    if op in (operator.lt, operator.ge):
        return _int_array_vs_int(op, arr, math.ceil(value))
    if op in (operator.le, operator.gt):
        return _int_array_vs_int(op, arr, math.floor(value))
    integral = value == math.floor(value)
    if op is operator.eq:
        return _int_array_vs_int(op, arr, int(value)) if integral else np.full(arr.shape, False)
    return _int_array_vs_int(op, arr, int(value)) if integral else np.full(arr.shape, True)


def _float_array_vs_int(op: Op, arr: np.ndarray, value: int) -> Any:
    """Floats against an integer that float64 may not hold exactly."""
    try:
        f = float(value)
    except OverflowError:
        f = math.inf if value > 0 else -math.inf
    if math.isfinite(f) and int(f) == value:
        with np.errstate(all="ignore"):
            return op(arr, f)
    # value lies strictly between the floats `below` and `above`
    if math.isinf(f):
        below, above = (
            (np.finfo(np.float64).max, math.inf)
            if f > 0
            else (
                -math.inf,
                -np.finfo(np.float64).max,
            )
        )
    elif int(f) > value:
        below, above = math.nextafter(f, -math.inf), f
    else:
        below, above = f, math.nextafter(f, math.inf)
    with np.errstate(all="ignore"):
        if op in (operator.lt, operator.le):
            return arr <= below
        if op in (operator.gt, operator.ge):
            return arr >= above
        return np.full(arr.shape, op is operator.ne)


def _int_vs_float_arrays(op: Op, left: np.ndarray, right: np.ndarray) -> Any:
    """Elementwise; integers beyond 2**53 compared as Python objects (exact)."""
    ints = left if left.dtype.kind in "iu" else right
    with np.errstate(all="ignore"):
        out = np.asarray(op(left.astype(np.float64), right.astype(np.float64)), dtype=bool)
    big = np.abs(ints.astype(np.float64)) >= _FLOAT_EXACT
    if big.any():
        out[big] = np.asarray(op(left[big].astype(object), right[big].astype(object)), dtype=bool)
    return out
