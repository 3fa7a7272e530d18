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


def pairs(a: list[float | None], b: list[float | None]) -> tuple[list[float], list[float]]:
    """The inputs timed on both sides, as two aligned lists."""
    both = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    return [x for x, _ in both], [y for _, y in both]


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

    def level(self) -> str:
        spread = self.spread()
        if spread is None:
            return "unknown"
        if spread < 1.3:
            return "quiet"
        if spread < 2.0:
            return "somewhat busy"
        return "busy"

    def text(self) -> str:
        """'machine noise: a fixed CPU loop varied 1.12x over 10 rounds before and after
        (quiet)'."""
        spread = self.spread()
        if spread is None:
            return "machine noise: not measured"
        rounds = len(self.before) + len(self.after)
        return (
            f"machine noise: a fixed CPU loop varied {spread:.2f}x over {rounds} rounds before "
            f"and after ({self.level()})"
        )

    def as_dict(self) -> dict[str, Any]:
        spread = self.spread()
        return {
            "probe_ms_before": [round(x, 4) for x in self.before],
            "probe_ms_after": [round(x, 4) for x in self.after],
            "spread": None if spread is None else round(spread, 4),
            "level": self.level(),
        }
