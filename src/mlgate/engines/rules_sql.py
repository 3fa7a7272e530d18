"""Row rules (`mlgate.data.expr`) compiled to SQL with the pandas engine's semantics.

The pandas engine computes numbers as float64 (so `/` is true division, `%` takes the sign of
the divisor, a NaN compares unequal to everything), booleans as 0/1 in arithmetic, and text
compared with a date column as a date in that column's zone. What cannot be written with the
same meaning raises `UnsupportedError`.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from typing import Any

from mlgate.data.expr import ParsedRule
from mlgate.engines.columns import SqlColumn, UnsupportedError
from mlgate.engines.sql import Dialect

_CMP = {ast.Eq: "=", ast.NotEq: "<>", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}

# a typed SQL expression: (type, sql, may_be_nan)
Typed = tuple[str, str, bool]


def in_list(d: Dialect, kind: str, expr: str, items: list[Any]) -> str | None:
    """`expr IN (...)` with the items pandas' `isin` would match for a column of `kind` (a
    boolean equals 0/1, text never equals a number); None when none can match."""
    if kind in ("integer", "float", "boolean"):
        keep = [d.number(float(v)) for v in items if isinstance(v, (int, float))]
        target = d.double(f"CAST({expr} AS INTEGER)" if kind == "boolean" else expr)
    elif kind in ("string", "category"):
        keep = [d.text(v) for v in items if isinstance(v, str)]
        target = d.as_text(expr) if kind == "category" else expr
    else:
        raise UnsupportedError(f"a list of values on a {kind} column")
    if not keep:
        return None
    return f"{target} IN ({', '.join(keep)})"


def compile_rule(
    rule: ParsedRule, d: Dialect, column: Callable[[str], tuple[SqlColumn, int]]
) -> str:
    """The SQL of `rule` as a boolean (true: the row passes); `column(name)` gives a column's
    type and its number of missing values (rows with any missing operand are skipped)."""

    def col(name: str) -> Typed:
        sc, nulls = column(name)
        kind, _ = sc.with_nulls(nulls)
        x = d.ident(sc.name)
        if kind in ("integer", "float"):
            return "num", d.double(x), False
        if kind == "boolean":
            return "bool", x, False
        if kind in ("string", "category"):
            return "str", d.as_text(x) if kind == "category" else x, False
        if kind == "datetime":
            return ("tz:" + sc.tz) if sc.tz else "time", x, False
        raise UnsupportedError(f"column `{name}` of kind {kind} in a rule")

    def as_bool(t: Typed) -> str:
        kind, sql, _ = t
        if kind == "bool":
            return sql
        if kind == "num":
            return f"({sql} <> 0)"  # NaN is true, as in numpy
        raise UnsupportedError(f"{kind} as a condition")

    def as_num(t: Typed) -> Typed:
        if t[0] == "bool":
            return "num", f"CAST({t[1]} AS INTEGER)", False
        if t[0] != "num":
            raise UnsupportedError(f"arithmetic on {t[0]}")
        return t

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

    def compare(op: ast.cmpop, a: Typed, b: Typed) -> str:
        sym = _CMP[type(op)]
        ka, kb = a[0], b[0]
        if ka in ("num", "bool") and kb in ("num", "bool"):
            a, b = as_num(a), as_num(b)
            plain = f"({a[1]} {sym} {b[1]})"
            if not (a[2] or b[2]):
                return plain
            nan = " OR ".join(d.isnan(x[1]) for x in (a, b) if x[2])
            return f"(CASE WHEN {nan} THEN {'TRUE' if sym == '<>' else 'FALSE'} ELSE {plain} END)"
        if ka in ("str", "strlit") and kb in ("str", "strlit"):
            left = d.text(a[1]) if ka == "strlit" else a[1]
            right = d.text(b[1]) if kb == "strlit" else b[1]
            return f"({left} {sym} {right})"
        if (ka == "time" or ka.startswith("tz:")) and kb == "strlit":
            return f"({a[1]} {sym} {stamp(b[1], ka)})"
        if (kb == "time" or kb.startswith("tz:")) and ka == "strlit":
            return f"({stamp(a[1], kb)} {sym} {b[1]})"
        if ka == kb and ka != "strlit":
            return f"({a[1]} {sym} {b[1]})"
        if sym in ("=", "<>") and {ka, kb} & {"str", "strlit"} and {ka, kb} & {"num", "bool"}:
            return "TRUE" if sym == "<>" else "FALSE"  # text never equals a number
        raise UnsupportedError(f"comparing {ka} with {kb}")

    def ev(node: ast.AST) -> Typed:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool):
                return "bool", "TRUE" if v else "FALSE", False
            if isinstance(v, (int, float)):
                return "num", d.number(float(v)), v != v or v in (float("inf"), float("-inf"))
            if isinstance(v, str):
                return "strlit", v, False
            raise UnsupportedError(f"literal {v!r}")
        if isinstance(node, ast.Name):
            if node.id in ("True", "False"):
                return "bool", node.id.upper(), False
            return col(rule.names[node.id])
        if isinstance(node, ast.BoolOp):
            joiner = " AND " if isinstance(node.op, ast.And) else " OR "
            return "bool", "(" + joiner.join(as_bool(ev(v)) for v in node.values) + ")", False
        if isinstance(node, ast.UnaryOp):
            t = ev(node.operand)
            if isinstance(node.op, (ast.Not, ast.Invert)):
                return "bool", f"(NOT {as_bool(t)})", False
            t = as_num(t)
            return ("num", f"(-{t[1]})", t[2]) if isinstance(node.op, ast.USub) else t
        if isinstance(node, ast.BinOp):
            left, right = ev(node.left), ev(node.right)
            if isinstance(node.op, (ast.BitAnd, ast.BitOr)):
                joiner = " AND " if isinstance(node.op, ast.BitAnd) else " OR "
                return "bool", f"({as_bool(left)}{joiner}{as_bool(right)})", False
            a, b = as_num(left), as_num(right)
            if type(node.op) in _ARITH:
                return "num", f"({a[1]} {_ARITH[type(node.op)]} {b[1]})", True
            if isinstance(node.op, ast.Div):
                return "num", d.divide(a[1], b[1]), True
            if isinstance(node.op, ast.FloorDiv):
                return "num", _floor_divide(d, a[1], b[1]), True
            if isinstance(node.op, ast.Pow):
                return "num", d.power(a[1], b[1]), True
            if isinstance(node.op, ast.Mod):
                m = d.fmod(a[1], b[1])
                return (
                    "num",
                    f"(CASE WHEN {b[1]} = 0 THEN {d.number(float('nan'))} "
                    f"WHEN {m} <> 0 AND (({b[1]} < 0) <> ({m} < 0)) THEN {m} + {b[1]} "
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
                    kind = {"num": "float", "bool": "boolean", "str": "string"}.get(left[0])
                    if kind is None:
                        raise UnsupportedError(f"`in` on {left[0]}")
                    hit = in_list(d, kind, left[1], items) or "FALSE"
                    parts.append(f"(NOT {hit})" if isinstance(op, ast.NotIn) else hit)
                    continue
                right = ev(comp)
                parts.append(compare(op, left, right))
                left = right
            return "bool", "(" + " AND ".join(parts) + ")", False
        raise UnsupportedError(type(node).__name__)

    return as_bool(ev(rule.tree))


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
