"""A dependency the tests replace with `mocks:` (it is never reachable for real)."""

from __future__ import annotations

from typing import Any


class DatabaseDownError(RuntimeError):
    """The database cannot be reached."""


def fetch_customer(customer_id: int) -> dict[str, Any]:
    raise ConnectionError("the customer database is not reachable from tests")
