"""Loopback servers that misbehave on purpose: one that never answers, one that trickles its
answer a byte at a time, one that always answers 500. Start them with `with`; they always stop."""

from __future__ import annotations

import socket
import threading
from types import TracebackType

#: An answer long enough that trickling it takes far longer than any deadline in the tests.
TRICKLED = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n"
    + b'{"score": 0.5, "label": 1, "padding": "'
    + b"x" * 158
    + b'"}'
)
_BOOM = b'{"detail": "boom"}'
ERROR_500 = (
    b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
    + f"Content-Length: {len(_BOOM)}\r\n\r\n".encode()
    + _BOOM
)


class BadServer:
    """`mode` is `hang` (reads the request, never answers), `trickle` (answers one byte every
    `interval` seconds) or `error` (answers 500 at once, keep-alive). `requests` counts the
    requests it received."""

    def __init__(self, mode: str, interval: float = 0.25) -> None:
        self.mode = mode
        self.interval = interval
        self.requests = 0
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.threads: list[threading.Thread] = []

    def __enter__(self) -> BadServer:
        self._spawn(self._accept)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stopping.set()
        for t in self.threads:
            t.join(5)
        self.sock.close()

    def _spawn(self, target: object, *args: object) -> None:
        t = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        self.threads.append(t)
        t.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            conn.settimeout(0.1)
            self._spawn(self._serve, conn)

    def _read_request(self, conn: socket.socket) -> bool:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self._recv(conn)
            if chunk is None:
                return False
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        while len(body) < length:
            chunk = self._recv(conn)
            if chunk is None:
                return False
            body += chunk
        with self.lock:
            self.requests += 1
        return True

    def _recv(self, conn: socket.socket) -> bytes | None:
        """Some bytes, or None when the client left or the server stops."""
        while not self.stopping.is_set():
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return None
            return chunk or None
        return None

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            while self._read_request(conn):
                if self.mode == "error":
                    conn.sendall(ERROR_500)
                    continue
                if self.mode == "trickle":
                    for i in range(len(TRICKLED)):
                        if self.stopping.wait(self.interval):
                            return
                        try:
                            conn.sendall(TRICKLED[i : i + 1])
                        except OSError:
                            return
                    continue
                self._recv(conn)  # hang: wait until the client gives up or the server stops
                return
