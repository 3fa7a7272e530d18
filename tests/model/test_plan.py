"""Planning the `model:` section: ids, locations, severities and config errors with lines."""

from __future__ import annotations

import textwrap

import pytest

from mlgate.config import load_config
from mlgate.errors import ConfigError

HEAD = """
version: 1
datasets:
  holdout: {path: data/holdout.parquet}
models:
  credit: {path: models/credit.joblib, target: approved}
  base: {path: models/credit.joblib, ref: base}
  notarget: {path: models/x.joblib}
"""


def load(body: str):  # type: ignore[no-untyped-def]
    text = textwrap.dedent(HEAD).lstrip() + textwrap.dedent(body).lstrip()
    return load_config("mlgate.yml", text=text)


def test_every_key_becomes_a_check_with_the_documented_id_and_line() -> None:
    config = load("""
        model:
          - model: credit
            dataset: holdout
            severity: warning
            metrics: {roc_auc: {min: 0.8}, brier: {max: 0.2, severity: error}}
            slices:
              - {by: gender, metrics: {accuracy: {min: 0.7}}, max_gap: {accuracy: 0.05}}
            fairness:
              - {protected: gender, demographic_parity_difference: {max: 0.1}}
            invariance:
              - {name: gender-blind, feature: gender, values: [F, M]}
              - {feature: income, noise: {relative: 0.01}}
            directional:
              - {feature: income, change: {add: 1}, expect: increase}
            cases:
              - {input: {income: 1}, expect: {label: 1}}
              - {name: rich, input: {income: 9}, expect: {label: 1}}
            baseline: {model: base, max_drop: {roc_auc: 0.01}, min_agreement: 0.9}
            latency: {p95_ms: 20}
    """)
    got = {c.id: (c.location.line, c.severity, c.kind) for c in config.checks}
    assert got == {
        "model/credit/metrics/roc_auc": (12, "warning", "model.metric"),
        "model/credit/metrics/brier": (12, "error", "model.metric"),
        "model/credit/slices/gender/accuracy": (14, "warning", "model.slice"),
        "model/credit/slices/gender/max_gap/accuracy": (14, "warning", "model.slice_gap"),
        "model/credit/fairness/gender/demographic_parity_difference": (
            16,
            "warning",
            "model.fairness",
        ),
        "model/credit/invariance/gender-blind": (18, "warning", "model.invariance"),
        "model/credit/invariance/income": (19, "warning", "model.invariance"),
        "model/credit/directional/income": (21, "warning", "model.directional"),
        "model/credit/cases/0": (23, "warning", "model.case"),
        "model/credit/cases/rich": (24, "warning", "model.case"),
        "model/credit/baseline/max_drop/roc_auc": (25, "warning", "model.baseline_drop"),
        "model/credit/baseline/min_agreement": (25, "warning", "model.baseline_agreement"),
        "model/credit/latency": (26, "warning", "model.latency"),
    }
    roc = next(c for c in config.checks if c.id.endswith("metrics/roc_auc"))
    assert roc.params["base_model"] == "base"  # so the metric reports the base value


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "model:\n  - {model: credt, dataset: holdout}\n",
            "mlgate.yml:9:6: model[0].model: unknown model 'credt' -> did you mean 'credit'?",
        ),
        (
            "model:\n  - {model: credit, dataset: hold}\n",
            "mlgate.yml:9:21: model[0].dataset: unknown dataset 'hold' -> did you mean 'holdout'?",
        ),
        (
            "model:\n  - {model: credit, metrics: {roc_auc: {min: 0.8}}}\n",
            "`metrics:` needs rows to run on: add `dataset: NAME`",
        ),
        (
            "model:\n  - {model: notarget, dataset: holdout, metrics: {roc_auc: {min: 0.8}}}\n",
            "`metrics` compares with the truth, but model 'notarget' has no `target:`",
        ),
        (
            "model:\n  - {model: credit, dataset: holdout, baseline: {model: bsae}}\n",
            "unknown model 'bsae' -> did you mean 'base'?",
        ),
        (
            "model:\n  - {model: credit, dataset: holdout, metrics: {auc: {min: 1}}}\n",
            "'auc' is not one of",
        ),
        (
            "model:\n  - {model: credit, dataset: holdout, invariance: [{feature: a}]}\n",
            "model[0].invariance[0]",
        ),
        (
            "model:\n  - {model: credit, dataset: holdout,"
            " directional: [{feature: a, change: {add: 1}, expect: up}]}\n",
            "'up' is not one of",
        ),
    ],
)
def test_config_errors_name_the_line_and_the_key(body: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load(body)
    assert message in str(err.value)


def test_cases_alone_need_no_dataset() -> None:
    config = load("""
        model:
          - model: credit
            cases: [{input: {income: 1}, expect: {score: {min: 0}}}]
    """)
    assert [c.id for c in config.checks] == ["model/credit/cases/0"]
