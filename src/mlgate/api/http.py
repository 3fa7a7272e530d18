"""Sending one request and recording its answer, over the network or in-process.

A `Sender` sends `Req`s and returns `Answer`s; it never raises for what the service does
(timeouts, dropped connections and crashes of an in-process app become `Answer.error`).
Each sender keeps one keep-alive connection; make one per worker thread. Over the network a
request has one total deadline, `Req.timeout` seconds for connecting, sending and every byte of
the answer.
"""

from __future__ import annotations

import http.client
import json as jsonlib
import math
import queue
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

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
    #: No complete answer within the request's deadline (a hang or a trickle).
    timed_out: bool = False

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


#: A service is taken for hung once this many requests in a row got no answer in time.
HUNG_AFTER = 2


@dataclass
class HangWatch:
    """Tells when a service has stopped answering: `HUNG_AFTER` requests in a row without a
    complete answer within their deadline. Loops stop then: every further request would only
    wait out its own deadline."""

    after: int = HUNG_AFTER
    in_a_row: int = 0
    last: str = ""

    def saw(self, answer: Answer) -> bool:
        """Record an answer; True once the service counts as hung."""
        if answer.timed_out:
            self.in_a_row += 1
            self.last = answer.error or "no answer"
        else:
            self.in_a_row = 0
        return self.hung

    @property
    def hung(self) -> bool:
        return self.in_a_row >= self.after

    def reason(self) -> str:
        return (
            f"the service stopped answering: {self.in_a_row} requests in a row timed out "
            f"(last: {self.last})"
        )


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


class _Deadline:
    """Mixed into a socket: every send and receive waits at most until `deadline`
    (`time.monotonic()`), so a request has one total budget — connect, send and every byte of
    the answer; a service trickling a byte a second cannot stretch it."""

    deadline: float = math.inf
    received: int = 0

    def _arm(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request's deadline passed")
        self.settimeout(left)  # type: ignore[attr-defined]

    def recv_into(self, *args: Any, **kwargs: Any) -> int:
        self._arm()
        n: int = super().recv_into(*args, **kwargs)  # type: ignore[misc]
        self.received += n
        return n

    def recv(self, *args: Any, **kwargs: Any) -> bytes:
        self._arm()
        data: bytes = super().recv(*args, **kwargs)  # type: ignore[misc]
        self.received += len(data)
        return data

    def sendall(self, *args: Any, **kwargs: Any) -> None:
        self._arm()  # the timeout bounds the whole sendall (Python >= 3.5)
        super().sendall(*args, **kwargs)  # type: ignore[misc]


class _DeadlineSocket(_Deadline, socket.socket):
    pass


class _DeadlineTlsSocket(_Deadline, ssl.SSLSocket):
    pass


class _Connection(http.client.HTTPConnection):
    """One keep-alive connection whose socket obeys the current request's deadline."""

    def __init__(self, host: str, port: int, tls: ssl.SSLContext | None) -> None:
        super().__init__(host, port)
        self.tls = tls
        self.deadline = math.inf

    def connect(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request's deadline passed")
        raw = socket.create_connection((self.host, self.port), left)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock: _Deadline
        if self.tls is not None:
            sock = self.tls.wrap_socket(raw, server_hostname=self.host)  # type: ignore[assignment]
        else:
            sock = _DeadlineSocket(raw.family, raw.type, raw.proto, fileno=raw.detach())
        sock.deadline = self.deadline
        self.sock = sock

    def start(self, deadline: float) -> None:
        """Give the next request (and the socket, if connected) this deadline."""
        self.deadline = deadline
        if isinstance(self.sock, _Deadline):
            self.sock.deadline = deadline
            self.sock.received = 0

    def received(self) -> int:
        return self.sock.received if isinstance(self.sock, _Deadline) else 0

    def stale(self) -> bool:
        """True when the server closed this idle connection (it is readable: EOF or junk)."""
        if self.sock is None:
            return False
        if hasattr(select, "poll"):  # any descriptor number, unlike select()
            poller = select.poll()
            poller.register(self.sock, select.POLLIN)
            return bool(poller.poll(0))
        readable, _, _ = select.select([self.sock], [], [], 0)
        return bool(readable)


class HttpSender:
    """Over the network, one keep-alive connection; each request has a total deadline
    (`Req.timeout` seconds for connect, send and every byte of the answer)."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        self.tls: ssl.SSLContext | None = None
        if parts.scheme == "https":
            self.tls = ssl.create_default_context()
            self.tls.sslsocket_class = _DeadlineTlsSocket
        self.conn: _Connection | None = None

    def send(self, req: Req) -> Answer:
        answer = self._send(req)
        if answer.status is None or answer.status >= 500:
            # the server may have dropped this connection: never blame the next request for it
            self.close()
        return answer

    def _target(self, req: Req) -> str:
        target = self.prefix + req.path
        if req.params:
            target += ("&" if "?" in target else "?") + urlencode(dict(req.params), doseq=True)
        return target

    def _send(self, req: Req) -> Answer:
        data, headers = _encode(req)
        headers = {"User-Agent": "mlgate", "Accept": "*/*", **headers}
        start = time.perf_counter()
        deadline = time.monotonic() + req.timeout
        reused = self.conn is not None and not self.conn.stale()
        if not reused:
            self.close()
        for attempt in (1, 2):
            conn = self.conn or _Connection(self.host, self.port, self.tls)
            self.conn = conn
            conn.start(deadline)
            try:
                conn.request(req.method, self._target(req), body=data, headers=headers)
                r = conn.getresponse()
                body = r.read()
            except TimeoutError:
                got = conn.received()
                self.close()
                ms = (time.perf_counter() - start) * 1000
                if got:
                    why = f"the answer was still incomplete after {req.timeout:g} s "
                    why += f"({got:,} bytes came: a trickle or a hang)"
                else:
                    why = f"no answer within {req.timeout:g} s (a hang)"
                return Answer(None, ms, error=why, timed_out=True)
            except (OSError, http.client.HTTPException) as exc:
                got = conn.received()
                self.close()
                if attempt == 1 and reused and not got and _dropped(exc):
                    continue  # the server closed the idle connection just now: once more, anew
                ms = (time.perf_counter() - start) * 1000
                return Answer(None, ms, error=connection_error(exc, self.host, self.port))
            ms = (time.perf_counter() - start) * 1000
            if r.will_close:
                self.close()
            merged: dict[str, str] = {}
            for key, value in r.getheaders():
                k = key.lower()
                merged[k] = f"{merged[k]}, {value}" if k in merged else value
            return Answer(r.status, ms, body, merged)
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class _Worker:
    """A daemon thread running one job at a time, so a caller can stop waiting for a job that
    hangs (the thread is then abandoned; being a daemon, it never holds up the exit)."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._loop, daemon=True, name="mlgate-in-process")
        self.thread.start()

    def _loop(self) -> None:
        while (job := self.jobs.get()) is not None:
            job()

    def stop(self) -> None:
        """End the thread once its current job is done."""
        self.jobs.put(None)

    def run(self, fn: Callable[[], Any], timeout: float) -> tuple[bool, Any]:
        """(True, result) or (True, the exception raised), or (False, None) past `timeout`."""
        box: list[Any] = []
        done = threading.Event()

        def job() -> None:
            try:
                box.append(fn())
            except BaseException as exc:  # anything the app raises is its answer, not ours
                box.append(exc)
            finally:
                done.set()

        self.jobs.put(job)
        if not done.wait(timeout):
            return False, None
        return True, box[0]


class InProcessSender:
    """Through an httpx-style client bound to an in-process app (ASGI test client or WSGI).
    The app runs on a worker thread, so a hung handler costs `Req.timeout`, not the run."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.worker: _Worker | None = None

    def send(self, req: Req) -> Answer:
        data, headers = _encode(req)

        def call() -> Any:
            r = self.client.request(
                req.method, req.path, params=req.params, content=data, headers=headers
            )
            return r, r.content

        self.worker = self.worker or _Worker()
        start = time.perf_counter()
        finished, value = self.worker.run(call, req.timeout)
        ms = (time.perf_counter() - start) * 1000
        if not finished:
            self.worker.stop()  # abandoned to the hung handler; the next request gets a new one
            self.worker = None
            return Answer(
                None, ms, error=f"no answer within {req.timeout:g} s (a hang)", timed_out=True
            )
        if isinstance(value, BaseException):  # a crash that the framework did not turn into a 500
            return Answer(None, ms, error=f"the app raised {type(value).__name__}: {_short(value)}")
        r, body = value
        return Answer(r.status_code, ms, body, {k.lower(): v for k, v in r.headers.items()})

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None


def _dropped(exc: BaseException) -> bool:
    return isinstance(exc, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError))


def connection_error(exc: BaseException, host: str, port: int) -> str:
    """What went wrong with the connection, in one short sentence: `connection refused by
    127.0.0.1:8000 (nothing listens there)`, `connection dropped: Connection reset by peer`."""
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused by {host}:{port} (nothing listens there)"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve {host!r}"
    if isinstance(exc, http.client.IncompleteRead):
        return f"connection dropped: the answer was cut after {len(exc.partial):,} bytes"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "connection dropped: the service closed it without answering"
    if isinstance(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
        return f"connection dropped: {exc.strerror or type(exc).__name__}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed with {host}:{port}: {_short(exc)}"
    if isinstance(exc, http.client.HTTPException):
        return f"not an HTTP answer ({type(exc).__name__}: {_short(exc)})"
    if isinstance(exc, OSError) and exc.strerror:
        return f"connection failed to {host}:{port}: {exc.strerror}"
    return f"connection failed to {host}:{port}: {type(exc).__name__}: {_short(exc)}"


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 200 else text[:200] + "…"
