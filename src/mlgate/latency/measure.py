"""Timing on a shared machine: two sides interleaved on the same inputs, and a probe of how
noisy the machine is (a fixed CPU loop timed before and after the measurement)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: One side's step on input i: its time in ms, or None (not timed: an error, or not asked).
Step = Callable[[int], "float | None"]


def interleaved(
    a: Step, b: Step, n: int, stop: Callable[[], bool] | None = None
) -> tuple[list[float | None], list[float | None]]:
    """Run both sides on inputs 0..n-1 back to back, alternating which goes first (A B, B A,
    ...), so a burst of load lands on both sides of a pair and neither always goes first.
    `stop` is asked before each pair; the inputs left are not run (None on both sides)."""
    out_a: list[float | None] = [None] * n
    out_b: list[float | None] = [None] * n
    for i in range(n):
        if stop is not None and stop():
            break
        if i % 2 == 0:
            out_a[i] = a(i)
            out_b[i] = b(i)
        else:
            out_b[i] = b(i)
            out_a[i] = a(i)
    return out_a, out_b


@dataclass(frozen=True)
class Pairs:
    """The inputs timed on both sides: aligned timings, and for each pair whether A went first."""

    a: list[float]
    b: list[float]
    a_first: list[bool]


def pairs(a: list[float | None], b: list[float | None]) -> Pairs:
    """The inputs timed on both sides of an `interleaved` run (input i had A first when i is
    even)."""
    kept = [
        (x, y, i % 2 == 0)
        for i, (x, y) in enumerate(zip(a, b, strict=True))
        if x is not None and y is not None
    ]
    return Pairs([x for x, _, _ in kept], [y for _, y, _ in kept], [f for _, _, f in kept])


PROBE_LOOPS = 20_000
PROBE_ROUNDS = 5


def _probe_once() -> float:
    start = time.perf_counter()
    total = 0
    for i in range(PROBE_LOOPS):
        total += i * i % 7
    return (time.perf_counter() - start) * 1000


@dataclass
class Noise:
    """A fixed CPU loop timed `PROBE_ROUNDS` times before and after a measurement: on a quiet
    machine every round takes about as long as the fastest; on a busy one some take far longer."""

    before: list[float] = field(default_factory=list)
    after: list[float] = field(default_factory=list)

    @classmethod
    def start(cls) -> Noise:
        return cls(before=[_probe_once() for _ in range(PROBE_ROUNDS)])

    def finish(self) -> Noise:
        self.after = [_probe_once() for _ in range(PROBE_ROUNDS)]
        return self

    def spread(self) -> float | None:
        """Slowest / fastest round (1.0 = perfectly steady)."""
        rounds = self.before + self.after
        if not rounds or min(rounds) <= 0:
            return None
        return max(rounds) / min(rounds)

    def typical(self) -> float | None:
        """Median / fastest round: how slow the machine usually was, not just its worst."""
        rounds = sorted(self.before + self.after)
        if not rounds or rounds[0] <= 0:
            return None
        return rounds[(len(rounds) - 1) // 2] / rounds[0]

    def level(self) -> str:
        spread, typical = self.spread(), self.typical()
        if spread is None or typical is None:
            return "unknown"
        if spread >= 3 or typical >= 1.5:
            return "busy"
        if spread >= 1.5:
            return "somewhat busy"
        return "quiet"

    def text(self) -> str:
        """'machine noise: a fixed CPU loop took 0.84–8.9 ms over 10 rounds before and after
        (the median round 1.05x the fastest, the slowest 10.6x): busy'."""
        spread, typical = self.spread(), self.typical()
        if spread is None or typical is None:
            return "machine noise: not measured"
        rounds = self.before + self.after
        return (
            f"machine noise: a fixed CPU loop took {min(rounds):.2g}–{max(rounds):.2g} ms over "
            f"{len(rounds)} rounds before and after (the median round {typical:.2f}x the "
            f"fastest, the slowest {spread:.1f}x): {self.level()}"
        )

    def as_dict(self) -> dict[str, Any]:
        spread = self.spread()
        return {
            "probe_ms_before": [round(x, 4) for x in self.before],
            "probe_ms_after": [round(x, 4) for x in self.after],
            "spread": None if spread is None else round(spread, 4),
            "typical": None if self.typical() is None else round(self.typical() or 0, 4),
            "level": self.level(),
        }
