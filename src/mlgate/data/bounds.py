"""`min`/`max` bounds of the config as values a column's values compare with (every engine).

Pandas is imported only for a date bound (a `Timestamp` in the column's zone).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

NUMERIC = ("integer", "float")


def today_end() -> pd.Timestamp:
    """The last instant of today (UTC date), so `max: today` admits every time of today."""
    import pandas as pd

    day = dt.datetime.now(dt.UTC).date()
    return pd.Timestamp(day) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)


def bound_value(value: Any, kind: str, tz: Any = None) -> tuple[Any, str | None]:
    """A YAML bound as a value comparable with a column of `kind` (dates: in zone `tz`, None
    for zone-less ones), or a reason it is not."""
    if kind == "datetime":
        if not isinstance(value, str):
            return None, f"bound {value!r} is a number but the column holds dates"
        import pandas as pd

        if value == "today":
            ts = today_end()
            return (ts.tz_localize("UTC").tz_convert(tz) if tz is not None else ts), None
        try:
            ts = pd.Timestamp(value)
        except ValueError:
            return None, f"bound {value!r} is not a date/time (e.g. 2024-01-31 or today)"
        if tz is not None and ts.tzinfo is None:  # a date in the column's own zone, as pandas
            ts = ts.tz_localize(tz)
        elif tz is None and ts.tzinfo is not None:  # zone-less dates are taken as UTC
            ts = ts.tz_convert("UTC").tz_localize(None)
        return ts, None
    if kind in NUMERIC:
        if isinstance(value, (str, bool)):
            return None, f"bound {value!r} is not a number but the column holds numbers"
        return value, None
    return None, f"`min`/`max` need numbers or dates; the column holds {kind} values"
