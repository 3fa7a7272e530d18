"""Query results read without pandas hold the values pandas would give (`to_pandas().tolist()`):
the same types and values, NaN where pandas has NaN, on random columns with missing values."""

from __future__ import annotations

import decimal
import math
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgate.engines.rows import python_values, read_rows

TYPES = {
    "int64": (pa.int64(), st.integers(-(2**63), 2**63 - 1)),
    "uint8": (pa.uint8(), st.integers(0, 255)),
    "float64": (pa.float64(), st.floats(allow_nan=True, allow_infinity=True)),
    "float32": (pa.float32(), st.floats(width=32)),
    "string": (pa.string(), st.text(max_size=5)),
    "large_string": (pa.large_string(), st.text(max_size=3)),
    "bool": (pa.bool_(), st.booleans()),
    "category": (pa.dictionary(pa.int32(), pa.string()), st.sampled_from(["a", "b", "ü"])),
    "decimal": (pa.decimal128(38, 0), st.integers(-(10**30), 10**30).map(decimal.Decimal)),
    "timestamp": (pa.timestamp("us"), st.integers(0, 2**40)),
    "zoned": (pa.timestamp("ns", tz="Europe/Paris"), st.integers(0, 2**60)),
    "date": (pa.date32(), st.integers(0, 30_000)),
}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and (a == b or (a != a and b != b))


@st.composite
def columns(draw: Any) -> tuple[str, pa.Array]:
    name = draw(st.sampled_from(sorted(TYPES)))
    typ, values = TYPES[name]
    items = draw(st.lists(st.none() | values, max_size=8))
    if name == "category":
        return name, pa.array(items, pa.string()).dictionary_encode()
    return name, pa.array(items, typ)


@settings(max_examples=300, deadline=None)
@given(column=columns())
def test_values_are_those_pandas_gives(column: tuple[str, pa.Array]) -> None:
    name, array = column
    want = pa.chunked_array([array]).to_pandas(date_as_object=False).tolist()
    got = python_values(pa.chunked_array([array]))
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert _same(g, w), (name, g, w)


def test_rows_by_name_and_by_record() -> None:
    rows = read_rows(pa.table({"n": pa.array([1, None], pa.int64()), "s": ["a", None]}))
    assert len(rows) == 2
    assert rows["n"][0] == 1.0
    assert isinstance(rows["n"][0], float)  # float64 in pandas: the column has a missing value
    assert math.isnan(rows["n"][1])
    assert rows.first() == {"n": 1.0, "s": "a"}
    assert rows.records()[0] == {"n": 1.0, "s": "a"}
