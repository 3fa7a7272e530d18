"""The keys every latency check shares: how to decide and how sure to be (the same keys and
meaning as every other comparison: `mlgate.stats.schema`)."""

from __future__ import annotations

from mlgate.stats.schema import CONFIDENCE, DECIDE

__all__ = ["CONFIDENCE", "DECIDE"]
