"""Shared test helpers: golden files and small projects on disk."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# No test may depend on the machine's speed: no deadlines, no "too slow" health check. In CI
# the examples are derandomized (the same on every run: a red CI is a real regression); on a
# developer's machine each run explores new ones.
settings.register_profile(
    "mlgate",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
    derandomize=os.environ.get("CI") == "true",
)
settings.load_profile("mlgate")

REPO = Path(__file__).resolve().parent.parent
CONTRACTS = REPO / "tests" / "contracts"  # vendored, see its README
UPDATE_GOLDEN = os.environ.get("MLGATE_UPDATE_GOLDEN") == "1"


def assert_golden(actual: str, golden: Path) -> None:
    """Compare with a golden file; `MLGATE_UPDATE_GOLDEN=1` rewrites it instead."""
    if UPDATE_GOLDEN or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
        if not UPDATE_GOLDEN:
            pytest.fail(f"golden file {golden} was missing and has been written; run again")
    assert actual == golden.read_text(encoding="utf-8")


class Project:
    """A throwaway project folder: write files, then run the gate on it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    @property
    def config(self) -> Path:
        return self.root / "mlgate.yml"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A tmp project folder, made the current directory, outside any GitHub environment."""
    for var in (
        "GITHUB_EVENT_PATH",
        "GITHUB_ACTIONS",
        "GITHUB_TOKEN",
        "GITHUB_SHA",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_OUTPUT",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    return Project(tmp_path)
