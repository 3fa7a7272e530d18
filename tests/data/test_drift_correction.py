"""Drift over many columns: the p-values of a suite's drift checks are adjusted together
(Holm by default), so 40 same-distribution columns do not cry wolf while a 0.25 sd shift is
still caught; the messages show the raw and the adjusted p-value."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlgate.testing.data import _judge_suite

COLUMNS = [f"x{i}" for i in range(40)]


def frames(seed: int, shifted: tuple[int, ...] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ref = pd.DataFrame({c: rng.normal(0, 1, 2000) for c in COLUMNS})
    cur = pd.DataFrame(
        {c: rng.normal(0.25 if i in shifted else 0, 1, 2000) for i, c in enumerate(COLUMNS)}
    )
    return cur, ref


def failures(cur: pd.DataFrame, ref: pd.DataFrame, **drift: Any) -> dict[str, Any]:
    entry = {
        "dataset": "frame",
        "drift": {"reference": "reference", "columns": COLUMNS, "method": "ks", **drift},
    }
    return {cid: o for cid, o in _judge_suite(entry, cur, ref) if o.status == "failed"}


def test_forty_alike_columns_give_at_most_one_failure_over_five_seeds() -> None:
    holm = sum(len(failures(*frames(seed))) for seed in range(5))
    raw = sum(len(failures(*frames(seed), correction="none")) for seed in range(5))
    assert holm <= 1
    assert raw >= 5  # about 0.05 x 40 x 5 = 10 without a correction


@pytest.mark.parametrize("correction", ["holm", "bh"])
def test_a_quarter_sd_shift_is_still_caught(correction: str) -> None:
    cur, ref = frames(11, shifted=(3, 17, 30))
    bad = failures(cur, ref, correction=correction)
    assert set(bad) == {"drift/x3", "drift/x17", "drift/x30"}
    one = bad["drift/x3"]
    name = {"holm": "Holm", "bh": "Benjamini-Hochberg"}[correction]
    assert f"{name}-adjusted over 40 columns" in one.message
    assert one.details["p_adjusted"] >= one.details["p_value"]
    assert one.details["tests"] == 40
    assert one.observed == round(one.details["p_adjusted"], 6)


def test_the_every_column_check_adjusts_too() -> None:
    cur, ref = frames(2, shifted=(5,))
    entry = {"dataset": "frame", "drift": {"reference": "reference", "method": "ks"}}
    [(_, outcome)] = _judge_suite(entry, cur, ref)
    assert outcome.status == "failed"
    assert outcome.observed == ["x5"]
    assert outcome.details["correction"] == "holm"
    assert outcome.details["columns"]["x0"]["tests"] == 40


def test_distances_are_not_adjusted() -> None:
    cur, ref = frames(3)
    entry = {
        "dataset": "frame",
        "drift": {"reference": "reference", "columns": COLUMNS[:3], "method": "psi"},
    }
    for _, o in _judge_suite(entry, cur, ref):
        assert "adjusted" not in o.message
        assert "p_adjusted" not in o.details
