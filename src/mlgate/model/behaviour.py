"""Behavioural tests: invariance (value swaps, noise) and directional expectations.

Every perturbed copy of one test goes through one batched predict call (chunked by the
`Scorer`), never a Python loop over rows. Used by the check kinds and by `mlgate.testing`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlgate.errors import CheckError
from mlgate.model.stats import fmt, pct, rate_details, rate_text

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from mlgate.model.scoring import Scorer

EXPECTATIONS = ("increase", "decrease", "no_increase", "no_decrease")
#: What the score should do, and what it did on the failing rows (said positively, so the
#: count never reads backwards).
_EXPECTED = {
    "increase": "increase",
    "decrease": "decrease",
    "no_increase": "not increase",
    "no_decrease": "not decrease",
}
_FAILED = {
    "increase": "it did not increase",
    "decrease": "it did not decrease",
    "no_increase": "it increased",
    "no_decrease": "it decreased",
}


@dataclass
class Behaviour:
    """The verdict of one behavioural test, with the figures and the worst rows."""

    ok: bool
    message: str
    k: int
    n: int
    examples: list[dict[str, Any]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def _sample(df: pd.DataFrame, sample: int | None) -> pd.DataFrame:
    if sample is not None and sample < len(df):
        return df.sample(n=sample, random_state=0)
    return df


def _column(df: pd.DataFrame, feature: str) -> pd.Series:
    if feature not in df.columns:
        from mlgate.registry import suggest

        raise CheckError(
            f"column `{feature}` is not in the data{suggest(feature, list(map(str, df.columns)))}"
        )
    return df[feature]


def _filled(like: pd.Series, values: Any) -> pd.Series:
    """`values` (a scalar or an array) as a column of `like`'s dtype where it fits."""
    import pandas as pd

    s = pd.Series(values, index=like.index) if not isinstance(values, pd.Series) else values
    dtype = like.dtype
    if isinstance(dtype, pd.CategoricalDtype):  # a value the column has not seen yet
        dtype = pd.CategoricalDtype(list(dict.fromkeys([*dtype.categories, *s.dropna()])))
    try:
        cast = s.astype(dtype)
    except (TypeError, ValueError):
        return s
    if _is_int(like) and pd.api.types.is_float_dtype(s):
        lost = cast.to_numpy(dtype=float, na_value=float("nan")) != s.to_numpy(dtype=float)
        if (lost & s.notna().to_numpy()).any():
            return s  # 2.5 on an integer column stays 2.5, not a silently truncated 2
    return cast


def _is_int(s: pd.Series) -> bool:
    from pandas.api import types as t

    return bool(t.is_integer_dtype(s) and not t.is_bool_dtype(s))


def _numeric(s: pd.Series, feature: str, what: str) -> np.ndarray:
    from pandas.api import types as t

    if not t.is_numeric_dtype(s) or t.is_bool_dtype(s):
        raise CheckError(f"{what} needs a numeric column; `{feature}` is {s.dtype}")
    out: np.ndarray = s.to_numpy(dtype=float, na_value=float("nan"))
    return out


def _cast_like(like: pd.Series, new: np.ndarray) -> pd.Series:
    """New numeric values for `like`: integer columns stay integers (rounded)."""
    import numpy as np
    import pandas as pd

    if _is_int(like):
        return pd.Series(np.round(new), index=like.index).astype(like.dtype)
    return pd.Series(new, index=like.index).astype(like.dtype if like.dtype.kind == "f" else float)


def _examples(
    feature: str,
    df: pd.DataFrame,
    col: pd.Series,
    where: np.ndarray,
    after_v: Any,
    before: np.ndarray,
    after: np.ndarray,
    picked: np.ndarray,
) -> list[dict[str, Any]]:
    """The rows in `picked` (positions into the perturbed copies): values and scores."""
    rows = df.index[where[picked]]
    was = col.iloc[where[picked]].tolist()
    now = after_v.iloc[picked].tolist() if hasattr(after_v, "iloc") else list(after_v[picked])
    out = []
    for j, i in enumerate(picked):
        out.append(
            {
                "row": _plain(rows[j]),
                feature: _plain(was[j]),
                "score": round(float(before[i]), 6),
                f"→ {feature}": _plain(now[j]),
                "score after": round(float(after[i]), 6),
                "Δ": round(float(after[i] - before[i]), 6),
            }
        )
    return out


def _plain(v: Any) -> Any:
    v = v.item() if hasattr(v, "item") else v
    if isinstance(v, float) and v == v and abs(v) < 1e15:
        return float(f"{v:.10g}")
    return v


def _score_perturbed(
    scorer: Scorer,
    df: pd.DataFrame,
    feature: str,
    where: np.ndarray,
    new: pd.Series,
    before: np.ndarray,
) -> np.ndarray:
    """Scores of the rows at positions `where` (in that order, repeats allowed) with
    `feature` set to `new` (one batched call).

    Only the model's columns are copied; a feature the model does not use cannot move it.
    """
    import numpy as np
    from pandas.api.extensions import ExtensionDtype

    x = scorer.frame(df)
    if feature not in x.columns:
        return before.copy()
    identity = len(where) == len(x) and bool(np.array_equal(where, np.arange(len(x))))
    perturbed = x.copy(deep=False) if identity else x.take(where)
    perturbed[feature] = new.array if isinstance(new.dtype, ExtensionDtype) else new.to_numpy()
    return scorer.scores(perturbed, framed=True)


def _base_scores(
    scorer: Scorer, df: pd.DataFrame, base_scores: np.ndarray | None, sample: int | None
) -> np.ndarray:
    """The unperturbed scores of `df` (reused when given for the same rows), all numbers."""
    if base_scores is None or (sample is not None and sample < len(base_scores)):
        base_scores = scorer.scores(df)
    scorer.require_numbers(base_scores, df)
    return base_scores


def _target_value(col: pd.Series, v: Any) -> Any:
    """`v` as the column holds it: text for a text column, else cast to its dtype if lossless."""
    import pandas as pd
    from pandas.api import types as t

    if isinstance(col.dtype, pd.CategoricalDtype):
        return str(v) if not isinstance(v, str) and t.is_string_dtype(col.cat.categories) else v
    if t.is_string_dtype(col) or t.is_object_dtype(col):
        return str(v) if not isinstance(v, str) else v
    cast, ok = _cast_value(col.dtype, v)
    return cast if ok else v


def _swapped(col: pd.Series, values: list[Any]) -> tuple[np.ndarray, pd.Series]:
    """Positions of every row x every value it does not hold (grouped by value, so not in
    row order), and the new values as a column."""
    import numpy as np
    import pandas as pd

    pos: list[Any] = []
    codes: list[Any] = []
    used: list[Any] = []
    for v in dict.fromkeys(values):
        target = _target_value(col, v)
        if any(target == u for u in used):
            continue
        idx = np.flatnonzero((col != target).to_numpy(dtype=bool, na_value=True))
        if len(idx):
            pos.append(idx)
            codes.append(np.full(len(idx), len(used), dtype=np.int32))
            used.append(target)
    if not pos:
        raise CheckError(f"every row of `{col.name}` already holds the only value given")
    where = np.concatenate(pos)
    cat = pd.Categorical.from_codes(np.concatenate(codes), categories=used)
    dtype = col.dtype
    if isinstance(dtype, pd.CategoricalDtype):  # a value the column has not seen yet
        dtype = pd.CategoricalDtype(list(dict.fromkeys([*dtype.categories, *used])))
    if all(_cast_value(dtype, u)[1] for u in used):
        return where, pd.Series(cat).astype(dtype)
    return where, pd.Series(np.asarray(cat, dtype=object)).infer_objects()  # 2.5 stays 2.5


def _cast_value(dtype: Any, v: Any) -> tuple[Any, bool]:
    """`v` cast to `dtype`, and whether it means the same there: 2.5 does not fit an integer
    column, nor does a value that the cast turns into a missing one."""
    import numbers

    import pandas as pd

    try:
        cast = pd.Series([v]).astype(dtype).iloc[0]
    except (TypeError, ValueError):
        return v, False
    number = isinstance(v, numbers.Number) and not isinstance(v, bool)
    if number and isinstance(cast, numbers.Number) and cast != v:
        return v, False
    if pd.isna(cast) and not pd.isna(v):
        return v, False
    return cast, True


def _unused_note(scorer: Scorer, df: pd.DataFrame, feature: str, moved_any: bool) -> str:
    """Why a test that moved no score shows nothing ("" when some score moved)."""
    if moved_any:
        return ""
    if feature not in scorer.frame(df.head(0)).columns:
        return (
            f"; the model is not given `{feature}` (it is not among its columns), "
            "so this test shows nothing"
        )
    return (
        f"; the score did not change on any row: this change of `{feature}` does not affect "
        f"it (does the model use `{feature}`?), so this test shows nothing"
    )


def _nan_note(count: int) -> str:
    if not count:
        return ""
    return f"; {count:,} of them got a score that is not a number (NaN), counted as failing"


def invariance(
    scorer: Scorer,
    df: pd.DataFrame,
    feature: str,
    *,
    values: list[Any] | None = None,
    noise: dict[str, Any] | None = None,
    tolerance: float = 0.0,
    max_fail_rate: float = 0.0,
    sample: int | None = None,
    base_scores: np.ndarray | None = None,
    limit: int = 20,
) -> Behaviour:
    """Swap `feature` to each of `values` (every row, every other value) or add noise; a row
    fails when its score moves by more than `tolerance`."""
    import numpy as np

    df = _sample(df, sample)
    col = _column(df, feature)
    before_all = _base_scores(scorer, df, base_scores, sample)
    if values is not None:
        where, new = _swapped(col, values)
        unit = "row × value pairs"
        what = f"changing `{feature}` to another of {', '.join(map(str, values))}"
    else:
        noise = noise or {}
        x = _numeric(col, feature, "noise")
        rng = np.random.default_rng(int(noise.get("seed", 0)))
        sd = noise["relative"] * np.abs(x) if "relative" in noise else float(noise["absolute"])
        drawn = x + rng.standard_normal(len(x)) * sd
        where = np.flatnonzero(~np.isnan(x))
        new = _cast_like(col, drawn).iloc[where].reset_index(drop=True)
        unit = "rows"
        kind = f"{noise['relative']:g}x|value|" if "relative" in noise else f"{noise['absolute']:g}"
        what = f"noise on `{feature}` (sd {kind}, seed {noise.get('seed', 0)})"
    before = before_all[where]
    after = _score_perturbed(scorer, df, feature, where, new, before)
    delta = after - before
    nan = np.isnan(after)
    move = np.where(nan, np.inf, np.abs(delta))
    bad = move > tolerance
    k, n = int(bad.sum()), len(delta)
    rate = k / n if n else 0.0
    ok = rate <= max_fail_rate
    picked = _worst(np.where(bad, move, -1.0), min(k, limit))
    examples = _examples(feature, df, col, where, new, before, after, picked)
    biggest = float(np.abs(delta[~nan]).max()) if (~nan).any() else 0.0
    message = (
        f"{what}: the score moved by more than {fmt(tolerance)} on "
        f"{rate_text(k, n, unit, f'allowed {pct(max_fail_rate)}')}; largest move {fmt(biggest)}"
        + _nan_note(int(nan.sum()))
    )
    if n:
        message += _unused_note(scorer, df, feature, bool(nan.any() or biggest > 0))
    untested = len(df) - len(np.unique(where)) if values is None else 0
    if untested:
        message += f"; {untested:,} rows with a missing `{feature}` not tested"
    details = {
        "feature": feature,
        **rate_details(k, n),
        "max_fail_rate": max_fail_rate,
        "tolerance": tolerance,
        "max_abs_delta": biggest,
        "missing": untested,
        "nan_scores": int(nan.sum()),
        "vacuous": bool(n and not nan.any() and biggest == 0),
    }
    return Behaviour(ok, message, k, n, examples, details)


def _worst(badness: np.ndarray, count: int) -> np.ndarray:
    """Positions of the `count` largest values, largest first (ties: first position first)."""
    import numpy as np

    if count <= 0:
        return np.empty(0, dtype=np.int64)
    if count < len(badness):
        top = np.argpartition(-badness, count - 1)[:count]
    else:
        top = np.arange(len(badness))
    return top[np.lexsort((top, -badness[top]))]


def directional(
    scorer: Scorer,
    df: pd.DataFrame,
    feature: str,
    change: dict[str, Any],
    expect: str,
    *,
    tolerance: float = 0.0,
    max_fail_rate: float = 0.0,
    saturation: float = 0.01,
    sample: int | None = None,
    base_scores: np.ndarray | None = None,
    limit: int = 20,
) -> Behaviour:
    """Change `feature` (add, multiply or set) and expect the score to move `expect`; rows whose
    score is already saturated in the expected direction are counted apart, not judged."""
    import numpy as np

    if expect not in EXPECTATIONS:
        raise CheckError(f"expect must be one of {', '.join(EXPECTATIONS)}, not {expect!r}")
    df = _sample(df, sample)
    col = _column(df, feature)
    before_all = _base_scores(scorer, df, base_scores, sample)
    ((op, amount),) = change.items()
    if op == "set":
        new = _filled(col, amount)
        same = (col == amount).to_numpy(dtype=bool, na_value=False)
        if isinstance(amount, str) or not same.any():
            same = same | (col.astype(str) == str(amount)).to_numpy(dtype=bool, na_value=False)
        where = np.flatnonzero(~same)
        how = f"`{feature}` set to {amount!r}"
    else:
        x = _numeric(col, feature, f"change.{op}")
        moved = x + amount if op == "add" else x * amount
        where = np.flatnonzero(~np.isnan(x) & (moved != x))
        if _is_int(col) and np.all(np.mod(moved[where], 1) == 0):
            new = _cast_like(col, moved)
        else:
            new = _filled(col.astype(float), moved)
        how = f"`{feature}` {'+' if op == 'add' else '×'} {fmt(amount)}"
    new = new.iloc[where].reset_index(drop=True)
    before = before_all[where]
    after = _score_perturbed(scorer, df, feature, where, new, before)
    delta = after - before
    nan = np.isnan(after)
    no_sat = np.zeros(len(delta), dtype=bool)
    with np.errstate(invalid="ignore"):
        if expect == "increase":
            good, sat = delta > tolerance, before >= 1 - saturation
        elif expect == "decrease":
            good, sat = delta < -tolerance, before <= saturation
        elif expect == "no_increase":
            good, sat = delta <= tolerance, no_sat
        else:
            good, sat = delta >= -tolerance, no_sat
    if scorer.proba_column is None:
        sat = no_sat
    judged = ~sat
    bad = judged & (~good | nan)  # a score that stopped being a number fails
    k, n, m = int(bad.sum()), int(judged.sum()), int(sat.sum())
    rate = k / n if n else 0.0
    ok = rate <= max_fail_rate
    wrong_way = np.where(nan, np.inf, -delta if expect in ("increase", "no_decrease") else delta)
    picked = _worst(np.where(bad, wrong_way, -np.inf), min(k, limit))
    examples = _examples(feature, df, col, where, new, before, after, picked)
    message = (
        f"{how} should {_EXPECTED[expect]} the score; {_FAILED[expect]}"
        f"{f' by more than {fmt(tolerance)}' if tolerance else ''} on "
        f"{rate_text(k, n, 'rows', f'allowed {pct(max_fail_rate)}')}"
        + _nan_note(int((nan & judged).sum()))
    )
    if m:
        edge = f">= {fmt(1 - saturation)}" if expect == "increase" else f"<= {fmt(saturation)}"
        message += f"; {m:,} rows whose score is already {edge} are reported apart, not judged"
    skipped = len(df) - len(where)
    if skipped:
        rows = (
            "1 row the change leaves as it was"
            if skipped == 1
            else (f"{skipped:,} rows the change leaves as they were")
        )
        message += f"; {rows} (or missing) not tested"
    if n:
        moved_any = bool(nan[judged].any() or (delta[judged] != 0).any())
        message += _unused_note(scorer, df, feature, moved_any)
    vacuous = bool(n and not nan[judged].any() and not (delta[judged] != 0).any())
    judged_ok = judged & ~nan
    details = {
        "feature": feature,
        **rate_details(k, n),
        "expect": expect,
        "change": dict(change),
        "max_fail_rate": max_fail_rate,
        "tolerance": tolerance,
        "saturated": m,
        "untested": skipped,
        "mean_delta": float(delta[judged_ok].mean()) if judged_ok.any() else None,
        "nan_scores": int((nan & judged).sum()),
        "vacuous": vacuous,
    }
    return Behaviour(ok, message, k, n, examples, details)
