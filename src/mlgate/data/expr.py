"""Row rules: a safe subset of the pandas-eval syntax (column arithmetic and comparisons only).

`parse_rule` runs at load time (no pandas): it rejects anything but column names, literals,
arithmetic, comparisons, `and`/`or`/`not` (`&`, `|`, `~`) and `in [...]`, so a rule can never
call a function or reach an attribute. `evaluate` computes a parsed rule on numpy arrays.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_BACKTICK = re.compile(r"`([^`]*)`")
#: Integers up to this many bits may appear in a rule (after folding its constants).
MAX_BITS = 4096

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
    folded = _Fold(text, source.strip()).visit(tree)
    assert isinstance(folded, ast.Expression)
    return ParsedRule(text, folded, names)


def is_int(value: Any) -> bool:
    """A Python integer (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool)


def check_constant(value: Any) -> str | None:
    """Why a (folded) constant cannot be used in a rule, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return "is beyond the floating-point range (about ±1.8e308)"
    if is_int(value) and value.bit_length() > MAX_BITS:
        return f"has more than {MAX_BITS} bits"
    return None


def _number(node: ast.AST) -> int | float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return None if isinstance(node.value, bool) else node.value
    return None


class _Fold(ast.NodeTransformer):
    """Computes the constant parts of a rule once, exactly (Python ints), refusing numbers that
    cannot mean what they say: too large, infinite, or a division by zero."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source  # what was parsed (backticked names replaced)

    def fail(self, what: str) -> RuleSyntaxError:
        shown = self.text if len(self.text) <= 200 else self.text[:200] + "..."
        return RuleSyntaxError(f"in rule {shown!r}: {what}")

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        value = _number(node)
        if value is not None:
            self.checked(value, node)
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        value = _number(node.operand)
        if value is None or not isinstance(node.op, (ast.USub, ast.UAdd)):
            return node
        return ast.copy_location(
            ast.Constant(-value if isinstance(node.op, ast.USub) else value), node
        )

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        left, right = _number(node.left), _number(node.right)
        op = _BINOPS.get(type(node.op))
        if (
            left is None
            or right is None
            or op is None
            or isinstance(node.op, (ast.BitAnd, ast.BitOr))
        ):
            return node
        if (
            isinstance(node.op, ast.Pow)
            and isinstance(left, int)
            and isinstance(right, int)
            and right > 0
            and abs(left) > 1
            and (abs(left).bit_length() - 1) * right > MAX_BITS
        ):
            raise self.fail(f"{left} ** {right} is too large (more than {MAX_BITS} bits)")
        try:
            value = op(left, right)
        except ZeroDivisionError:
            raise self.fail("a division by zero") from None
        except OverflowError:
            raise self.fail(f"{left} {_SYMBOL[type(node.op)]} {right} is too large") from None
        if isinstance(value, complex):
            raise self.fail(f"{left} ** {right} is not a real number")
        self.checked(value, node)
        return ast.copy_location(ast.Constant(value), node)

    def checked(self, value: int | float, node: ast.AST) -> None:
        problem = check_constant(value)
        if problem:
            written = ast.get_source_segment(self.source, node) or repr(value)
            if len(written) > 60:
                written = written[:57] + "..."
            worth = repr(value)
            shown = f"{written} (= {worth})" if worth != written and len(worth) <= 20 else written
            raise self.fail(f"the number {shown} {problem}")


_SYMBOL = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}


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


def _literal(node: ast.AST) -> bool:
    """A constant, or a signed number (`-1`)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _number(node.operand) is not None
    return isinstance(node, ast.Constant)


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
    if isinstance(node, (ast.List, ast.Tuple)) and not all(_literal(e) for e in node.elts):
        raise RuleSyntaxError(f"a list in rule {text!r} may hold literals only")
    if isinstance(node, ast.Compare):
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, (ast.In, ast.NotIn)) != isinstance(right, (ast.List, ast.Tuple)):
                raise RuleSyntaxError(f"`in` needs a literal list, as in `x in [1, 2]`: {text!r}")


def evaluate(rule: ParsedRule, column: Callable[[str], Any]) -> Any:
    """The rule's value (a boolean array) with `column(name)` giving each column's values."""
    import numpy as np

    from mlgate.data.exact import arith, compare, negate

    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            return node.value  # folded and bounded by `parse_rule`
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
            return negate(value) if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp):
            left, right = ev(node.left), ev(node.right)
            if isinstance(node.op, (ast.BitAnd, ast.BitOr)):
                left, right = np.asarray(left, dtype=bool), np.asarray(right, dtype=bool)
                return _BINOPS[type(node.op)](left, right)
            return arith(_BINOPS[type(node.op)], left, right)
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
                    part = compare(_CMPOPS[type(op)], *_dates_from_text(left, right))
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
