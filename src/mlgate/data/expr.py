"""Row rules: a safe subset of the pandas-eval syntax (column arithmetic and comparisons only).

`parse_rule` runs at load time (no pandas): it rejects anything but column names, literals,
arithmetic, comparisons, `and`/`or`/`not` (`&`, `|`, `~`) and `in [...]`, so a rule can never
call a function or reach an attribute. `evaluate` computes a parsed rule on numpy arrays.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_BACKTICK = re.compile(r"`([^`]*)`")

_BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_,
}
_CMPOPS: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


class RuleSyntaxError(ValueError):
    """The rule is not valid or uses something other than column arithmetic and comparisons."""


@dataclass(frozen=True)
class ParsedRule:
    text: str
    tree: ast.Expression
    names: Mapping[str, str]  # python identifier -> column name

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.names.values()))


def parse_rule(text: str) -> ParsedRule:
    """Parse and vet a rule; `RuleSyntaxError` says what is wrong."""
    names: dict[str, str] = {}

    def quote(m: re.Match[str]) -> str:
        ident = f"__col{len(names)}__"
        names[ident] = m.group(1)
        return ident

    source = _BACKTICK.sub(quote, text)
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (MemoryError, RecursionError):
        raise RuleSyntaxError(f"rule {text[:60]!r}... is too deeply nested") from None
    except SyntaxError as exc:
        shown = text if len(text) <= 200 else text[:200] + "..."
        raise RuleSyntaxError(
            f"invalid expression {shown!r}: {exc.msg} (a column name with spaces or symbols, or "
            "one that is a Python keyword, goes in backticks: `my col` > 0)"
        ) from None
    for node in ast.walk(tree):
        _vet(node, text)
        if isinstance(node, ast.Name) and node.id not in names:
            if node.id in ("True", "False"):
                continue
            names[node.id] = node.id
    return ParsedRule(text, tree, names)


_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.Invert,
    ast.BinOp,
    ast.Compare,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.List,
    ast.Tuple,
    ast.In,
    ast.NotIn,
    *_BINOPS,
    *_CMPOPS,
)


def _vet(node: ast.AST, text: str) -> None:
    if not isinstance(node, _ALLOWED):
        what = type(node).__name__
        hint = ""
        if isinstance(node, ast.Call):
            what = "a function call"
        elif isinstance(node, ast.Attribute):
            what = f"attribute access (.{node.attr})"
            if isinstance(node.value, ast.Name):
                name = f"{node.value.id}.{node.attr}"
                hint = f"; a column named {name!r} goes in backticks: `{name}`"
        elif isinstance(node, ast.Subscript):
            what = "a subscript ([...])"
        raise RuleSyntaxError(
            f"{what} is not allowed in rule {text!r}: only column names, numbers, strings, "
            f"arithmetic, comparisons, and/or/not and `in [...]`{hint}"
        )
    if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str, bool)):
        raise RuleSyntaxError(f"literal {node.value!r} is not allowed in rule {text!r}")
    if isinstance(node, ast.BinOp) and any(
        isinstance(side, ast.Constant) and isinstance(side.value, str)
        for side in (node.left, node.right)
    ):
        raise RuleSyntaxError(f"text cannot take part in arithmetic in rule {text!r}")
    if isinstance(node, (ast.List, ast.Tuple)) and not all(
        isinstance(e, ast.Constant) for e in node.elts
    ):
        raise RuleSyntaxError(f"a list in rule {text!r} may hold literals only")
    if isinstance(node, ast.Compare):
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, (ast.In, ast.NotIn)) != isinstance(right, (ast.List, ast.Tuple)):
                raise RuleSyntaxError(f"`in` needs a literal list, as in `x in [1, 2]`: {text!r}")


def evaluate(rule: ParsedRule, column: Callable[[str], Any]) -> Any:
    """The rule's value (a boolean array) with `column(name)` giving each column's values."""
    import numpy as np

    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, int) and not isinstance(value, bool):
                # numpy numbers: constant arithmetic (9**9**9) overflows at once, never hangs
                return np.int64(value) if abs(value) < 2**62 else np.float64(value)
            return value
        if isinstance(node, ast.Name):
            if node.id in ("True", "False"):
                return node.id == "True"
            return column(rule.names[node.id])
        if isinstance(node, ast.BoolOp):
            values = [np.asarray(ev(v), dtype=bool) for v in node.values]
            combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            out = values[0]
            for v in values[1:]:
                out = combine(out, v)
            return out
        if isinstance(node, ast.UnaryOp):
            value = ev(node.operand)
            if isinstance(node.op, (ast.Not, ast.Invert)):
                return np.logical_not(np.asarray(value, dtype=bool))
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp):
            left, right = ev(node.left), ev(node.right)
            if isinstance(node.op, (ast.BitAnd, ast.BitOr)):
                left, right = np.asarray(left, dtype=bool), np.asarray(right, dtype=bool)
            return _BINOPS[type(node.op)](left, right)
        if isinstance(node, ast.Compare):
            result: Any = True
            left = ev(node.left)
            for op, comp in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, (ast.In, ast.NotIn)):
                    assert isinstance(comp, (ast.List, ast.Tuple))
                    items = [e.value for e in comp.elts if isinstance(e, ast.Constant)]
                    part = np.isin(np.asarray(left, dtype=object), np.asarray(items, dtype=object))
                    part = np.logical_not(part) if isinstance(op, ast.NotIn) else part
                    right = None
                else:
                    right = ev(comp)
                    part = _CMPOPS[type(op)](*_dates_from_text(left, right))
                result = np.logical_and(result, np.asarray(part, dtype=bool))
                left = right
            return result
        raise RuleSyntaxError(f"cannot evaluate {type(node).__name__}")  # vetted: unreachable

    return ev(rule.tree)


def _dates_from_text(left: Any, right: Any) -> tuple[Any, Any]:
    """A date column compared with text (`signup >= '2020-01-01'`): the text read as a date,
    in the column's time zone when it names none (as pandas does)."""
    if isinstance(right, str) and _is_dates(left):
        return left, _as_timestamp(right, left)
    if isinstance(left, str) and _is_dates(right):
        return _as_timestamp(left, right), right
    return left, right


def _is_dates(values: Any) -> bool:
    return getattr(getattr(values, "dtype", None), "kind", "") == "M"


def _as_timestamp(text: str, like: Any) -> Any:
    import pandas as pd

    ts = pd.Timestamp(text)
    tz = getattr(like.dtype, "tz", None)
    if tz is not None and ts.tzinfo is None:
        return ts.tz_localize(tz)
    if tz is None and ts.tzinfo is not None:
        return ts.tz_convert("UTC").tz_localize(None)
    return ts
