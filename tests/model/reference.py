"""A slow, obviously correct reference for the behavioural tests: one row at a time.

Each row is perturbed on its own and scored on its own (a one-row predict call), so nothing
depends on batching, ordering or positions. The differential tests compare it with mlgate's
batched results. The score follows the contract: the probability of `positive_class` (default
the last class) when the model has `predict_proba`, else `predict`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


def ref_score(model: Any, row: pd.DataFrame, positive_class: Any = None) -> float:
    """The score of a one-row frame (the model's columns only)."""
    x: Any = row if getattr(model, "feature_names_in_", None) is not None else row.to_numpy()
    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(x), dtype=float)[0]
        classes = list(model.classes_)
        j = len(classes) - 1 if positive_class is None else classes.index(positive_class)
        return float(proba[j])
    return float(np.asarray(model.predict(x), dtype=float).ravel()[0])


@dataclass
class RefResult:
    """Per tested row (or row x value pair): the score before and after."""

    before: list[float] = field(default_factory=list)
    after: list[float] = field(default_factory=list)
    untested: int = 0

    @property
    def delta(self) -> np.ndarray:
        return np.asarray(self.after, dtype=float) - np.asarray(self.before, dtype=float)


def _one(df: pd.DataFrame, i: int, target: str | None) -> pd.DataFrame:
    row = df.iloc[[i]].copy()
    return row.drop(columns=[target]) if target in row.columns else row


def _set(row: pd.DataFrame, feature: str, value: Any) -> pd.DataFrame:
    """`row` with `feature` set to `value`, in the column's dtype where the value fits it."""
    row = row.copy()
    col = row[feature]
    if isinstance(col.dtype, pd.CategoricalDtype):
        if value not in col.cat.categories:
            col = col.cat.add_categories([value])
        row[feature] = pd.Series([value], index=row.index).astype(col.dtype)
        return row
    new = pd.Series([value], index=row.index)
    try:
        cast = new.astype(col.dtype)
        row[feature] = cast if cast.iloc[0] == value else new
    except (TypeError, ValueError):
        row[feature] = new
    return row


def invariance_values(
    model: Any,
    df: pd.DataFrame,
    feature: str,
    values: list[Any],
    target: str | None = None,
    positive_class: Any = None,
) -> RefResult:
    """Every row set to every value it does not already hold (a missing value holds none)."""
    out = RefResult()
    for i in range(len(df)):
        row = _one(df, i, target)
        base = ref_score(model, row, positive_class)
        current = row[feature].iloc[0]
        for v in dict.fromkeys(values):
            if not pd.isna(current) and current == v:
                continue
            out.before.append(base)
            out.after.append(ref_score(model, _set(row, feature, v), positive_class))
    return out


def noise_draw(x: np.ndarray, noise: dict[str, Any]) -> np.ndarray:
    """The documented draw: one standard normal per row, in row order, from `seed`."""
    rng = np.random.default_rng(int(noise.get("seed", 0)))
    sd = noise["relative"] * np.abs(x) if "relative" in noise else float(noise["absolute"])
    drawn: np.ndarray = x + rng.standard_normal(len(x)) * sd
    return drawn


def _numeric_value(like: pd.Series, value: float, keep_int: bool) -> Any:
    integer = pd.api.types.is_integer_dtype(like) and not pd.api.types.is_bool_dtype(like)
    return int(np.round(value)) if integer and keep_int else float(value)


def invariance_noise(
    model: Any,
    df: pd.DataFrame,
    feature: str,
    noise: dict[str, Any],
    target: str | None = None,
    positive_class: Any = None,
) -> RefResult:
    """Each row with its own noise (integers rounded); a missing value is not tested."""
    x = df[feature].to_numpy(dtype=float, na_value=np.nan)
    drawn = noise_draw(x, noise)
    out = RefResult()
    for i in range(len(df)):
        if np.isnan(x[i]):
            out.untested += 1
            continue
        row = _one(df, i, target)
        new = _numeric_value(df[feature], drawn[i], keep_int=True)
        out.before.append(ref_score(model, row, positive_class))
        out.after.append(ref_score(model, _set(row, feature, new), positive_class))
    return out


def _is_int(s: pd.Series) -> bool:
    return bool(pd.api.types.is_integer_dtype(s) and not pd.api.types.is_bool_dtype(s))


def directional_rows(
    model: Any,
    df: pd.DataFrame,
    feature: str,
    change: dict[str, Any],
    target: str | None = None,
    positive_class: Any = None,
) -> RefResult:
    """Each row changed on its own; rows the change leaves as they were (or missing) are
    not tested."""
    ((op, amount),) = change.items()
    out = RefResult()
    for i in range(len(df)):
        row = _one(df, i, target)
        current = row[feature].iloc[0]
        if op == "set":
            if not pd.isna(current) and (current == amount or str(current) == str(amount)):
                out.untested += 1
                continue
            new: Any = amount
        else:
            if pd.isna(current):
                out.untested += 1
                continue
            moved = float(current) + amount if op == "add" else float(current) * amount
            if moved == float(current):
                out.untested += 1
                continue
            whole = _is_int(df[feature]) and float(moved).is_integer()
            new = int(moved) if whole else float(moved)
        out.before.append(ref_score(model, row, positive_class))
        out.after.append(ref_score(model, _set(row, feature, new), positive_class))
    return out


def judge(
    expect: str, before: np.ndarray, delta: np.ndarray, tolerance: float, saturation: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """(bad, saturated) per row, as the contract defines a directional expectation;
    `saturation` None: a score without probabilities is never saturated."""
    sat = np.zeros(len(delta), dtype=bool)
    with np.errstate(invalid="ignore"):
        if expect == "increase":
            good = delta > tolerance
            if saturation is not None:
                sat = before >= 1 - saturation
        elif expect == "decrease":
            good = delta < -tolerance
            if saturation is not None:
                sat = before <= saturation
        elif expect == "no_increase":
            good = delta <= tolerance
        else:
            good = delta >= -tolerance
    return ~sat & ~good, sat
