"""Slices and fairness with their uncertainty: every slice metric, gap and fairness measure
has an interval; `decide` judges them as it judges the baseline; a slice too small to judge is
reported with its size, never judged on a handful of rows."""

from __future__ import annotations

import math
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from mlgate.stats.intervals import newcombe, wilson
from mlgate.stats.paired import auc_interval, mover
from tests.model.test_kinds import gate


def test_newcombe_and_wilson_reproduce_the_published_examples() -> None:
    # Newcombe (1998), Statistics in Medicine 17, table II: 56/70 - 48/80, method 10
    lo, hi = newcombe(56, 70, 48, 80, 0.95)
    assert (round(lo, 4), round(hi, 4)) == (0.0524, 0.3339)
    # Wilson interval of 81/263 (Newcombe 1998a, table I): 0.2553 to 0.3662
    lo, hi = wilson(81, 263, 0.95)
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)
    p1, p2 = 56 / 70, 48 / 80
    assert mover((p1, *wilson(56, 70)), (p2, *wilson(48, 80))) == pytest.approx(
        newcombe(56, 70, 48, 80)
    )


def test_one_auc_interval_is_delongs_variance() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 150)
    s = y + rng.normal(0, 1.2, 150)
    pos, neg = s[y == 1], s[y == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    auc = psi.mean()
    var = psi.mean(axis=1).var(ddof=1) / len(pos) + psi.mean(axis=0).var(ddof=1) / len(neg)
    half = 1.959963984540054 * math.sqrt(var)
    assert auc_interval(y, s, 0.95) == pytest.approx((auc - half, auc + half))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """g: a (900 rows) and b (900 rows) alike, c (60 rows) a little worse, tiny (8 rows)."""
    root = tmp_path_factory.mktemp("groups")
    rng = np.random.default_rng(5)
    sizes = {"a": 900, "b": 900, "c": 60, "tiny": 8}
    g = np.repeat(list(sizes), list(sizes.values()))
    x = rng.normal(0, 1, len(g))
    noise = np.where(g == "c", 1.0, 0.6)
    df = pd.DataFrame({"x": x, "g": g, "y": (x + rng.normal(0, 1, len(g)) * noise > 0)})
    df["y"] = df["y"].astype(int)
    joblib.dump(LogisticRegression().fit(df[["x"]], df["y"]), root / "m.joblib")
    df.to_parquet(root / "d.parquet")
    return root


CONFIG = """
version: 1
datasets: {{d: {{path: d.parquet}}}}
models: {{m: {{path: m.joblib, target: y, features: [x]}}}}
model:
  - model: m
    dataset: d
    slices:
      - {{by: g, metrics: {{accuracy: {{min: {floor}}}}}, max_gap: {{accuracy: 0.05}},
         decide: {rule}}}
    fairness:
      - {{protected: g, demographic_parity_difference: {{max: 0.05}}, decide: {rule}}}
"""


def test_intervals_everywhere_and_the_small_slice_is_not_judged(project: Path) -> None:
    checks = gate(project, CONFIG.format(floor=0.5, rule="estimate"))
    sl = checks["model/m/slices/g/accuracy"]
    assert sl["status"] == "passed"
    assert "not judged: tiny (8 rows, fewer than 30 rows)" in sl["message"]
    assert "95% CI" in sl["message"]
    slices = {r["slice"]: r for r in sl["details"]["slices"]}
    assert slices["tiny"]["judged"] is False
    assert slices["tiny"]["ci"] == [None, None]
    lo, hi = slices["c"]["ci"]
    assert lo < slices["c"]["value"] < hi
    assert hi - lo > 0.1  # 60 rows: a wide interval
    gap = checks["model/m/slices/g/max_gap/accuracy"]
    assert gap["details"]["gap_ci"][0] < gap["details"]["gap"] < gap["details"]["gap_ci"][1]
    fair = checks["model/m/fairness/g/demographic_parity_difference"]
    assert "95% CI" in fair["message"]
    assert fair["details"]["ci"][0] < fair["details"]["value"] < fair["details"]["ci"][1]


def test_evidence_on_slices_turns_noise_into_warnings_not_failures(project: Path) -> None:
    est = gate(project, CONFIG.format(floor=0.5, rule="estimate"))
    ev = gate(project, CONFIG.format(floor=0.5, rule="evidence"))
    gap_est = est["model/m/slices/g/max_gap/accuracy"]
    gap_ev = ev["model/m/slices/g/max_gap/accuracy"]
    lo, _ = gap_est["details"]["gap_ci"]
    assert gap_est["details"]["gap"] > 0.05 > lo  # c is worse by the estimate, not shown
    assert gap_est["status"] == "failed"
    assert gap_ev["status"] == "warning"
    assert "inconclusive" in gap_ev["message"]
    assert "rows would decide" in gap_ev["message"]


def test_a_slice_far_below_its_floor_fails_under_evidence(project: Path) -> None:
    checks = gate(project, CONFIG.format(floor=0.99, rule="evidence"))
    sl = checks["model/m/slices/g/accuracy"]
    assert sl["status"] == "failed"
    assert "is outside >= 0.99 on 3 of 3 slices" in sl["message"]
    proof = gate(project, CONFIG.format(floor=0.5, rule="proof"))
    assert proof["model/m/slices/g/accuracy"]["status"] == "passed"
