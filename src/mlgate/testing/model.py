"""Model assertions for the team's own tests, with the gate's semantics and messages.

from mlgate.testing import assert_directional, assert_invariant, assert_metric

def test_gender_blind(mlgate_model, holdout):
    assert_invariant(mlgate_model("credit"), holdout, "gender", values=["F", "M", "X"])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlgate.model.behaviour import Behaviour, directional, invariance
from mlgate.model.stats import bounds_text, fmt, within

if TYPE_CHECKING:
    import pandas as pd

    from mlgate.model.scoring import Scorer

SHOWN = 5


def _scorer(
    model: Any,
    data: pd.DataFrame,
    target: str | None,
    positive_class: Any,
    features: list[str] | None,
) -> Scorer:
    from mlgate.model.scoring import make_scorer

    params: dict[str, Any] = {"target": target, "positive_class": positive_class}
    if features is not None:
        params["features"] = list(features)
    return make_scorer("model", model, params, data.head(2))


class VacuousTestWarning(UserWarning):
    """A behavioural assertion passed only because the model never looks at the feature."""


def _check(result: Behaviour) -> Behaviour:
    """Raise on a failed test; warn on one that passed without any score moving."""
    if not result.ok:
        _fail(result)
    if result.details.get("vacuous"):
        import warnings

        warnings.warn(result.message, VacuousTestWarning, stacklevel=3)
    return result


def _fail(result: Behaviour) -> None:
    lines = [result.message]
    if result.examples:
        cols = list(result.examples[0])
        lines.append("rows that violated it most:")
        lines.append("  " + " | ".join(cols))
        for row in result.examples[:SHOWN]:
            lines.append(
                "  "
                + " | ".join(fmt(row[c]) if not isinstance(row[c], str) else row[c] for c in cols)
            )
    raise AssertionError("\n".join(lines))


def assert_invariant(
    model: Any,
    data: pd.DataFrame,
    feature: str,
    *,
    values: list[Any] | None = None,
    noise: dict[str, Any] | None = None,
    tolerance: float = 0.0,
    max_fail_rate: float = 0.0,
    target: str | None = None,
    positive_class: Any = None,
    features: list[str] | None = None,
    sample: int | None = None,
) -> Behaviour:
    """Changing `feature` (to each of `values`, or by `noise`) must not move the score by more
    than `tolerance` on more than `max_fail_rate` of the rows; returns the figures."""
    if (values is None) == (noise is None):
        raise TypeError("give exactly one of values= or noise=")
    sc = _scorer(model, data, target, positive_class, features)
    result = invariance(
        sc,
        data,
        feature,
        values=values,
        noise=noise,
        tolerance=tolerance,
        max_fail_rate=max_fail_rate,
        sample=sample,
    )
    return _check(result)


def assert_directional(
    model: Any,
    data: pd.DataFrame,
    feature: str,
    change: dict[str, Any],
    expect: str,
    *,
    tolerance: float = 0.0,
    max_fail_rate: float = 0.0,
    saturation: float = 0.01,
    target: str | None = None,
    positive_class: Any = None,
    features: list[str] | None = None,
    sample: int | None = None,
) -> Behaviour:
    """Changing `feature` by `change` ({"add": x}, {"multiply": x} or {"set": v}) must move the
    score as `expect` says (increase, decrease, no_increase, no_decrease)."""
    sc = _scorer(model, data, target, positive_class, features)
    result = directional(
        sc,
        data,
        feature,
        change,
        expect,
        tolerance=tolerance,
        max_fail_rate=max_fail_rate,
        saturation=saturation,
        sample=sample,
    )
    return _check(result)


def assert_metric(
    model: Any,
    data: pd.DataFrame,
    metric: str,
    *,
    target: str,
    min: float | None = None,
    max: float | None = None,
    positive_class: Any = None,
    features: list[str] | None = None,
) -> float:
    """`metric` of the model on `data` (truth in column `target`) must be within min/max."""
    from mlgate.model.kinds_perf import metric_of, missing_truth_note
    from mlgate.model.scoring import Scored

    if min is None and max is None:
        raise TypeError("give min= and/or max=")
    sc = _scorer(model, data, target, positive_class, features)
    score, label = sc.scores_and_labels(data)
    s = Scored(data, data[target].to_numpy(), score, label, sc)
    value = metric_of(s, metric)
    expected = bounds_text(min, max)
    if not within(value, min, max):
        left_out = missing_truth_note(s)
        raise AssertionError(
            f"{metric} {fmt(value)} on {int(s.known().sum()):,} rows (expected {expected})"
            + left_out
        )
    return value
