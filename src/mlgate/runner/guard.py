"""What keeps `mlgate run` in charge of its own end: signals, the watchdog, leftover processes.

- `Stopper`: SIGTERM (a cancelled CI job) and SIGINT (Ctrl-C) stop the run the way Ctrl-C
  does — a `KeyboardInterrupt` in the main thread — and remember which signal it was, so the
  runner writes the partial report and exits 128 + the signal. A `KeyboardInterrupt` raised by
  team code without a signal is that check's error, not the end of the run.
- `Watchdog`: a thread for what the main thread cannot do when it is stuck in code that never
  returns to Python: past a check's budget (or the run's) by `GRACE` seconds, or `GRACE`
  seconds after a signal nobody handled, it writes the partial report itself and ends the
  process (exit 1, or 128 + the signal).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from types import FrameType, TracebackType

GRACE = 30.0
"""Seconds the watchdog waits past a spent budget (the budget's own signal comes first)."""
SIGNAL_GRACE = 10.0
"""Seconds the watchdog waits for the main thread to act on SIGTERM/SIGINT at all."""
STOP_GRACE = 60.0
"""Seconds the main thread has to wrap up (stop services, write the report) after acting."""


_STOPPING = (int(signal.SIGTERM), int(signal.SIGINT))


class Stopper:
    """Turns SIGTERM/SIGINT into a `KeyboardInterrupt` in the main thread and records it."""

    active: Stopper | None = None  # the one installed by the running `mlgate run`, if any

    def __init__(self) -> None:
        self.signum: int | None = None
        self.received_at: float | None = None
        self.handled = 0  # signals the main thread acted on
        self._seen = 0
        self._last = 0
        self._old: dict[int, object] = {}
        self._wakeup_old = -1
        self._pipe: tuple[socket.socket, socket.socket] | None = None

    def __enter__(self) -> Stopper:
        if threading.current_thread() is not threading.main_thread():
            return self
        for sig in _STOPPING:
            with contextlib.suppress(ValueError, OSError):
                self._old[sig] = signal.signal(sig, self._handle)
        with contextlib.suppress(ValueError, OSError):
            r, w = socket.socketpair()
            r.setblocking(False)
            w.setblocking(False)
            self._wakeup_old = signal.set_wakeup_fd(w.fileno(), warn_on_full_buffer=False)
            self._pipe = (r, w)
        Stopper.active = self
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        Stopper.active = None
        for sig, old in self._old.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(sig, old)  # type: ignore[arg-type]
        if self._pipe is not None:
            with contextlib.suppress(ValueError, OSError):
                signal.set_wakeup_fd(self._wakeup_old)
            for s in self._pipe:
                s.close()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        first = self.signum is None
        self.signum = signum
        self.received_at = self.received_at or time.monotonic()
        self.handled += 1
        if first:
            raise KeyboardInterrupt

    def seen(self) -> int:
        """How many SIGTERM/SIGINT arrived, also those the main thread has not acted on yet
        (the C-level handler writes each to the wakeup socket)."""
        if self._pipe is not None:
            with contextlib.suppress(BlockingIOError, OSError):
                data = [b for b in self._pipe[0].recv(256) if b in _STOPPING]
                if data:  # every signal is written there (SIGALRM too): count only ours
                    self._seen += len(data)
                    self.received_at = self.received_at or time.monotonic()
                    self._last = data[-1]
        return max(self._seen, self.handled)

    @property
    def message(self) -> str:
        signum = self.signum or self._last
        name = signal.Signals(signum).name if signum else "an interrupt"
        return f"interrupted by {name}: the run was stopped"

    @property
    def exit_code(self) -> int:
        return 128 + (self.signum or self._last or signal.SIGINT)


def raised_by_code() -> bool:
    """Whether a `KeyboardInterrupt` just caught came from team code, not from a signal to
    `mlgate run` (outside `mlgate run` — plain pytest — it always stops the session)."""
    stopper = Stopper.active
    return stopper is not None and stopper.signum is None


class Watchdog:
    """A daemon thread ending the run with its partial report when the main thread cannot.

    `running()` gives the check in progress as (budget seconds, started monotonic) or None;
    `abort(why, exit_code)` writes the partial report and must not return (it ends the process).
    """

    def __init__(
        self,
        deadline: float,
        running: Callable[[], tuple[float, float] | None],
        abort: Callable[[str, int], None],
        stopper: Stopper,
    ) -> None:
        self.deadline = deadline
        self.running = running
        self.abort = abort
        self.stopper = stopper
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="mlgate-watchdog", daemon=True)

    def __enter__(self) -> Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()

    def _watch(self) -> None:
        while not self._done.wait(0.5):
            why = self.why()
            if why is not None and not self._done.is_set():
                self.abort(*why)
                return

    def why(self) -> tuple[str, int] | None:
        """Why to end the run now (a message, the exit code), or None."""
        now = time.monotonic()
        stopper = self.stopper
        seen = stopper.seen()
        if seen >= 2:  # asked twice: do not wait for the main thread any longer
            return stopper.message, stopper.exit_code
        if stopper.received_at is not None:
            waited = now - stopper.received_at
            if waited > (STOP_GRACE if stopper.handled else SIGNAL_GRACE):
                return stopper.message, stopper.exit_code
        running = self.running()
        if running is not None:
            budget, started = running
            if now - started > budget + GRACE:
                return (
                    f"did not stop at its budget of {budget:g} s (it ignores the timeout, or is "
                    "stuck in code Python cannot interrupt), so the run was ended here",
                    1,
                )
        if now > self.deadline + GRACE:
            return "the run went past gate.timeout and was ended here", 1
        return None


def hard_exit(code: int) -> None:
    """End the process now (the watchdog, after writing the report)."""
    os._exit(code)
