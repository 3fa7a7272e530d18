"""Groups of rows for `slices:` and `fairness:`: a categorical column's values or numeric bins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlgate.errors import CheckError
from mlgate.model.stats import fmt

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

MISSING = "(missing)"
OUTSIDE = "(outside the bins)"


def group_labels(df: pd.DataFrame, by: str, bins: Any = None) -> tuple[np.ndarray, list[str]]:
    """Each row's group name and the groups in display order (bins in order, else by size)."""
    import numpy as np
    import pandas as pd
    from pandas.api import types as t

    if by not in df.columns:
        from mlgate.registry import suggest

        raise CheckError(
            f"column `{by}` is not in the data{suggest(by, list(map(str, df.columns)))}"
        )
    col = df[by]
    if bins is None:
        if col.dtype.kind == "f":
            names = _float_names(col)
        else:
            names = col.astype(str).to_numpy(dtype=object)
        names[col.isna().to_numpy()] = MISSING
        counts = pd.Series(names).value_counts()
        return names, [str(g) for g in counts.index]
    if not t.is_numeric_dtype(col) and not t.is_datetime64_any_dtype(col):
        raise CheckError(f"`bins:` needs a numeric column; `{by}` is {col.dtype}")
    if isinstance(bins, int):
        cut = pd.qcut(col, q=bins, duplicates="drop")
        cats = cut.cat.categories
        labels = [f"[{fmt(iv.left)}, {fmt(iv.right)}]" for iv in cats]
    else:
        cut = pd.cut(col, bins=list(bins), right=False)
        cats = cut.cat.categories
        labels = [f"[{fmt(iv.left)}, {fmt(iv.right)})" for iv in cats]
    codes = cut.cat.codes.to_numpy()
    lookup = np.asarray([*labels, OUTSIDE], dtype=object)
    names = lookup[np.where(codes < 0, len(labels), codes)]
    names[col.isna().to_numpy()] = MISSING
    order = labels + [g for g in (OUTSIDE, MISSING) if (names == g).any()]
    return names, order


def _float_names(col: pd.Series) -> np.ndarray:
    """Float values as group names: whole numbers as integers, others to 4 significant
    digits, more only for values that would otherwise look the same (`-0.044641636506989144`
    reads `-0.04464`)."""
    import numpy as np
    import pandas as pd

    values = pd.Series(col.to_numpy(dtype=float, na_value=np.nan))
    digits = dict.fromkeys(values.dropna().unique().tolist(), 4)
    names = {v: _compact(v, d) for v, d in digits.items()}
    while True:
        seen: dict[str, list[float]] = {}
        for v, name in names.items():
            seen.setdefault(name, []).append(v)
        clashes = [v for same in seen.values() if len(same) > 1 for v in same]
        if not clashes:
            break
        for v in clashes:
            digits[v] += 1
            names[v] = _compact(v, digits[v])
    out: np.ndarray = values.map(names).to_numpy(dtype=object)
    return out


def _compact(value: float, digits: int) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if digits >= 17 else f"{value:.{digits}g}"
