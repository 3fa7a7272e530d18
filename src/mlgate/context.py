"""The run's shared state: the config, the base ref and a cache of expensive work.

Every check gets the same `RunContext`. Loading a dataset or a model, or profiling a dataset,
goes through `memo`, so it happens once per session whatever number of checks need it; a
failure is cached too, so every dependent check reports the same reason without retrying.
The context knows no loader: datasets are read by `mlgate.datasets.dataset` and models by
`mlgate.model.loading.model`, each memoised on the context.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from mlgate.errors import CheckError
from mlgate.runner.budget import DEFAULT_GATE_TIMEOUT, CheckTimeout

if TYPE_CHECKING:
    from mlgate.config.model import Config

T = TypeVar("T")


@dataclass
class _Failure:
    error: BaseException


@dataclass
class RunContext:
    """Shared by all checks of one run."""

    config: Config
    base_ref: str | None = None
    event: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _closers: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def on_close(self, closer: Callable[[], None]) -> None:
        """Run `closer` when the run ends (services stopped, temp files removed), last first."""
        with self._lock:
            self._closers.append(closer)

    def close(self) -> None:
        """Run every registered closer once, newest first; a failing closer never stops the rest."""
        with self._lock:
            closers, self._closers = self._closers[::-1], []
        for closer in closers:
            with contextlib.suppress(Exception):  # cleanup must go on
                closer()

    def close_now(self) -> None:
        """`close` from another thread while the main one may hold the lock (the watchdog)."""
        closers, self._closers = self._closers[::-1], []
        for closer in closers:
            with contextlib.suppress(Exception):
                closer()

    @property
    def gate_timeout(self) -> float:
        """The whole run's budget in seconds (`gate.timeout`, else the default)."""
        timeout = self.config.gate.timeout
        return float(timeout) if timeout is not None else DEFAULT_GATE_TIMEOUT

    @property
    def gate_deadline(self) -> float:
        """When (`time.monotonic()`) the whole run's budget is spent."""
        return self.started + self.gate_timeout

    def gate_expired(self) -> bool:
        return time.monotonic() >= self.gate_deadline

    def memo(self, key: Any, factory: Callable[[], T]) -> T:
        """`factory()` once per key for the whole run; a raised error is replayed to later calls.

        Whatever team code raises is kept (also `SystemExit`), except an interrupt. A
        `CheckTimeout` is kept too, so checks sharing work that ran out of time do not each
        spend their own budget on it again; they say whose work it was.
        """
        fresh = False
        with self._lock:
            if key not in self._cache:
                fresh = True
                try:
                    self._cache[key] = factory()
                except KeyboardInterrupt:
                    raise
                except BaseException as exc:
                    self._cache[key] = _Failure(exc)
            value = self._cache[key]
        if isinstance(value, _Failure):
            if isinstance(value.error, CheckTimeout) and not fresh:
                raise CheckError(
                    "not computed: the work this check shares with an earlier one (reading, "
                    f"profiling, loading or starting) {value.error}"
                )
            raise value.error
        return value  # type: ignore[no-any-return]

    def require_base_ref(self, what: str) -> str:
        """The base commit for `ref: base`, or a `SkipCheck` naming why there is none."""
        if self.base_ref:
            return self.base_ref
        raise SkipCheck(
            f"{what} uses `ref: base`, but this run is not for a pull request "
            "(no base commit in the event payload; pass --base-ref REF to give one)"
        )


class SkipCheck(Exception):  # noqa: N818 - it is a signal, not an error
    """Raised by a check (or what it needs) to be reported as `skipped` with this reason."""
