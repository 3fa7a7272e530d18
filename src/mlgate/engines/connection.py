"""Connection strings: `${VAR}` expanded from the environment, and never shown whole.

A connection string may hold a password (in the URL or through `${VAR}`); messages, logs and
reports show `redact(url)` instead: the scheme, host, port and database only.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from mlgate.errors import CheckError

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand(url: str, dataset: str) -> str:
    """`url` with each `${VAR}` replaced by the environment's value (a missing one: an error)."""

    def value(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in os.environ:
            raise CheckError(
                f"dataset {dataset!r}: the environment variable {name} used in `connection` is "
                "not set"
            )
        return os.environ[name]

    return _VAR.sub(value, url)


def redact(url: str) -> str:
    """scheme://host:port/database: no user, password or query (where secrets live)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<connection>"
    database = parts.path.strip("/").split("/")[0].split(";")[0] if parts.path else ""
    return f"{parts.scheme}://{host}{port}/{database}"


def scrub(text: str, secrets: list[str]) -> str:
    """`text` with every secret (the connection string, its password) replaced by `***`."""
    for secret in sorted((s for s in secrets if s and len(s) >= 3), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def secrets_of(url: str) -> list[str]:
    """The parts of a connection string that must never be shown."""
    out = [url]
    try:
        parts = urlsplit(url)
    except ValueError:
        return out
    if parts.password:
        out.append(parts.password)
    for pair in parts.query.split("&"):
        key, _, val = pair.partition("=")
        if key.lower() in ("password", "pass", "pwd", "sslpassword") and val:
            out.append(val)
    return out
