"""A query's (small) result as the pandas engine holds its values, without importing pandas.

`Rows` gives each column as a list of Python values equal to those of `to_pandas().tolist()`:
integers (floats where a column has missing values, as pandas' float64), floats and text with
NaN for a missing value (pandas 3's `str`), booleans, decimals, lists. Timestamps and dates are
pandas' own `Timestamp`s (pandas is imported then, for them alone).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mlgate.engines.columns import pandas_major

if TYPE_CHECKING:
    import pyarrow as pa


class Rows:
    """Column lists of a result, by name."""

    def __init__(self, columns: dict[str, list[Any]]) -> None:
        self.columns = columns

    def __getitem__(self, name: str) -> list[Any]:
        return self.columns[name]

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), []))

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def records(self) -> list[dict[str, Any]]:
        """One mapping per row."""
        names = list(self.columns)
        return [
            dict(zip(names, values, strict=True))
            for values in zip(*self.columns.values(), strict=True)
        ]

    def first(self) -> dict[str, Any]:
        """The first row (an aggregate's only one)."""
        return {name: values[0] for name, values in self.columns.items()}


def read_rows(table: pa.Table) -> Rows:
    """`table`'s columns as pandas would give their values (see the module's docstring)."""
    return Rows({name: python_values(table.column(name)) for name in table.schema.names})


def python_values(column: pa.ChunkedArray) -> list[Any]:
    """A column's values as `column.to_pandas().tolist()` gives them."""
    import pyarrow as pa

    t = column.type
    if pa.types.is_timestamp(t) or pa.types.is_date(t) or not _plain(t):
        return column.to_pandas(date_as_object=False).tolist()  # type: ignore[no-any-return]
    values: list[Any] = column.to_pylist()
    if not column.null_count:
        return values
    if pa.types.is_integer(t):  # float64 in pandas
        return [math.nan if v is None else float(v) for v in values]
    if pa.types.is_floating(t) or (_text(t) and pandas_major() >= 3):
        return [math.nan if v is None else v for v in values]
    if pa.types.is_dictionary(t):
        return [math.nan if v is None else v for v in values]
    return values  # booleans, text before pandas 3, decimals, lists: None stays None


def _text(t: pa.DataType) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t))


def _plain(t: pa.DataType) -> bool:
    """Types whose Python values are pandas' (others: pandas converts them)."""
    import pyarrow as pa

    if pa.types.is_dictionary(t):
        return _text(t.value_type)
    return bool(
        pa.types.is_boolean(t)
        or pa.types.is_integer(t)
        or (pa.types.is_floating(t) and not pa.types.is_float16(t))
        or _text(t)
        or pa.types.is_decimal(t)
        or pa.types.is_list(t)
        or pa.types.is_null(t)
    )
