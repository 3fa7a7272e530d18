"""A model's `latency:` end to end: percentiles with intervals, `decide`, and `relative_to`
timed interleaved. Only what cannot flake: a model sleeping 20 ms per call against one
answering at once, and generous limits for the rest."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from mlgate.config import load_config
from mlgate.errors import ConfigError
from tests.api.helpers import run_gate

MODELS = """
import time


class Const:
    def __init__(self, pause):
        self.pause = pause

    def predict(self, x):
        if self.pause:
            time.sleep(self.pause)
        return [0.5] * len(x)


def fast():
    return Const(0)


def slow():
    return Const(0.02)
"""


def _project(tmp_path: Path) -> None:
    pkg = tmp_path / "latmods"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "build.py").write_text(MODELS, encoding="utf-8")
    rows = "\n".join(f"{i},{2 * i}" for i in range(20))
    (tmp_path / "d.csv").write_text(f"a,b\n{rows}\n", encoding="utf-8")


HEAD = """
version: 1
datasets: {d: {path: d.csv}}
models:
  fast: {factory: "latmods.build:fast"}
  fast2: {factory: "latmods.build:fast"}
  slow: {factory: "latmods.build:slow"}
model:
"""


def _gate(tmp_path: Path, entries: str) -> dict[str, Any]:
    _project(tmp_path)
    _code, checks = run_gate(tmp_path, HEAD + textwrap.dedent(entries))
    return checks


def test_relative_to_another_model_timed_interleaved(tmp_path: Path) -> None:
    checks = _gate(
        tmp_path,
        """
        - model: slow
          dataset: d
          latency: {calls: 12, warmup: 1, relative_to: fast, max_ratio: 3}
        - name: same
          model: fast2
          dataset: d
          latency: {calls: 30, relative_to: fast, max_ratio: 50, decide: evidence}
        """,
    )
    slow = checks["model/slow/latency"]
    assert slow["status"] == "failed"
    assert "x model 'fast' (95% CI " in slow["message"]
    assert "12 calls timed interleaved, each model first in half" in slow["message"]
    assert "its whole interval lies above 3;" in slow["message"]
    assert "too slow: slower than 3x model 'fast'" in slow["message"]
    assert slow["expected"] == "<= 3x model 'fast' (decide: evidence)"
    ratio = slow["details"]["ratio"]
    assert ratio["low"] <= ratio["point"] <= ratio["high"]
    assert ratio["n"] == 12
    same = checks["model/same/latency"]
    assert same["status"] == "passed"
    assert "machine noise: a fixed CPU loop took" in same["message"]


def test_budgets_are_judged_on_their_intervals(tmp_path: Path) -> None:
    checks = _gate(
        tmp_path,
        """
        - model: slow
          dataset: d
          latency: {calls: 10, warmup: 0, p50_ms: 1}
        - name: proof
          model: fast
          dataset: d
          latency: {calls: 20, p50_ms: 10000, p99_ms: 10000, decide: proof}
        - name: generous
          model: fast2
          dataset: d
          latency: {calls: 20, p50_ms: 10000, p95_ms: 10000, confidence: 0.9}
        """,
    )
    slow = checks["model/slow/latency"]
    assert slow["status"] == "failed"  # every call sleeps 20 ms: the whole interval is above 1 ms
    assert "p50 " in slow["message"]
    assert "its whole interval lies above 1 ms" in slow["message"]
    # 20 calls cannot bound p99 from above: `proof` cannot show it within any budget
    proof = checks["model/proof/latency"]
    assert proof["status"] == "failed"
    assert "p99" in proof["message"]
    assert "not shown within 10000 ms: 20 timings cannot bound it from above" in proof["message"]
    generous = checks["model/generous/latency"]
    assert generous["status"] == "passed"
    assert "p95 " in generous["message"]
    assert "90% CI" in generous["message"]
    assert generous["details"]["intervals"]["p50"]["confidence"] == 0.9


def _config_error(tmp_path: Path, entry: str) -> str:
    _project(tmp_path)
    (tmp_path / "mlgate.yml").write_text(HEAD + textwrap.dedent(entry), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "mlgate.yml")
    return str(info.value)


def test_relative_to_must_name_a_declared_model(tmp_path: Path) -> None:
    message = _config_error(
        tmp_path,
        """
        - model: slow
          dataset: d
          latency: {relative_to: fsat, max_ratio: 1.2}
        """,
    )
    assert "model[0].latency.relative_to" in message
    assert "fsat" in message
    assert "fast" in message


def test_max_ratio_and_relative_to_go_together(tmp_path: Path) -> None:
    message = _config_error(
        tmp_path,
        """
        - model: slow
          dataset: d
          latency: {max_ratio: 1.2}
        """,
    )
    assert "model[0].latency" in message
    assert "relative_to" in message
