"""A relation's columns as the pandas engine sees them: kind and dtype from the Arrow type.

Every engine reads the same Arrow schema pyarrow gives (parquet metadata, or the table pyarrow
parsed), so `type` checks and their messages are the same on every engine. Pandas turns an
integer column with missing values into float64 and a boolean one into object; `with_nulls`
applies that.
"""

from __future__ import annotations

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

    frame = schema.empty_table().to_pandas(date_as_object=False)
    out: dict[str, SqlColumn] = {}
    for field in schema:
        t = field.type
        dtype = str(frame[field.name].dtype) if field.name in frame else str(t)
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
