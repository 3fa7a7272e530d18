"""Wall-clock budgets: every check (and every team test) gets one, the whole run gets one.

A check runs in the main thread under `deadline(...)`: `SIGALRM` (`setitimer`) raises
`CheckTimeout` in the middle of Python-level work (sleeps, socket waits, loops) when the
budget is spent, and again every second after that. It is a `BaseException`, like
`KeyboardInterrupt`, so team code's `except Exception` does not swallow it, and code that catches
everything is stopped by the next one. Work that never returns to Python (a C loop) is the
job of the run's watchdog (`mlgate.runner.guard`).
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

DEFAULT_CHECK_TIMEOUT = 600.0
"""Seconds each check (and each team test) may take unless its entry says `timeout:`."""
DEFAULT_GATE_TIMEOUT = 3600.0
"""Seconds the whole run may take unless `gate.timeout` says otherwise."""
MAX_TIMEOUT = 7 * 24 * 3600.0
"""The largest `timeout`/`gate.timeout` accepted: a week (more cannot be meant)."""
REPEAT = 1.0
"""After the first `CheckTimeout`, raise it again this often until the check returns."""


class CheckTimeout(BaseException):
    """Raised in the main thread when a check's (or the run's) budget is spent."""

    def __init__(self, budget: Budget) -> None:
        super().__init__(budget.message)
        self.budget = budget


@dataclass(frozen=True)
class Budget:
    """How long one check may run, and what to say when it did not finish in time."""

    seconds: float
    reason: str  # e.g. "its time budget of 600 s (the default; set `timeout:` ...)"

    @property
    def message(self) -> str:
        return f"did not finish within {self.reason}"


def own_budget(timeout: float | None, given: str, how: str) -> Budget:
    """A check's or test's own budget: `timeout` (set where `given` says), else the default
    (which `how` says how to change)."""
    if timeout is not None:
        return Budget(timeout, f"its time budget of {fmt_seconds(timeout)} s ({given})")
    return Budget(
        DEFAULT_CHECK_TIMEOUT,
        f"its time budget of {fmt_seconds(DEFAULT_CHECK_TIMEOUT)} s (the default; {how} to "
        "change it)",
    )


def check_budget(timeout: float | None, gate_deadline: float | None, gate_timeout: float) -> Budget:
    """The budget of a check: its own `timeout` (or the default), cut short by the gate's."""
    own = own_budget(timeout, "`timeout:` of its entry", "set `timeout:` on its entry")
    if gate_deadline is None:
        return own
    left = gate_deadline - time.monotonic()
    if left < own.seconds:
        return Budget(max(left, 0.001), gate_reached(gate_timeout))
    return own


def gate_reached(gate_timeout: float) -> str:
    return f"gate.timeout of {fmt_seconds(gate_timeout)} s (the whole run's budget)"


def not_run_message(gate_timeout: float) -> str:
    return f"not run: gate.timeout of {fmt_seconds(gate_timeout)} s reached"


def fmt_seconds(seconds: float | None) -> str:
    value = DEFAULT_CHECK_TIMEOUT if seconds is None else seconds
    return f"{value:g}"


def timeout_problem(value: Any) -> str | None:
    """Why a `timeout` value cannot be meant (NaN, infinite, not positive, over a week)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "must be a number of seconds"
    if not math.isfinite(value) or value <= 0:
        return f"must be a positive number of seconds (got {value!r})"
    if value > MAX_TIMEOUT:
        return f"must be at most {MAX_TIMEOUT:g} s (a week; got {value!r})"
    return None


class _Deadline:
    """State of the alarm currently armed by `deadline` (one at a time, main thread only)."""

    active: Budget | None = None


_STATE = _Deadline()


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    budget = _STATE.active
    if budget is not None:
        raise CheckTimeout(budget)


@contextmanager
def deadline(budget: Budget) -> Iterator[None]:
    """Run the block under `budget`; outside the main thread (no signals there) it only runs it.

    An alarm set by someone else (pytest-timeout in signal mode) is put back afterwards with
    what is left of it.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or _STATE.active is not None
        or not hasattr(signal, "setitimer")  # Windows: only the watchdog and gate.timeout
    ):
        yield
        return
    started = time.monotonic()
    old_handler = signal.signal(signal.SIGALRM, _on_alarm)
    old_delay, old_interval = signal.setitimer(
        signal.ITIMER_REAL, max(budget.seconds, 0.001), REPEAT
    )
    _STATE.active = budget
    try:
        yield
    finally:
        _STATE.active = None  # from here on the handler raises nothing
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if old_delay > 0:
            left = max(old_delay - (time.monotonic() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, left, old_interval)
