"""What a user reads when a connection fails: the cause, not urllib3's wrapping."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from mlgate.api.http import HttpSender, Req
from mlgate.api.service import ProcessService, wait_ready
from mlgate.errors import CheckError


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_refused_connection_is_one_short_sentence() -> None:
    port = _closed_port()
    answer = HttpSender(f"http://127.0.0.1:{port}").send(Req("GET", "/health", timeout=2))
    assert answer.status is None
    assert answer.error == f"connection refused by 127.0.0.1:{port} (nothing listens there)"


def test_dropped_connection_says_so() -> None:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()

    def drop() -> None:
        conn, _ = srv.accept()
        conn.recv(1000)
        conn.close()

    threading.Thread(target=drop, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{srv.getsockname()[1]}"
        answer = HttpSender(url).send(Req("GET", "/", timeout=2))
    finally:
        srv.close()
    assert answer.error is not None
    assert answer.error.startswith("connection dropped: "), answer.error
    assert "HTTPConnectionPool" not in answer.error


SAYS_8765 = (
    "python3 -c \"import time; print('Running on http://127.0.0.1:8765', flush=True); "
    'time.sleep(30)"'
)


def test_a_service_on_a_fixed_port_is_told_how_to_use_port(tmp_path: Path) -> None:
    svc = ProcessService("fixed", SAYS_8765, tmp_path, {})
    try:
        svc.launch()
        with pytest.raises(CheckError) as info:
            wait_ready(svc, {"timeout": 1})
    finally:
        svc.stop()
    message = str(info.value)
    assert f"not ready within 1 s (port {svc.port} not open)" in message
    assert "`start` does not use `{port}`" in message
    assert "(its output says it listens on port 8765)" in message
    assert "set `url:` to the address it listens on" in message


def test_no_port_hint_when_the_service_is_told_the_port(tmp_path: Path) -> None:
    svc = ProcessService("env", SAYS_8765, tmp_path, {"PORT": "{port}"})
    try:
        svc.launch()
        with pytest.raises(CheckError) as info:
            wait_ready(svc, {"timeout": 0.5})
    finally:
        svc.stop()
    assert "does not use `{port}`" not in str(info.value)
