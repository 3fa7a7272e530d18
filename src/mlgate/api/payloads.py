"""Dataset rows as JSON payloads: missing values become null, numpy/pandas values plain JSON."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def json_value(value: Any) -> Any:
    """A JSON-safe version of one cell (NaN/NA/NaT -> None, numpy scalars -> Python)."""
    import numpy as np
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.floating) and value.dtype.itemsize < 8:
        value = float(str(value))  # float32 0.1 is sent as 0.1, not 0.10000000149011612
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (dt.timedelta, pd.Timedelta)):
        return value.total_seconds()
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray):
        return [json_value(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (str, int, bool)):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def rows_as_payloads(
    df: pd.DataFrame,
    rows: int,
    columns: Sequence[str] | None = None,
    exclude: Iterable[str] = (),
) -> list[tuple[Any, dict[str, Any]]]:
    """The first `rows` rows as (index, payload) pairs."""
    from mlgate.errors import CheckError
    from mlgate.registry import suggest

    names = [str(c) for c in df.columns]
    if columns:
        missing = [c for c in columns if c not in names]
        if missing:
            raise CheckError(
                f"columns not in the dataset: {', '.join(missing)}{suggest(missing[0], names)}"
            )
    wanted = [c for c in (columns or names) if c not in set(exclude)]
    # JSON keys are text: a column labelled 3 (an integer) is sent, named and excluded as "3"
    position: dict[str, int] = {}
    for i, name in enumerate(names):
        position.setdefault(name, i)
    part = df.head(rows).iloc[:, [position[c] for c in wanted]]
    part.columns = wanted
    records = part.to_dict(orient="records")
    # to_dict widens float32 to Python floats (0.1 -> 0.10000000149011612): take those cells
    # from the column's own values, which keep their precision
    for i, name in enumerate(wanted):
        values = part.iloc[:, i].to_numpy()
        if values.dtype.kind == "f" and values.dtype.itemsize < 8:
            for record, value in zip(records, values, strict=True):
                record[name] = value
    out: list[tuple[Any, dict[str, Any]]] = []
    for index, record in zip(part.index, records, strict=True):
        out.append((json_value(index), {str(k): json_value(v) for k, v in record.items()}))
    return out
