"""A relation's columns as the pandas engine sees them: kind and dtype from the Arrow type.

Every engine reads the same Arrow schema pyarrow gives (parquet metadata, or the table pyarrow
parsed), so `type` checks and their messages are the same on every engine. Pandas turns an
integer column with missing values into float64 and a boolean one into object; `with_nulls`
applies that.
"""

from __future__ import annotations

import functools
import importlib.metadata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa


class UnsupportedError(Exception):
    """The engine cannot compute this exactly as the pandas engine does (files fall back)."""


@dataclass(frozen=True)
class SqlColumn:
    """One column of a relation: its name, pandas kind and dtype (as if it had no nulls)."""

    name: str
    kind: str  # integer | float | boolean | string | category | datetime
    dtype: str
    float32: bool = False
    tz: str | None = None  # the zone of a zoned timestamp column

    def with_nulls(self, nulls: int) -> tuple[str, str]:
        """(kind, dtype) of the column as pandas holds it when it has `nulls` missing values."""
        if nulls and self.kind == "integer":
            return "float", "float64"
        if nulls and self.kind == "boolean":
            return "boolean", "object"
        return self.kind, self.dtype


def arrow_columns(schema: pa.Schema) -> dict[str, SqlColumn]:
    """Columns of an Arrow schema whose values the SQL engines handle exactly (others absent)."""
    import pyarrow as pa

    names = pandas_dtypes(schema)
    out: dict[str, SqlColumn] = {}
    for field in schema:
        t = field.type
        dtype = names.get(field.name, str(t))
        if pa.types.is_boolean(t):
            out[field.name] = SqlColumn(field.name, "boolean", dtype)
        elif pa.types.is_integer(t):
            out[field.name] = SqlColumn(field.name, "integer", dtype)
        elif pa.types.is_floating(t) and not pa.types.is_float16(t):
            out[field.name] = SqlColumn(field.name, "float", dtype, float32=pa.types.is_float32(t))
        elif pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
            out[field.name] = SqlColumn(field.name, "string", dtype)
        elif pa.types.is_timestamp(t):
            out[field.name] = SqlColumn(field.name, "datetime", dtype, tz=t.tz)
        elif pa.types.is_date(t):
            out[field.name] = SqlColumn(field.name, "datetime", dtype)
        elif pa.types.is_dictionary(t) and pa.types.is_string(t.value_type):
            out[field.name] = SqlColumn(field.name, "category", "category")
    return out


def pandas_dtypes(schema: pa.Schema) -> dict[str, str]:
    """The dtype name pandas gives each column of `schema` (`to_pandas`); written out for
    pandas 3 without importing pandas, except zoned timestamps (pandas names their zone)."""
    import pyarrow as pa

    known = pandas_major() >= 3 and not any(
        pa.types.is_timestamp(f.type) and f.type.tz is not None for f in schema
    )
    if not known:
        frame = schema.empty_table().to_pandas(date_as_object=False)
        return {str(c): str(frame[c].dtype) for c in frame.columns}
    out: dict[str, str] = {}
    for field in schema:
        name = _pandas3_dtype(field.type)
        if name is not None:
            out[field.name] = name
    return out


def _pandas3_dtype(t: pa.DataType) -> str | None:
    import pyarrow as pa

    if pa.types.is_boolean(t) or pa.types.is_integer(t):
        return str(t)  # bool, int8 … uint64
    if pa.types.is_float32(t):
        return "float32"
    if pa.types.is_float64(t):
        return "float64"
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return "str"
    if pa.types.is_timestamp(t):
        return f"datetime64[{t.unit}]"
    if pa.types.is_date(t):
        return "datetime64[ms]"
    if pa.types.is_dictionary(t) and pa.types.is_string(t.value_type):
        return "category"
    return None  # a type the engines do not read


@functools.cache
def pandas_major() -> int:
    """The installed pandas' major version, read from its metadata (pandas is not imported)."""
    try:
        head = importlib.metadata.version("pandas").split(".", 1)[0]
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a dependency
        return 0
    return int(head) if head.isdigit() else 0
