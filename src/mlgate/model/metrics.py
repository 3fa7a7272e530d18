"""The metrics `metrics:`, `slices:` and `baseline:` judge, computed with scikit-learn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlgate.errors import CheckError

if TYPE_CHECKING:
    import numpy as np

#: Metrics on labels (predict), on scores (probability of the positive class) or regression.
LABEL_METRICS = ("accuracy", "balanced_accuracy", "precision", "recall", "f1")
SCORE_METRICS = ("roc_auc", "average_precision", "log_loss", "brier")
REGRESSION_METRICS = ("mae", "rmse", "r2", "mape")
METRICS = LABEL_METRICS + SCORE_METRICS + REGRESSION_METRICS
LOWER_IS_BETTER = frozenset({"log_loss", "brier", "mae", "rmse", "mape"})


def compute_metric(
    name: str,
    y: np.ndarray,
    score: np.ndarray,
    label: np.ndarray,
    pos: Any,
) -> float:
    """`name` on these rows; NaN when it is undefined (e.g. roc_auc with one class present)."""
    import numpy as np
    from sklearn import metrics as m

    from mlgate.model.scoring import as_binary

    if len(y) == 0:
        return float("nan")
    if name in ("accuracy", "balanced_accuracy"):
        yt, yp = comparable(y, label)
        if name == "accuracy":
            return float(m.accuracy_score(yt, yp))
        if len(np.unique(yt)) < 2:
            return float("nan")
        return float(m.balanced_accuracy_score(yt, yp))
    if name in ("precision", "recall", "f1"):
        yb, lb = as_binary(y, pos), as_binary(label, pos)
        fn = {"precision": m.precision_score, "recall": m.recall_score, "f1": m.f1_score}[name]
        return float(fn(yb, lb, zero_division=np.nan))
    if name in SCORE_METRICS:
        yb = as_binary(y, pos)
        if name == "brier":
            return float(np.mean((score - yb) ** 2))
        if len(np.unique(yb)) < 2:
            return float("nan")
        if name == "roc_auc":
            return float(m.roc_auc_score(yb, score))
        if name == "average_precision":
            return float(m.average_precision_score(yb, score))
        return float(m.log_loss(yb, np.clip(score, 1e-15, 1 - 1e-15), labels=[0, 1]))
    if name in REGRESSION_METRICS:
        yt = np.asarray(y, dtype=float)
        if name == "mae":
            return float(m.mean_absolute_error(yt, score))
        if name == "rmse":
            return float(np.sqrt(m.mean_squared_error(yt, score)))
        if name == "r2":
            return float(m.r2_score(yt, score)) if len(yt) > 1 else float("nan")
        return float(m.mean_absolute_percentage_error(yt, score))
    raise CheckError(f"unknown metric {name!r} (known: {', '.join(METRICS)})")


def comparable(y: np.ndarray, label: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Truth and labels in one type (a float label 1.0 equals a target 1; '1' equals 1)."""
    import numpy as np

    y, label = np.asarray(y), np.asarray(label)
    if y.dtype.kind in "iufb" and label.dtype.kind in "iufb":
        return y.astype(float), label.astype(float)
    return y.astype(str), label.astype(str)


def drop_of(name: str, value: float, base: float) -> float:
    """How much worse `value` is than `base` (positive = worse), whatever the metric's sense."""
    return value - base if name in LOWER_IS_BETTER else base - value
