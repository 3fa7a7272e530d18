"""Model check kinds (numpy, pandas, scikit-learn): imported by the runner only to run checks.

Importing this module registers every `model.*` kind; the kinds live in small modules by theme.
"""

from __future__ import annotations

from mlgate.model import kinds_behaviour, kinds_compare, kinds_latency, kinds_perf

__all__ = ["kinds_behaviour", "kinds_compare", "kinds_latency", "kinds_perf"]
