"""GitHub answering something not shaped as documented (a list where an object is expected, an
object where a list is) is a logged line per call; publishing never crashes nor changes the
exit code of a gate that passed."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mlgate.cli import main
from mlgate.results import CheckResult, Counts, Location, Report


def _server(body: Any) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            data = json.dumps(body).encode()
            self.send_response(201 if self.command == "POST" else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_DELETE = _answer  # noqa: N815 (http.server's names)

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@pytest.fixture(params=[[{"id": 1}], {"id": "x", "body": 1}, [1, 2], "text", None])
def github(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    server = _server(request.param)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "number": 7,
                "pull_request": {
                    "number": 7,
                    "head": {"sha": "a" * 40, "repo": {"full_name": "o/r"}},
                    "base": {"sha": "b" * 40, "repo": {"full_name": "o/r"}},
                },
            }
        )
    )
    host, port = server.server_address[:2]
    for key, value in {
        "GITHUB_API_URL": f"http://{host!s}:{port}",
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_TOKEN": "t",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_ACTIONS": "true",
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"):
        monkeypatch.delenv(key, raising=False)
    yield str(request.param)
    server.shutdown()
    server.server_close()


def test_odd_answers_are_logged_and_the_exit_code_is_the_gates(
    github: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    check = CheckResult(
        "data/d/rows", "data", "passed", "error", "ok", Location("mlgate.yml", 3, 1)
    )
    report = Report("success", Counts.of([check]), [check])
    path = tmp_path / "report.json"
    path.write_text(report.to_json())
    assert main(["publish", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    problems = [line for line in out.splitlines() if "could not" in line]
    assert problems  # each failing call said in one line
    assert all(line.startswith("mlgate: ") for line in problems)
    assert any(" was expected" in line for line in problems), problems
