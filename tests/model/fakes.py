"""Tiny real models (not mocks) whose behaviour the tests know exactly."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


class Linear:
    """score = sigmoid(w . x + bias(gender)); counts predict calls and keeps what it was given."""

    classes_ = np.array([0, 1])

    def __init__(
        self, weights: dict[str, float], gender_bias: float = 0.0, missing: float | None = None
    ) -> None:
        self.weights = weights
        self.gender_bias = gender_bias
        self.missing = missing  # what a missing value counts as (None: the score is NaN)
        self.calls: list[int] = []
        self.seen: list[pd.DataFrame] = []

    def _z(self, x: pd.DataFrame) -> np.ndarray:
        z = np.zeros(len(x))
        for col, w in self.weights.items():
            v = x[col].to_numpy(dtype=float, na_value=np.nan)
            z += w * (v if self.missing is None else np.nan_to_num(v, nan=self.missing))
        if self.gender_bias and "gender" in x:
            z += self.gender_bias * (x["gender"].astype(str).to_numpy() == "M")
        return z

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        self.calls.append(len(x))
        self.seen.append(x)
        p = 1 / (1 + np.exp(-self._z(x)))
        return np.column_stack([1 - p, p])

    def predict(self, x: pd.DataFrame) -> np.ndarray:
        return (self._z(x) > 0).astype(int)


class Clipped:
    """A regressor-like score in [0, 1]: clip(x / 100); no classes_, no predict_proba."""

    def predict(self, x: pd.DataFrame) -> Any:
        return np.clip(x["x"].to_numpy(dtype=float) / 100, 0, 1)


def frame(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "income": rng.normal(0, 1, n),
            "age": rng.integers(18, 90, n).astype(np.int64),
            "gender": rng.choice(["F", "M", "X"], n),
            "y": rng.integers(0, 2, n),
        }
    )
