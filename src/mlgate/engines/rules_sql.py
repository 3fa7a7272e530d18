"""Row rules (`mlgate.data.expr`) compiled to SQL with the pandas engine's semantics.

The pandas engine computes integers exactly (`mlgate.data.exact`: `+ - *` and comparisons,
whatever their size), other numbers as float64 (so `/` is true division, `%` takes the sign of
the divisor, a NaN compares unequal to everything), booleans as 0/1 in arithmetic, and text
compared with a date column as a date in that column's zone. What cannot be written with the
same meaning raises `UnsupportedError`.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from typing import Any, NamedTuple

from mlgate.data.expr import ParsedRule
from mlgate.engines.columns import SqlColumn, UnsupportedError
from mlgate.engines.exact_sql import (
    FLOAT_EXACT,
    double_vs_int,
    flip,
    int_bound,
    int_vs_double,
    int_vs_number,
)
from mlgate.engines.sql import Dialect

_CMP = {ast.Eq: "=", ast.NotEq: "<>", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}


class Typed(NamedTuple):
    """A typed SQL expression. `num`: a double (`nan`: may be NaN); `int`: an exact integer in
    [lo, hi] (constants: `value`); `bool`, `str`, `strlit` (the text itself), `time`, `tz:…`."""

    kind: str
    sql: str
    nan: bool = False
    lo: int = 0
    hi: int = 0
    value: int | float | None = None  # a number known now


#: The integers numpy holds in an int64 or uint64 array (others make a list of objects).
_NUMPY_INTS = (-(2**63), 2**64 - 1)


def in_list(
    d: Dialect,
    kind: str,
    expr: str,
    items: list[Any],
    dtype: str = "float64",
    as_isin: bool = True,
) -> str | None:
    """`expr IN (...)` with the items pandas would match for a column of `kind` and (pandas)
    `dtype`: equality is exact (a boolean equals 0/1, text never equals a number) between the
    items as pandas' `isin` reads them (`as_isin`: one float among numbers alone makes them
    all float64, rounding integers beyond 2**53) or as they are (numpy's `isin` on objects, in
    rules). None when none can match."""
    if kind in ("string", "category"):
        keep = [d.text(v) for v in items if isinstance(v, str)]
        target = d.as_text(expr) if kind == "category" else expr
        return f"{target} IN ({', '.join(keep)})" if keep else None
    if kind not in ("integer", "float", "boolean"):
        raise UnsupportedError(f"a list of values on a {kind} column")
    numbers: list[int | float] = [v for v in items if isinstance(v, (int, float))]
    if (
        as_isin
        and not any(isinstance(v, str) for v in items)
        and any(isinstance(v, float) for v in numbers)
        and all(_NUMPY_INTS[0] <= v <= _NUMPY_INTS[1] for v in numbers if isinstance(v, int))
    ):  # numpy makes such a list float64; an integer no int64/uint64 holds keeps it objects
        numbers = [float(v) for v in numbers]
    if kind == "integer" and not dtype.startswith("float"):
        lo, hi = int_bound(dtype)
        ints = {int(v) for v in numbers if _whole(v) and lo <= v <= hi}
        keep = [d.int_literal(v) for v in sorted(ints)]
        target = expr
    else:
        doubles = {float(v) for v in numbers if isinstance(v, float) or _is_double(v)}
        keep = [d.number(v) for v in sorted(doubles, key=repr)]
        target = d.double(f"CAST({expr} AS INTEGER)" if kind == "boolean" else expr)
    return f"{target} IN ({', '.join(keep)})" if keep else None


def _whole(v: int | float) -> bool:
    return isinstance(v, int) or (math.isfinite(v) and v == math.floor(v))


def _is_double(v: int) -> bool:
    """Whether an integer is a double exactly (what else no double equals)."""
    try:
        return int(float(v)) == v
    except OverflowError:
        return False


def compile_rule(
    rule: ParsedRule,
    d: Dialect,
    column: Callable[[str], tuple[SqlColumn, int]],
    guards: list[tuple[str, str]] | None = None,
) -> str:
    """The SQL of `rule` as a boolean (true: the row passes); `column(name)` gives a column's
    type and its number of missing values (rows with any missing operand are skipped).

    Integer columns (without missing values: pandas holds those as float64) and integer
    constants stay exact integers through `+`, `-`, `*` and comparisons, as in
    `mlgate.data.exact`; `/`, `//`, `%` and `**` compute in doubles, which is the pandas
    engine's meaning while their integers are within 2**53: each such operation on integers
    that may be larger adds to `guards` a (reason, SQL condition) the caller counts over every
    row; a row meeting one means this rule cannot be computed here with the same meaning."""

    def col(name: str) -> Typed:
        sc, nulls = column(name)
        kind, dtype = sc.with_nulls(nulls)
        x = d.ident(sc.name)
        if kind == "integer":
            lo, hi = int_bound(dtype)
            return Typed("int", x, lo=lo, hi=hi)
        if kind == "float":
            return Typed("num", d.double(x))
        if kind == "boolean":
            return Typed("bool", x)
        if kind in ("string", "category"):
            return Typed("str", d.as_text(x) if kind == "category" else x)
        if kind == "datetime":
            return Typed(("tz:" + sc.tz) if sc.tz else "time", x)
        raise UnsupportedError(f"column `{name}` of kind {kind} in a rule")

    def as_bool(t: Typed) -> str:
        if t.kind == "bool":
            return t.sql
        if t.kind in ("num", "int"):
            return f"({t.sql} <> 0)"  # NaN is true, as in numpy
        raise UnsupportedError(f"{t.kind} as a condition")

    def as_num(t: Typed) -> Typed:
        """A number: booleans are the integers 0 and 1."""
        if t.kind == "bool":
            return Typed("int", f"CAST({t.sql} AS INTEGER)", lo=0, hi=1)
        if t.kind not in ("num", "int"):
            raise UnsupportedError(f"arithmetic on {t.kind}")
        return t

    def as_double(t: Typed) -> Typed:
        if t.kind == "num":
            return t
        if t.value is not None:
            try:
                v = float(t.value)
            except OverflowError:
                raise UnsupportedError(f"{t.value} in floating point") from None
            return Typed("num", d.number(v), value=v)
        return Typed("num", d.int_to_double(t.sql, _bound(t)))

    def stamp(text: str, kind: str) -> str:
        import pandas as pd

        try:
            ts = pd.Timestamp(text)
            if kind.startswith("tz:") and ts.tzinfo is None:
                ts = ts.tz_localize(kind[3:])
        except (ValueError, TypeError) as exc:  # pandas reports it as the rule's problem
            raise UnsupportedError(str(exc)) from exc
        if kind.startswith("tz:"):
            return d.timestamp(ts, zoned=True)
        if ts.tzinfo is not None:
            ts = ts.tz_convert("UTC").tz_localize(None)
        return d.timestamp(ts, zoned=False)

    def numbers(sym: str, a: Typed, b: Typed) -> str:
        """`a sym b` for numbers, exact between integers and doubles; NaN compares false."""
        if a.kind == "int" and b.kind == "int":
            if b.value is not None:
                return int_vs_number(d, sym, a.sql, a.lo, a.hi, b.value)
            if a.value is not None:
                return int_vs_number(d, flip(sym), b.sql, b.lo, b.hi, a.value)
            return f"({a.sql} {sym} {b.sql})"  # exact across integer types
        if a.kind == "int":
            return numbers(flip(sym), b, a)
        if b.kind == "int":  # a double against an integer
            if b.value is not None:
                plain = double_vs_int(d, sym, a.sql, int(b.value))
            elif a.value is not None:
                plain = int_vs_number(d, flip(sym), b.sql, b.lo, b.hi, a.value)
            else:
                plain = int_vs_double(d, flip(sym), b.sql, _bound(b), a.sql)
            return _unless_nan(d, sym, plain, [a])
        if a.value is not None and b.value is not None:
            return "TRUE" if _py_compare(sym, a.value, b.value) else "FALSE"
        return _unless_nan(d, sym, f"({a.sql} {sym} {b.sql})", [a, b])

    def compare(op: ast.cmpop, a: Typed, b: Typed) -> str:
        sym = _CMP[type(op)]
        ka, kb = a.kind, b.kind
        if ka in ("num", "int", "bool") and kb in ("num", "int", "bool"):
            return numbers(sym, as_num(a), as_num(b))
        if ka in ("str", "strlit") and kb in ("str", "strlit"):
            left = d.text(a.sql) if ka == "strlit" else a.sql
            right = d.text(b.sql) if kb == "strlit" else b.sql
            return f"({left} {sym} {right})"
        if (ka == "time" or ka.startswith("tz:")) and kb == "strlit":
            return f"({a.sql} {sym} {stamp(b.sql, ka)})"
        if (kb == "time" or kb.startswith("tz:")) and ka == "strlit":
            return f"({stamp(a.sql, kb)} {sym} {b.sql})"
        if ka == kb and ka != "strlit":
            return f"({a.sql} {sym} {b.sql})"
        if sym in ("=", "<>") and {ka, kb} & {"str", "strlit"} and {ka, kb} & {"num", "int"}:
            return "TRUE" if sym == "<>" else "FALSE"  # text never equals a number
        raise UnsupportedError(f"comparing {ka} with {kb}")

    def integers(op: ast.operator, a: Typed, b: Typed) -> Typed:
        """`a op b` (+ - *) of integers, exact (no overflow: wider types beyond 64 bits)."""
        sym = _ARITH[type(op)]
        if isinstance(op, ast.Add):
            lo, hi = a.lo + b.lo, a.hi + b.hi
        elif isinstance(op, ast.Sub):
            lo, hi = a.lo - b.hi, a.hi - b.lo
        else:
            ends = [x * y for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
            lo, hi = min(ends), max(ends)
        bound = max(abs(lo), abs(hi))
        if bound > d.exact_limit:
            raise UnsupportedError(
                f"integers beyond {d.exact_type}: `{sym}` may reach about 2**{bound.bit_length()}"
            )
        return Typed("int", f"({d.widen(a.sql, bound)} {sym} {d.widen(b.sql, bound)})",
                     lo=lo, hi=hi)  # fmt: skip

    def guard(sym: str, *sides: Typed) -> None:
        """The pandas engine computes `sym` in doubles only while its integers are within
        2**53: a row where one is beyond means it computes otherwise (the caller checks)."""
        if sym == "**":  # in doubles whatever the size
            return
        if any(t.value is not None and _bound(t) > FLOAT_EXACT for t in sides):
            raise UnsupportedError(f"`{sym}` on integers beyond 2**53")
        limit = d.int_literal(FLOAT_EXACT)
        for t in sides:
            if t.value is None and _bound(t) > FLOAT_EXACT:
                if guards is None:
                    raise UnsupportedError(f"`{sym}` on integers that may be beyond 2**53")
                guards.append(
                    (f"`{sym}` on integers beyond 2**53",
                     f"({t.sql} > {limit} OR {t.sql} < -{limit})")
                )  # fmt: skip

    def ev(node: ast.AST) -> Typed:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool):
                return Typed("bool", "TRUE" if v else "FALSE")
            if isinstance(v, int):
                lit = d.int_literal(v) if abs(v) <= d.exact_limit else "NULL"
                return Typed("int", lit, lo=v, hi=v, value=v)
            if isinstance(v, float):
                return Typed("num", d.number(v), v != v or math.isinf(v), value=v)
            if isinstance(v, str):
                return Typed("strlit", v)
            raise UnsupportedError(f"literal {v!r}")
        if isinstance(node, ast.Name):
            if node.id in ("True", "False"):
                return Typed("bool", node.id.upper())
            return col(rule.names[node.id])
        if isinstance(node, ast.BoolOp):
            joiner = " AND " if isinstance(node.op, ast.And) else " OR "
            return Typed("bool", "(" + joiner.join(as_bool(ev(v)) for v in node.values) + ")")
        if isinstance(node, ast.UnaryOp):
            t = ev(node.operand)
            if isinstance(node.op, (ast.Not, ast.Invert)):
                return Typed("bool", f"(NOT {as_bool(t)})")
            t = as_num(t)
            if not isinstance(node.op, ast.USub):
                return t
            if t.kind == "int":
                return integers(ast.Sub(), Typed("int", "0", value=0), t)
            return Typed("num", f"(-{t.sql})", t.nan)
        if isinstance(node, ast.BinOp):
            left, right = ev(node.left), ev(node.right)
            if isinstance(node.op, (ast.BitAnd, ast.BitOr)):
                joiner = " AND " if isinstance(node.op, ast.BitAnd) else " OR "
                return Typed("bool", f"({as_bool(left)}{joiner}{as_bool(right)})")
            a, b = as_num(left), as_num(right)
            if type(node.op) in _ARITH and a.kind == "int" and b.kind == "int":
                return integers(node.op, a, b)
            if a.kind == "int" and b.kind == "int":
                guard(_SYMBOL[type(node.op)], a, b)
            a, b = as_double(a), as_double(b)
            if type(node.op) in _ARITH:
                return Typed("num", d.arith(_ARITH[type(node.op)], a.sql, b.sql), True)
            if isinstance(node.op, ast.Div):
                return Typed("num", d.divide(a.sql, b.sql), True)
            if isinstance(node.op, ast.FloorDiv):
                return Typed("num", _floor_divide(d, a.sql, b.sql), True)
            if isinstance(node.op, ast.Pow):
                return Typed("num", d.power(a.sql, b.sql), True)
            if isinstance(node.op, ast.Mod):
                m = d.fmod(a.sql, b.sql)
                return Typed(
                    "num",
                    f"(CASE WHEN {b.sql} = 0 THEN {d.number(float('nan'))} "
                    f"WHEN {m} <> 0 AND (({b.sql} < 0) <> ({m} < 0)) THEN {m} + {b.sql} "
                    f"ELSE {m} END)",
                    True,
                )
            raise UnsupportedError(type(node.op).__name__)
        if isinstance(node, ast.Compare):
            parts: list[str] = []
            left = ev(node.left)
            for op, comp in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, (ast.In, ast.NotIn)):
                    assert isinstance(comp, (ast.List, ast.Tuple))
                    items = [e.value for e in comp.elts if isinstance(e, ast.Constant)]
                    kind = {"num": "float", "int": "integer", "bool": "boolean",
                            "str": "string"}.get(left.kind)  # fmt: skip
                    if kind is None:
                        raise UnsupportedError(f"`in` on {left.kind}")
                    hit = _in(d, kind, left, items) or "FALSE"
                    parts.append(f"(NOT {hit})" if isinstance(op, ast.NotIn) else hit)
                    continue
                right = ev(comp)
                parts.append(compare(op, left, right))
                left = right
            return Typed("bool", "(" + " AND ".join(parts) + ")")
        raise UnsupportedError(type(node).__name__)

    return as_bool(ev(rule.tree))


_SYMBOL = {ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**"}


def _bound(t: Typed) -> int:
    return max(abs(t.lo), abs(t.hi))


def _in(d: Dialect, kind: str, t: Typed, items: list[Any]) -> str | None:
    """`t in [...]` as numpy's `isin` on objects: exact equality (NaN never matches)."""
    if kind != "integer":
        return in_list(d, kind, t.sql, items, as_isin=False)
    whole = sorted({int(v) for v in items if isinstance(v, (int, float)) and _whole(v)})
    hits = [int_vs_number(d, "=", t.sql, t.lo, t.hi, v) for v in whole]
    hits = [h for h in hits if h != "FALSE"]
    return "(" + " OR ".join(hits) + ")" if hits else None


def _py_compare(sym: str, a: float, b: float) -> bool:
    import operator

    ops = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
           "=": operator.eq, "<>": operator.ne}  # fmt: skip
    return bool(ops[sym](a, b))


def _unless_nan(d: Dialect, sym: str, plain: str, sides: list[Typed]) -> str:
    """A comparison of doubles where a NaN side compares false (true for `<>`), as in numpy
    (SQL engines sort NaN above every number)."""
    nan = " OR ".join(d.isnan(t.sql) for t in sides if t.nan)
    if not nan:
        return plain
    return f"(CASE WHEN {nan} THEN {'TRUE' if sym == '<>' else 'FALSE'} ELSE {plain} END)"


def _floor_divide(d: Dialect, a: str, b: str) -> str:
    """`a // b` as numpy computes it: an infinite dividend gives NaN (±inf over a zero), and a
    finite one over an infinite divisor of the other sign gives -1 (not floor(-0.0)). NaN sorts
    above every number in the SQL engines, so `a < inf` also says "not NaN"."""
    inf, ninf, nan = (d.number(v) for v in (math.inf, -math.inf, math.nan))
    finite = f"({a} > {ninf} AND {a} < {inf})"
    return (
        f"(CASE WHEN {a} = {inf} OR {a} = {ninf} "
        f"THEN (CASE WHEN {b} = 0 THEN {d.divide(a, b)} ELSE {nan} END) "
        f"WHEN ({b} = {inf} OR {b} = {ninf}) AND {finite} AND {a} <> 0 "
        f"AND (({a} < 0) <> ({b} < 0)) THEN {d.number(-1.0)} "
        f"ELSE {d.floor(d.divide(a, b))} END)"
    )
