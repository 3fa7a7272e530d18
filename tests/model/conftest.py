"""Fixtures of the model family's tests: one trained credit project shared by the module."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.model.projects import make_credit_project


@pytest.fixture(scope="session")
def credit_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(root, base sha): a git repo whose HEAD has the weak model and the tree the PR model."""
    root = tmp_path_factory.mktemp("credit")
    return root, make_credit_project(root)
