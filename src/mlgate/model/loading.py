"""Loading the models declared under `models:` (placeholder until the model family lands)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlgate.errors import CheckError

if TYPE_CHECKING:
    from mlgate.config.model import ModelSpec
    from mlgate.context import RunContext


def load_model(spec: ModelSpec, ctx: RunContext) -> Any:
    raise CheckError(f"model {spec.name!r}: model loading is not available yet")
