"""Fixtures for the team's own tests; registered with the gate's plugin for the session."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mlgate.config.model import Config
    from mlgate.context import RunContext

CONTEXT_KEY = pytest.StashKey["RunContext"]()


def _context(request: pytest.FixtureRequest) -> RunContext:
    try:
        return request.config.stash[CONTEXT_KEY]
    except KeyError:
        pytest.fail("mlgate fixtures need an mlgate.yml (or --mlgate-config)", pytrace=False)


@pytest.fixture(scope="session")
def mlgate_context(request: pytest.FixtureRequest) -> RunContext:
    """The run's shared context (cache, base commit)."""
    return _context(request)


@pytest.fixture(scope="session")
def mlgate_config(mlgate_context: RunContext) -> Config:
    """The loaded `mlgate.yml`."""
    return mlgate_context.config


@pytest.fixture(scope="session")
def mlgate_dataset(mlgate_context: RunContext) -> Callable[[str], Any]:
    """`mlgate_dataset("train")` -> the DataFrame, read once per session."""
    from mlgate.datasets import dataset_named

    return functools.partial(dataset_named, mlgate_context)


@pytest.fixture(scope="session")
def mlgate_model(mlgate_context: RunContext) -> Callable[[str], Any]:
    """`mlgate_model("credit")` -> the loaded model, loaded once per session."""
    from mlgate.model.loading import model_named

    return functools.partial(model_named, mlgate_context)
