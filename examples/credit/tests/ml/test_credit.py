"""The credit team's own tests: they run inside `mlgate run` (the `pytest:` section) and join
the same report, with mlgate's fixtures and assertion helpers."""

from __future__ import annotations

from mlgate.testing import assert_directional, assert_invariant, assert_metric, assert_schema


def test_holdout_has_the_training_schema(mlgate_dataset) -> None:
    assert_schema(
        mlgate_dataset("holdout"),
        {"age": {"type": "integer", "min": 18, "max": 120}, "gender": {"allowed": ["F", "M", "X"]}},
        rows={"min": 1000},
    )


def test_premium_applicants_are_approved(mlgate_model, mlgate_dataset) -> None:
    holdout = mlgate_dataset("holdout")
    rich = holdout[(holdout["income"] > 150_000) & (holdout["debt"] < 20_000)]
    labels = mlgate_model("credit").predict(rich)
    assert labels.mean() >= 0.9, f"only {labels.mean():.0%} of premium applicants approved"


def test_region_does_not_flip_many_decisions(mlgate_model, mlgate_dataset) -> None:
    assert_invariant(
        mlgate_model("credit"),
        mlgate_dataset("holdout").head(500),
        "region",
        values=["north", "south", "east", "west"],
        tolerance=0.2,
        max_fail_rate=0.05,
        target="approved",
    )


def test_more_income_never_hurts(mlgate_model, mlgate_dataset) -> None:
    assert_directional(
        mlgate_model("credit"),
        mlgate_dataset("holdout").head(500),
        "income",
        change={"multiply": 1.5},
        expect="no_decrease",
        target="approved",
    )


def test_auc_on_recent_customers(mlgate_model, mlgate_dataset) -> None:
    holdout = mlgate_dataset("holdout")
    recent = holdout[holdout["signup"] >= "2020-01-01"]
    assert_metric(mlgate_model("credit"), recent, "roc_auc", target="approved", min=0.85)
