"""Latency ratios on a simulated bursty shared machine: no wall clock, latencies drawn from a
seeded model of load bursts, timed through the same `interleaved` loop and `paired_ratio` +
`decide` the shadow and model checks use.

The machine alternates quiet spells and bursts (each slowing every call 2-6x) on a simulated
clock that advances by each call's latency, so a burst lasts for many calls in a row — as on a
shared CI runner. Timing one side after the other lets a burst land on one side only; timing
them interleaved on the same input makes both sides of a pair see the same load.
"""

from __future__ import annotations

import numpy as np

from mlgate.latency.measure import interleaved, pairs
from mlgate.latency.stats import decide, paired_ratio

RUNS = 120
PAIRS = 200
LIMIT = 1.3


class BurstyMachine:
    """A simulated clock whose load switches between quiet (1x) and bursts (2-6x)."""

    def __init__(self, rng: np.random.Generator, quiet_ms: float = 300.0, busy_ms: float = 120.0):
        self.rng = rng
        self.quiet_ms, self.busy_ms = quiet_ms, busy_ms
        self.now = 0.0
        self.busy = False
        self.factor = 1.0
        self.switch_at = float(rng.exponential(quiet_ms))

    def call(self, base_ms: float) -> float:
        """One call of a side whose quiet-machine latency is `base_ms`; the clock moves on."""
        while self.now >= self.switch_at:
            self.busy = not self.busy
            self.factor = float(self.rng.uniform(2, 6)) if self.busy else 1.0
            mean = self.busy_ms if self.busy else self.quiet_ms
            self.switch_at += float(self.rng.exponential(mean))
        ms = base_ms * self.factor * float(self.rng.lognormal(0.0, 0.15))
        self.now += ms
        return ms


def _interleaved_verdict(seed: int, slowdown: float) -> tuple[str, float]:
    machine = BurstyMachine(np.random.default_rng(seed))
    a, b = interleaved(lambda i: machine.call(1.0), lambda i: machine.call(slowdown), PAIRS)
    timed = pairs(a, b)
    est = paired_ratio(timed.a, timed.b, 0.95, a_first=timed.a_first)
    return decide(est, LIMIT, "evidence"), est.point


def _sequential_ratio(seed: int, slowdown: float) -> float:
    """The old design: every primary call, then every candidate call; ratio of medians."""
    machine = BurstyMachine(np.random.default_rng(seed))
    primary = [machine.call(1.0) for _ in range(PAIRS)]
    candidate = [machine.call(slowdown) for _ in range(PAIRS)]
    return float(np.median(candidate) / np.median(primary))


def test_identical_sides_pass_at_the_promised_rate() -> None:
    verdicts = [_interleaved_verdict(seed, 1.0)[0] for seed in range(RUNS)]
    # `evidence` at 95% promises a false failure in at most 2.5% of runs; here it is none
    assert verdicts.count("failed") <= 0.025 * RUNS
    assert verdicts.count("failed") == 0
    assert verdicts.count("passed") == RUNS  # not even inconclusive: the point is far below


def test_a_side_1_7x_slower_fails_every_run() -> None:
    verdicts = [_interleaved_verdict(1000 + seed, 1.7) for seed in range(RUNS)]
    assert [v for v, _ in verdicts].count("failed") == RUNS
    assert all(1.5 < ratio < 1.9 for _, ratio in verdicts)


def test_the_same_bursts_make_the_sequential_design_flip() -> None:
    """Why sides are interleaved: on the same machine model, timing one side after the other
    gets identical sides' ratio far from 1 in many runs (a burst on one side only), and lets a
    1.7x slower side pass in some."""
    identical = [_sequential_ratio(seed, 1.0) for seed in range(RUNS)]
    slower = [_sequential_ratio(1000 + seed, 1.7) for seed in range(RUNS)]
    wrong_alarms = sum(r > LIMIT for r in identical)
    misses = sum(r <= LIMIT for r in slower)
    assert wrong_alarms >= 2
    assert misses >= 2
    assert sum(not 1 / LIMIT <= r <= LIMIT for r in identical) >= 0.05 * RUNS


class SecondInARowPenalty(BurstyMachine):
    """The same machine, plus a side that answers 20x slower when it was also called last
    (as a server whose Nagle algorithm meets the client's delayed ACK): with the alternating
    order A B, B A, A B, ... the first call of every pair pays it."""

    def __init__(self, rng: np.random.Generator) -> None:
        super().__init__(rng)
        self.last = ""

    def call_side(self, side: str, base_ms: float) -> float:
        ms = self.call(base_ms)
        if side == self.last:
            ms *= 20
        self.last = side
        return ms


def _with_penalty(seed: int, slowdown: float) -> tuple[str, float, float]:
    machine = SecondInARowPenalty(np.random.default_rng(seed))
    a, b = interleaved(
        lambda i: machine.call_side("a", 1.0), lambda i: machine.call_side("b", slowdown), PAIRS
    )
    timed = pairs(a, b)
    crossover = paired_ratio(timed.a, timed.b, 0.95, a_first=timed.a_first)
    plain = paired_ratio(timed.a, timed.b, 0.95)
    return decide(crossover, LIMIT, "evidence"), crossover.point, plain.point


def test_an_effect_of_going_first_cancels_out() -> None:
    identical = [_with_penalty(2000 + seed, 1.0) for seed in range(RUNS // 2)]
    slower = [_with_penalty(3000 + seed, 1.7) for seed in range(RUNS // 2)]
    assert all(verdict == "passed" for verdict, _, _ in identical)
    assert all(verdict == "failed" for verdict, _, _ in slower)
    assert all(1.5 < ratio < 1.9 for _, ratio, _ in slower)
    # the plain median of all per-pair ratios falls between the two modes (1/20 and 20 times
    # the truth) wherever the pairs' split happens to put it
    plain = [p for _, _, p in identical]
    assert max(plain) / min(plain) > 2
