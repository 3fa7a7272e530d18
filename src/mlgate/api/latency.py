"""Load generation: closed loop (N workers back to back) or open loop (a fixed send rate).

Each worker keeps one keep-alive session. Percentiles are exact (nearest rank over every
measured latency, no histogram). In open loop a request's latency counts from the moment it
was *scheduled*, so a slow period delays later requests and is not under-sampled.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mlgate.api.http import Answer, HangWatch, Req, Sender


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile (`q` in 0..100) of already sorted values: an observed value."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass
class Sample:
    ms: float
    answer: Answer


@dataclass
class LoadResult:
    """What a load run measured."""

    samples: list[Sample] = field(default_factory=list)
    wall_s: float = 0.0
    stopped_early: bool = False
    mode: str = "closed"
    #: Why an open-loop run stopped before it sent every request ("" when it did not).
    stop_reason: str = ""

    def latencies(self) -> list[float]:
        return sorted(s.ms for s in self.samples)

    def stats(self) -> dict[str, Any]:
        lat = self.latencies()
        n = len(lat)
        out: dict[str, Any] = {
            "requests": n,
            "mode": self.mode,
            "wall_s": round(self.wall_s, 3),
            "throughput_rps": round(n / self.wall_s, 2) if self.wall_s > 0 else None,
        }
        for name, q in (("p50_ms", 50), ("p95_ms", 95), ("p99_ms", 99)):
            out[name] = round(percentile(lat, q), 3) if n else None
        out["max_ms"] = round(lat[-1], 3) if n else None
        out["mean_ms"] = round(sum(lat) / n, 3) if n else None
        return out


def closed_loop(
    make_sender: Callable[[], Sender],
    req: Req,
    *,
    requests: int,
    warmup: int,
    concurrency: int,
    time_limit: float,
    is_error: Callable[[Answer], bool] | None = None,
    max_errors: int | None = None,
) -> LoadResult:
    """`concurrency` workers each send back to back until `requests` were measured; stops early
    when more than `max_errors` answers are errors (the verdict is then certain)."""
    senders = [make_sender() for _ in range(concurrency)]
    try:
        result = LoadResult(mode="closed")
        watch = HangWatch()
        if not _warm_up(senders, req, warmup, watch, result):
            return result
        lock = threading.Lock()
        counter = [0]
        deadline = time.monotonic() + time_limit

        errors = [0]

        def worker(sender: Sender) -> None:
            while True:
                with lock:
                    if counter[0] >= requests or time.monotonic() >= deadline:
                        return
                    if result.stop_reason:
                        return
                    counter[0] += 1
                answer = sender.send(req)
                with lock:
                    result.samples.append(Sample(answer.elapsed_ms, answer))
                    _count_error(result, answer, is_error, max_errors, errors, requests, watch)

        start = time.perf_counter()
        _run_threads([functools.partial(worker, s) for s in senders], time_limit + req.timeout + 5)
        result.wall_s = time.perf_counter() - start
        result.stopped_early = len(result.samples) < requests
        return result
    finally:
        for s in senders:
            s.close()


#: An open-loop run stops once requests are this many seconds behind their schedule (and at
#: least `BACKLOG_REQUESTS` requests): the service cannot keep up with the rate.
BACKLOG_S = 5.0
BACKLOG_REQUESTS = 10


def open_loop(
    make_sender: Callable[[], Sender],
    req: Req,
    *,
    requests: int,
    warmup: int,
    rate: float,
    concurrency: int,
    time_limit: float,
    is_error: Callable[[Answer], bool] | None = None,
    max_errors: int | None = None,
    max_backlog_s: float | None = None,
) -> LoadResult:
    """Send request i at t0 + i/rate (whatever the answers' speed) with up to `concurrency`
    requests in flight; each latency counts from its scheduled time.

    Stops early (`stop_reason`) when the service cannot keep up (a request is due more than
    `max_backlog_s` ago when a worker is free to send it; default `BACKLOG_S`, at least
    `BACKLOG_REQUESTS` requests) or when more than `max_errors` answers are errors
    (`is_error`), which makes the verdict certain whatever the rest would do."""
    if max_backlog_s is None:
        max_backlog_s = max(BACKLOG_S, BACKLOG_REQUESTS / rate)
    senders = [make_sender() for _ in range(concurrency)]
    try:
        result = LoadResult(mode=f"open loop at {rate:g}/s")
        watch = HangWatch()
        if not _warm_up(senders, req, warmup, watch, result):
            return result
        lock = threading.Lock()
        next_index = [0]
        errors = [0]
        t0 = time.perf_counter() + 0.01
        deadline = time.monotonic() + time_limit

        def worker(sender: Sender) -> None:
            while True:
                with lock:
                    i = next_index[0]
                    if i >= requests or time.monotonic() >= deadline or result.stop_reason:
                        return
                    due = t0 + i / rate
                    behind = time.perf_counter() - due
                    if behind > max_backlog_s:
                        done = len(result.samples)
                        result.stop_reason = (
                            f"the service cannot keep up with {rate:g} requests/s: request "
                            f"{i + 1:,} was due {behind:.1f} s ago when a worker was free to "
                            f"send it (answered {done:,} in {time.perf_counter() - t0:.1f} s, "
                            f"{concurrency} in flight at most)"
                        )
                        return
                    next_index[0] += 1
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                answer = sender.send(req)
                ms = (time.perf_counter() - due) * 1000
                with lock:
                    result.samples.append(Sample(ms, answer))
                    _count_error(result, answer, is_error, max_errors, errors, requests, watch)

        _run_threads([functools.partial(worker, s) for s in senders], time_limit + req.timeout + 5)
        result.wall_s = time.perf_counter() - t0
        result.stopped_early = len(result.samples) < requests
        return result
    finally:
        for s in senders:
            s.close()


def _count_error(
    result: LoadResult,
    answer: Answer,
    is_error: Callable[[Answer], bool] | None,
    max_errors: int | None,
    errors: list[int],
    requests: int,
    watch: HangWatch,
) -> None:
    """Count an error answer; past `max_errors`, or once the service is hung, the run stops
    (call with the lock held)."""
    if watch.saw(answer) and not result.stop_reason:
        result.stop_reason = watch.reason()
    if is_error is None or not is_error(answer):
        return
    errors[0] += 1
    if max_errors is not None and errors[0] > max_errors and not result.stop_reason:
        result.stop_reason = (
            f"{errors[0]:,} errors in the first {len(result.samples):,} answers: more than the "
            f"{max_errors:,} of {requests:,} allowed, whatever the rest would do"
        )


def _warm_up(
    senders: list[Sender], req: Req, warmup: int, watch: HangWatch, result: LoadResult
) -> bool:
    """Send the warm-up requests; False (and `stop_reason`) if the service is hung."""
    for i in range(warmup):
        if watch.saw(senders[i % len(senders)].send(req)):
            result.stop_reason = f"during the warm-up, {watch.reason()}"
            result.stopped_early = True
            return False
    return True


def _run_threads(targets: list[Callable[[], None]], limit: float) -> None:
    threads = [threading.Thread(target=t, daemon=True) for t in targets]
    for t in threads:
        t.start()
    end = time.monotonic() + limit
    for t in threads:
        t.join(max(0.0, end - time.monotonic()))
