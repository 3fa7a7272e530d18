"""The pandas dtype names the SQL engines give columns are those `to_pandas` gives."""

from __future__ import annotations

import pyarrow as pa
import pytest

from mlgate.engines import columns
from mlgate.engines.columns import arrow_columns, pandas_dtypes

TYPES = [
    pa.bool_(), pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint16(),
    pa.uint32(), pa.uint64(), pa.float16(), pa.float32(), pa.float64(), pa.string(),
    pa.large_string(), pa.string_view(), pa.binary(), pa.timestamp("s"), pa.timestamp("ms"),
    pa.timestamp("us"), pa.timestamp("ns"), pa.date32(), pa.date64(), pa.decimal128(10, 2),
    pa.dictionary(pa.int32(), pa.string()), pa.dictionary(pa.int8(), pa.string(), ordered=True),
    pa.dictionary(pa.int32(), pa.large_string()), pa.list_(pa.int64()),
    pa.struct([("a", pa.int64())]),
]  # fmt: skip
ZONED = [pa.timestamp("us", tz="UTC"), pa.timestamp("ns", tz="Europe/Paris"),
         pa.timestamp("s", tz="+01:00")]  # fmt: skip


def _schema(types: list[pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(f"c{i}", t) for i, t in enumerate(types)])


def _pandas_names(schema: pa.Schema) -> dict[str, str]:
    frame = schema.empty_table().to_pandas(date_as_object=False)
    return {str(c): str(frame[c].dtype) for c in frame.columns}


@pytest.mark.parametrize("types", [TYPES, TYPES + ZONED], ids=["written out", "zoned"])
def test_dtype_names_are_those_pandas_gives(types: list[pa.DataType]) -> None:
    schema = _schema(types)
    want = _pandas_names(schema)
    got = pandas_dtypes(schema)
    for name, sc in arrow_columns(schema).items():  # every column an engine reads
        assert sc.dtype == want[name], (schema.field(name).type, sc.dtype, want[name])
        assert got[name] == want[name]


def test_before_pandas_3_the_names_come_from_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(columns, "pandas_major", lambda: 2)
    schema = _schema(TYPES)
    assert pandas_dtypes(schema) == _pandas_names(schema)
