"""The one place that lists the check families. A family module registers its `Family` (and any
report section) on import and must stay cheap to import: no pandas, no scikit-learn. Adding a
family is one line here and touches nothing else."""

from __future__ import annotations

import importlib

from mlgate.checks import FAMILIES, Family

FAMILY_MODULES: tuple[str, ...] = (
    "mlgate.data",
    "mlgate.model",
    "mlgate.api",
    "mlgate.shadow",
)


def load_families() -> list[Family]:
    """Import every family module and return the families in registration order."""
    for module in FAMILY_MODULES:
        importlib.import_module(module)
    return [family for _, family in FAMILIES.items()]
