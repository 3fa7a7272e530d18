"""Sending one request and recording its answer, over the network or in-process.

A `Sender` sends `Req`s and returns `Answer`s; it never raises for what the service does
(timeouts, dropped connections and crashes of an in-process app become `Answer.error`).
Each sender keeps one keep-alive session; make one per worker thread.
"""

from __future__ import annotations

import json as jsonlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

NO_JSON = object()


@dataclass(frozen=True)
class Req:
    """One request: `json` is sent as JSON unless it is `NO_JSON`; `body` is sent raw."""

    method: str = "GET"
    path: str = "/"
    json: Any = NO_JSON
    params: Mapping[str, Any] | None = None
    headers: Mapping[str, str] | None = None
    body: bytes | str | None = None
    timeout: float = 10.0

    @classmethod
    def of(cls, given: Mapping[str, Any], *, timeout: float = 10.0) -> Req:
        """A `Req` from a YAML request mapping (method, path, json, params, headers, body)."""
        has_json = "json" in given
        method = str(given.get("method") or ("POST" if has_json or "body" in given else "GET"))
        headers = {str(k): str(v) for k, v in (given.get("headers") or {}).items()}
        return cls(
            method=method.upper(),
            path=str(given.get("path", "/")),
            json=given["json"] if has_json else NO_JSON,
            params=dict(given["params"]) if given.get("params") else None,
            headers=headers or None,
            body=given.get("body"),
            timeout=float(given.get("timeout", timeout)),
        )

    def describe(self) -> dict[str, Any]:
        """The request as report data (a long body is cut)."""
        out: dict[str, Any] = {"method": self.method, "path": self.path}
        if self.params:
            out["params"] = dict(self.params)
        if self.headers:
            out["headers"] = dict(self.headers)
        if self.json is not NO_JSON:
            text = jsonlib.dumps(self.json, default=str)
            out["json"] = self.json if len(text) <= 500 else cut(text, 500)
        elif self.body is not None:
            body = self.body if isinstance(self.body, str) else self.body.decode("latin-1")
            out["body"] = cut(body, 500)
        return out


@dataclass
class Answer:
    """What came back: `status` is None when nothing did (`error` says why)."""

    status: int | None
    elapsed_ms: float
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    @cached_property
    def parsed(self) -> tuple[bool, Any]:
        """(True, value) if the body is JSON, else (False, None)."""
        try:
            return True, jsonlib.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return False, None

    def describe(self) -> dict[str, Any]:
        """The answer as report data (status, ms, body or error; a long body is cut)."""
        out: dict[str, Any] = {"status": self.status, "ms": round(self.elapsed_ms, 1)}
        if self.error:
            out["error"] = self.error
            return out
        ok, value = self.parsed
        text = self.body.decode("utf-8", "replace")
        if ok and len(text) <= 500:
            out["json"] = value
        elif text:
            out["body"] = cut(text, 500)
        return out

    def summary(self) -> str:
        """`422 in 3.1 ms`, or the error."""
        if self.status is None:
            return f"no answer ({self.error})"
        return f"{self.status} in {self.elapsed_ms:.1f} ms"


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


class Sender(Protocol):
    """Sends requests over one keep-alive session."""

    def send(self, req: Req) -> Answer: ...

    def close(self) -> None: ...


def _encode(req: Req) -> tuple[bytes | None, dict[str, str]]:
    headers = dict(req.headers or {})
    if req.json is not NO_JSON:
        data = jsonlib.dumps(req.json, allow_nan=False).encode()
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/json"
        return data, headers
    if req.body is None:
        return None, headers
    return (req.body.encode() if isinstance(req.body, str) else req.body), headers


class HttpSender:
    """Over the network with one `requests.Session` (keep-alive)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = self._new_session()

    @staticmethod
    def _new_session() -> Any:
        import requests

        session = requests.Session()
        session.trust_env = False  # loopback: never through a proxy
        return session

    def send(self, req: Req) -> Answer:
        answer = self._send(req)
        if answer.status is None or answer.status >= 500:
            # the server may have dropped this connection: never blame the next request for it
            self.session.close()
            self.session = self._new_session()
        return answer

    def _send(self, req: Req) -> Answer:
        import requests

        data, headers = _encode(req)
        start = time.perf_counter()
        try:
            r = self.session.request(
                req.method,
                self.base_url + req.path,
                params=req.params,
                data=data,
                headers=headers,
                timeout=(min(req.timeout, 5.0), req.timeout),
                allow_redirects=False,
            )
            body = r.content
        except requests.Timeout:
            ms = (time.perf_counter() - start) * 1000
            return Answer(None, ms, error=f"no answer within {req.timeout:g} s (a hang)")
        except requests.ConnectionError as exc:
            ms = (time.perf_counter() - start) * 1000
            return Answer(None, ms, error=connection_error(exc))
        except requests.RequestException as exc:
            ms = (time.perf_counter() - start) * 1000
            return Answer(None, ms, error=f"{type(exc).__name__}: {_short(exc)}")
        ms = (time.perf_counter() - start) * 1000
        return Answer(r.status_code, ms, body, {k.lower(): v for k, v in r.headers.items()})

    def close(self) -> None:
        self.session.close()


class InProcessSender:
    """Through an httpx-style client bound to an in-process app (ASGI test client or WSGI)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def send(self, req: Req) -> Answer:
        data, headers = _encode(req)
        start = time.perf_counter()
        try:
            r = self.client.request(
                req.method, req.path, params=req.params, content=data, headers=headers
            )
            body = r.content
        except Exception as exc:  # an app crash that the framework did not turn into a 500
            ms = (time.perf_counter() - start) * 1000
            return Answer(None, ms, error=f"the app raised {type(exc).__name__}: {_short(exc)}")
        ms = (time.perf_counter() - start) * 1000
        answer = Answer(r.status_code, ms, body, {k.lower(): v for k, v in r.headers.items()})
        if ms > req.timeout * 1000:
            answer.error = f"answered after {ms / 1000:.1f} s (limit {req.timeout:g} s)"
        return answer

    def close(self) -> None:
        pass


def connection_error(exc: BaseException) -> str:
    """What went wrong with the connection, without urllib3's wrapping: `connection refused
    by 127.0.0.1:8000 (nothing listens there)`, `connection dropped: Connection reset by peer`."""
    import re

    reason: Any = exc.args[0] if exc.args else exc
    reason = getattr(reason, "reason", None) or reason  # MaxRetryError -> what caused it
    text = str(reason)
    where = re.search(r"host='([^']*)', port=(\d+)", text)
    address = f" by {where.group(1)}:{where.group(2)}" if where else ""
    if "refused" in text.lower():
        return f"connection refused{address} (nothing listens there)"
    if "Failed to resolve" in text:
        host = where.group(1) if where else "the host"
        return f"cannot resolve {host!r}"
    inner: tuple[Any, ...] = tuple(getattr(reason, "args", ()))
    if len(inner) == 2 and isinstance(inner[1], BaseException):  # ('Connection aborted.', X)
        cause = inner[1]
        detail = cause.args[-1] if cause.args else type(cause).__name__
        return f"connection dropped: {detail}"
    errno = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    if errno:
        return f"connection failed{address}: {errno.group(1).strip()}"
    return f"connection dropped or refused: {_short(exc)}"


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 200 else text[:200] + "…"
