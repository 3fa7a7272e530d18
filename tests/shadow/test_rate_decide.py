"""`min_agreement` and `max_error_rate` are judged by `decide` on their Wilson intervals: a
rate on the wrong side of the limit by chance alone is a warning, not a failed pull request."""

from __future__ import annotations

from typing import Any, cast

import pytest

from mlgate.checks import CheckSpec
from mlgate.config.model import Config
from mlgate.context import RunContext
from mlgate.results import Location
from mlgate.shadow.compare import Comparison, SideResult
from mlgate.shadow.kinds import check_agreement, check_error_rate


def _comparison(n: int, disagree: int, failed: int) -> Comparison:
    primary = SideResult("p", [1] * n, [0.9] * n, [None] * n, [None] * n)
    labels = [0] * disagree + [1] * (n - disagree)
    errors: list[str | None] = ["status 500"] * failed + [None] * (n - failed)
    candidate = SideResult("c", labels, [0.9] * n, errors, [None] * n)
    return Comparison([{}] * n, primary, candidate)


def _run(check: Any, c: Comparison, limit: float, **params: Any) -> tuple[str, str]:
    ctx = RunContext(config=cast(Config, None))  # the comparison is all these checks read
    ctx.memo(("shadow", "s"), lambda: c)
    params = {"shadow": "s", "limit": limit, **params}
    spec = CheckSpec("shadow/s/x", "shadow", "x", Location("mlgate.yml", 1), params)
    out = check(spec, ctx)
    return out.status, out.message


@pytest.mark.parametrize(
    ("disagree", "rule", "status", "words"),
    [
        (6, "evidence", "warning", "inconclusive: the interval straddles the limit"),
        (6, "estimate", "failed", "fails: the estimate is below the limit"),
        (20, "evidence", "failed", "fails: the whole interval is below the limit"),
        (2, "evidence", "passed", ""),
        (2, "proof", "failed", "fails: the interval reaches past the limit"),
    ],
)
def test_agreement_follows_decide(disagree: int, rule: str, status: str, words: str) -> None:
    got, message = _run(check_agreement, _comparison(100, disagree, 0), 0.95, decide=rule)
    assert got == status
    assert message.startswith(f"{100 - disagree} of 100 requests got the same label (")
    assert (words in message) if words else (" — " not in message)


def test_agreement_inconclusive_says_how_many_requests_would_decide() -> None:
    _, message = _run(check_agreement, _comparison(100, 6, 0), 0.95)
    assert "requests would decide (100 now)" in message


def test_error_rate_follows_decide() -> None:
    assert _run(check_error_rate, _comparison(100, 0, 2), 0.01)[0] == "warning"
    assert _run(check_error_rate, _comparison(100, 0, 2), 0.01, decide="estimate")[0] == "failed"
    assert _run(check_error_rate, _comparison(1000, 0, 40), 0.01)[0] == "failed"
    assert _run(check_error_rate, _comparison(100, 0, 0), 0.0)[0] == "passed"
