"""Shadow latency with real loopback services: sides timed interleaved, the ratio with its
interval, judged by `decide`; a hung side stops being asked. Only what cannot flake is
asserted: a side 0.2 s slower per request against one answering at once, generous limits."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.api.bad_servers import BadServer
from tests.api.helpers import report_md, run_gate


class Answers(http.server.BaseHTTPRequestHandler):
    """Every path answers the same JSON; /slow after 0.2 s. Counts requests per path."""

    seen: ClassVar[dict[str, int]] = {}
    order: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        Answers.seen[self.path] = Answers.seen.get(self.path, 0) + 1
        Answers.order.append(self.path)
        if self.path == "/slow":
            time.sleep(0.2)
        out = json.dumps({"score": 0.5, "label": 1}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Answers.seen, Answers.order = {}, []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answers)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def _shadow(tmp_path: Path, primary: str, candidate: str, rows: int, extra: str) -> dict[str, Any]:
    traffic = tmp_path / "traffic.jsonl"
    traffic.write_text("\n".join(json.dumps({"x": x}) for x in range(rows)) + "\n", "utf-8")
    _code, checks = run_gate(
        tmp_path,
        f"""
        version: 1
        shadow:
          - name: ab
            traffic: traffic.jsonl
            primary: {{{primary}}}
            candidate: {{{candidate}}}
            {extra}
        """,
    )
    return checks


def test_identical_services_are_timed_interleaved_with_an_interval(
    tmp_path: Path, server: str
) -> None:
    checks = _shadow(
        tmp_path,
        f'url: "{server}", path: /a',
        f'url: "{server}", path: /b',
        40,
        "max_latency_ratio: 5",
    )
    check = checks["shadow/ab/max_latency_ratio"]
    assert check["status"] != "failed"
    summary = check["details"]["shadow"]
    assert summary["latency_pairs"] == 40
    low, high = summary["latency_ratio_ci"]
    assert low <= summary["latency_ratio"] <= high
    assert (
        "40 requests timed interleaved, each side first in half; expected <= 5, decide: evidence)"
        in (check["message"])
    )
    assert "machine noise: a fixed CPU loop took" in check["message"]
    # A B, then B A: each request goes to both sides back to back, the first side alternating
    assert Answers.order[:4] == ["/a", "/b", "/b", "/a"]
    assert Answers.seen == {"/a": 40, "/b": 40}
    assert "| latency ratio C / P (CI) |" in report_md(tmp_path)


def test_a_much_slower_service_fails_on_its_whole_interval(tmp_path: Path, server: str) -> None:
    checks = _shadow(
        tmp_path,
        f'url: "{server}", path: /fast',
        f'url: "{server}", path: /slow',
        16,
        "max_latency_ratio: 3\n            decide: evidence\n            confidence: 0.9",
    )
    check = checks["shadow/ab/max_latency_ratio"]
    assert check["status"] == "failed"
    assert "90% CI" in check["message"]
    assert "its whole interval lies above 3;" in check["message"]
    assert check["expected"] == "<= 3 (decide: evidence)"


def test_a_hung_candidate_is_asked_twice_then_left(tmp_path: Path, server: str) -> None:
    with BadServer("hang") as hung:
        checks = _shadow(
            tmp_path,
            f'url: "{server}", path: /a',
            f'url: "{hung.url}", path: /predict, timeout: 0.3',
            30,
            "max_error_rate: 0\n            max_latency_ratio: 2",
        )
        asked = hung.requests
    assert asked == 2
    errors = checks["shadow/ab/max_error_rate"]
    assert errors["status"] == "failed"
    assert "the candidate failed 30 of 30 requests" in errors["message"]
    assert (
        "; the candidate stopped, the service stopped answering: 2 requests in a row timed out "
        "(last: no answer within 0.3 s (a hang)): 28 of 30 requests not sent"
    ) in errors["message"]
    ratio = checks["shadow/ab/max_latency_ratio"]
    assert ratio["status"] == "failed"
    assert ratio["message"].startswith("latency could not be measured on both sides")
