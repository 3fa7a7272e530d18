"""When and how long to retry a GitHub call: injectable sleep and clock keep the tests fast."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RetryPolicy:
    """Retries on 5xx, 429 and rate limits, with exponential backoff, within `max_total_s`."""

    max_attempts: int = 5
    max_total_s: float = 120.0
    base_delay_s: float = 1.0
    max_delay_s: float = 60.0
    timeout_s: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)
    now: Callable[[], float] = field(default=time.time, compare=False)

    def backoff(self, attempt: int) -> float:
        """The delay before retry number `attempt` (1-based) when the server gives no hint."""
        return float(min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1)))


def is_rate_limited(status: int, headers: Mapping[str, str], body: str) -> bool:
    """A 403/429 that means "slow down" (primary or secondary rate limit), not "forbidden"."""
    if status == 429:
        return True
    if status != 403:
        return False
    if "retry-after" in headers or headers.get("x-ratelimit-remaining") == "0":
        return True
    return "rate limit" in body.lower()


def retryable(status: int, headers: Mapping[str, str], body: str) -> bool:
    """Whether a response is worth trying again."""
    return status >= 500 or is_rate_limited(status, headers, body)


def server_delay(headers: Mapping[str, str], now: float) -> float | None:
    """The wait the server asked for: `Retry-After` seconds, else until `x-ratelimit-reset`."""
    after = headers.get("retry-after")
    if after is not None:
        try:
            return max(0.0, float(after))
        except ValueError:
            return None
    if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
        try:
            return max(0.0, float(headers["x-ratelimit-reset"]) - now)
        except ValueError:
            return None
    return None
