"""Request bodies as a model's input frame (scores and labels come from `mlgate.model.scoring`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def records_frame(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """JSON bodies as a DataFrame: null -> NaN in numeric columns, all-null columns as float."""
    import pandas as pd

    df = pd.DataFrame.from_records(list(records))
    for col in df.columns:
        if df[col].isna().all():
            df[col] = df[col].astype(float)
    return df.infer_objects()
