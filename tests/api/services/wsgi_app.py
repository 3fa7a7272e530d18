"""A tiny WSGI app for the in-process `app:` mode (no framework)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ["PATH_INFO"] == "/echo":
        size = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(size) or b"null")
        payload = json.dumps({"got": body, "method": environ["REQUEST_METHOD"]}).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [payload]
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]
