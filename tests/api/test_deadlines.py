"""A request has one total deadline, and loops stop once the verdict is decided.

Real loopback servers that hang, trickle or fail; the assertions are on outcomes, messages and
how many requests were sent, never on how long anything took.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from mlgate.api.http import HttpSender, InProcessSender, Req
from tests.api.bad_servers import TRICKLED, BadServer
from tests.api.helpers import run_gate

ROWS = 40


def _dataset(tmp_path: Path) -> None:
    lines = ["age,income"] + [f"{20 + i},{1000 * i}" for i in range(ROWS)]
    (tmp_path / "rows.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _gate(tmp_path: Path, url: str, entry: str) -> dict[str, Any]:
    _dataset(tmp_path)
    _code, checks = run_gate(
        tmp_path,
        f"""
        version: 1
        datasets:
          rows: {{path: rows.csv}}
        api:
          - name: svc
            url: "{url}"
            {entry}
        """,
    )
    return checks


def test_a_trickled_answer_is_cut_at_the_total_deadline() -> None:
    # one byte every 0.25 s never leaves a socket idle for 1 s: a per-read timeout never fires
    with BadServer("trickle") as server:
        answer = HttpSender(server.url).send(Req("GET", "/predict", timeout=1))
    assert answer.status is None
    assert answer.timed_out
    assert answer.error is not None
    assert answer.error.startswith("the answer was still incomplete after 1 s (")
    assert "bytes came: a trickle or a hang)" in answer.error
    assert server.requests == 1
    assert len(TRICKLED) > 100  # so the whole answer would take far longer than the deadline


def test_a_hung_service_is_no_answer_within_the_deadline() -> None:
    with BadServer("hang") as server:
        answer = HttpSender(server.url).send(Req("POST", "/predict", json={"a": 1}, timeout=0.5))
    assert answer.status is None
    assert answer.timed_out
    assert answer.error == "no answer within 0.5 s (a hang)"


def test_a_request_check_against_a_trickle_fails_naming_it(tmp_path: Path) -> None:
    with BadServer("trickle") as server:
        checks = _gate(
            tmp_path,
            server.url,
            "requests:\n              - {name: one, path: /predict, timeout: 0.5}",
        )
    check = checks["api/svc/requests/one"]
    assert check["status"] == "failed"
    assert "still incomplete after 0.5 s" in check["message"]


def test_replay_stops_once_the_service_is_hung(tmp_path: Path) -> None:
    with BadServer("hang") as server:
        checks = _gate(
            tmp_path,
            server.url,
            "replay: {dataset: rows, path: /predict, timeout: 0.3, max_fail_rate: 0.5}",
        )
        sent = server.requests
    check = checks["api/svc/replay"]
    assert check["status"] == "failed"
    assert (
        "the service stopped answering: 2 requests in a row timed out "
        "(last: no answer within 0.3 s (a hang))"
    ) in check["message"]
    assert f"{ROWS - 2} of {ROWS} rows not sent" in check["message"]
    assert check["details"]["not_sent"] == ROWS - 2
    assert sent == 2


def test_replay_stops_once_the_failures_exceed_the_budget(tmp_path: Path) -> None:
    with BadServer("error") as server:
        checks = _gate(
            tmp_path,
            server.url,
            "replay: {dataset: rows, path: /predict, max_fail_rate: 0.1}",
        )
        sent = server.requests
    check = checks["api/svc/replay"]
    assert check["status"] == "failed"
    # 10% of 40 rows: 4 failures allowed, so the 5th decides
    assert check["message"].startswith("5 of 5 replayed rows of 'rows' failed")
    assert (
        f"5 failures already exceed the 4 allowed: {ROWS - 5} of {ROWS} rows not sent"
        in (check["message"])
    )
    assert sent == 5


def test_latency_stops_in_the_warm_up_against_a_hung_service(tmp_path: Path) -> None:
    with BadServer("hang") as server:
        checks = _gate(
            tmp_path,
            server.url,
            "latency: {path: /predict, timeout: 0.3, requests: 100, warmup: 20}",
        )
        sent = server.requests
    check = checks["api/svc/latency"]
    assert check["status"] == "failed"
    assert (
        "stopped after 0 of 100 requests: during the warm-up, the service stopped "
        in (check["message"])
    )
    assert sent == 2


def test_latency_stops_once_the_service_hangs_while_measured(tmp_path: Path) -> None:
    with BadServer("hang") as server:
        checks = _gate(
            tmp_path,
            server.url,
            "latency: {path: /predict, timeout: 0.3, requests: 100, warmup: 0, "
            "max_error_rate: 0.5}",
        )
        sent = server.requests
    check = checks["api/svc/latency"]
    assert check["status"] == "failed"
    assert "stopped after 2 of 100 requests: the service stopped answering" in check["message"]
    assert sent == 2


def test_robustness_stops_once_the_service_is_hung(tmp_path: Path) -> None:
    with BadServer("hang") as server:
        checks = _gate(
            tmp_path,
            server.url,
            "robustness: {path: /predict, example: {age: 30, name: x}, timeout: 0.3, "
            "openapi: false}",
        )
        sent = server.requests
    check = checks["api/svc/robustness"]
    assert check["status"] == "failed"
    assert "; the service stopped answering: 2 requests in a row timed out" in check["message"]
    assert "cases not sent" in check["message"]
    assert sent == 2


def test_an_in_process_app_that_hangs_costs_its_deadline_only() -> None:
    import httpx

    release = threading.Event()

    def app(environ: Any, start_response: Any) -> list[bytes]:
        if environ["PATH_INFO"] == "/hang":
            release.wait(30)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"ok": true}']

    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://testserver")
    sender = InProcessSender(client)
    try:
        hung = sender.send(Req("GET", "/hang", timeout=0.3))
        after = sender.send(Req("GET", "/fine", timeout=5))
    finally:
        release.set()
        sender.close()
    assert hung.timed_out
    assert hung.error == "no answer within 0.3 s (a hang)"
    assert after.status == 200  # a new worker answers the next request


def test_an_in_process_sender_leaves_no_thread_behind() -> None:
    import httpx

    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]

    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://testserver")
    sender = InProcessSender(client)
    assert sender.send(Req("GET", "/", timeout=5)).status == 200
    worker = sender.worker
    assert worker is not None
    sender.close()
    worker.thread.join(5)
    assert not worker.thread.is_alive()
