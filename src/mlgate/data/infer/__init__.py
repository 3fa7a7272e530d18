"""Checks inferred from a reference sample for `mlgate init`: bounds that later data of the same
source passes (domain facts, tolerances from the spread, sets only for closed categories) and
that real faults break. `numbers` (numeric bounds), `text` (sets and shapes), `columns` (one
column), `suite` (one dataset)."""
