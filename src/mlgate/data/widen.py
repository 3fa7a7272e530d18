"""A streamed dataset shows its values as a whole-file read would.

A whole-file read types a column once: integers with a missing value anywhere are floats
(`-1.0`), booleans with one are objects. Chunks are typed one by one, so a chunk without a
missing value keeps `int64`/`bool`. `Widening` records what each chunk held and, after the pass,
turns the profile's dtypes, bounds and example values into the whole-file ones, so a report does
not depend on `chunk_rows`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from mlgate.data.backend import Profile, Violation


@dataclass
class Widening:
    kinds: dict[str, set[str]] = field(default_factory=dict)  # numpy dtype kinds per column
    nulls: set[str] = field(default_factory=set)  # columns with a missing value

    def see(self, df: pd.DataFrame, columns: Iterable[str]) -> None:
        for name in columns:
            if name not in df.columns:
                continue
            s = df[name]
            if not isinstance(s.dtype, np.dtype):
                continue  # extension dtypes (Int64, boolean) hold missing values as they are
            self.kinds.setdefault(name, set()).add(s.dtype.kind)
            if name not in self.nulls and bool(s.isna().any()):
                self.nulls.add(name)

    def floats(self) -> set[str]:
        return {
            c for c, k in self.kinds.items() if k & {"i", "u"} and ("f" in k or c in self.nulls)
        }

    def objects(self) -> set[str]:
        return {c for c, k in self.kinds.items() if "b" in k and ("O" in k or c in self.nulls)}

    def apply(self, profile: Profile) -> None:
        floats, objects = self.floats(), self.objects()
        for name, cp in profile.column.items():
            if name in floats:
                if "integer" in cp.kinds:
                    cp.kinds = (cp.kinds - {"integer"}) | {"float"}
                cp.dtypes = [_float_dtype(d) for d in cp.dtypes]
                cp.min, cp.max = _float(cp.min), _float(cp.max)
                for v in cp.checks.values():  # `value` and value counts: the column's values
                    _widen(v, floats | {"value"}, [True])
            elif name in objects:
                cp.dtypes = ["object" if d == "bool" else d for d in cp.dtypes]
        for v in profile.rules.values():
            _widen(v, floats, None)
        for key, v in profile.keys.items():
            _widen(v, floats, [k in floats for k in key])


def _float_dtype(dtype: str) -> str:
    return "float64" if dtype.startswith(("int", "uint")) else dtype


def _float(value: Any) -> Any:
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return float(value)
    return value


def _widen(v: Violation, fields: set[str], wide: list[bool] | None) -> None:
    """Integers as floats: in the examples' `fields`, and in the value counts (a value, or a
    key's tuple of values) where `wide` says so."""
    for example in v.examples:
        for name in fields & set(example):
            if name != "row":
                example[name] = _float(example[name])
    if not wide or not any(wide) or not v.values:
        return
    out: Counter[Any] = Counter()
    for value, n in v.values.items():
        if isinstance(value, tuple):
            value = tuple(_float(x) if w else x for x, w in zip(value, wide, strict=False))
        elif wide[0]:
            value = _float(value)
        out[value] += n
    v.values = out
