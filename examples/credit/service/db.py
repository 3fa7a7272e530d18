"""Stands for the customer database the real service would query.

There is no database in the example, so every call raises; tests (and mlgate's `mocks:`) replace
`service.db.fetch_customer` with a stub.
"""

from __future__ import annotations

from typing import Any


class DatabaseUnavailableError(RuntimeError):
    """The customer database cannot be reached."""


def fetch_customer(customer_id: str) -> dict[str, Any]:
    raise DatabaseUnavailableError(
        f"no customer database in the example (asked for {customer_id!r})"
    )
