"""Latency that holds on a noisy shared machine: percentiles with distribution-free intervals,
A-vs-B ratios timed interleaved with a paired bootstrap interval, the `decide` rule, and a
measure of how noisy the machine was. Cheap to import: numpy is imported where it is used.

- `stats`: order-statistic percentile intervals, the paired ratio, `decide`.
- `measure`: interleaved A/B timing and the CPU-noise probe (the only module reading clocks).
- `schema`: the `decide` / `confidence` keys shared by the latency checks.
"""
