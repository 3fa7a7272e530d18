"""Load generation against a real local server, and services always stopped."""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlgate.api.http import HttpSender, Req
from mlgate.api.latency import closed_loop, open_loop
from mlgate.api.service import ProcessService, stop_all, wait_ready
from tests.api.helpers import group_gone, port_closed, run_gate


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(0.05)
        status = 500 if self.path == "/boom" else 200
        body = b'{"ok": true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    """A single-threaded server: one request at a time, so a burst has to queue."""
    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_open_loop_sees_the_queue_that_closed_loop_hides(server: str) -> None:
    req = Req("GET", "/slow", timeout=5)
    closed = closed_loop(
        lambda: HttpSender(server), req, requests=12, warmup=1, concurrency=1, time_limit=30
    )
    opened = open_loop(
        lambda: HttpSender(server),
        req,
        requests=20,
        warmup=1,
        rate=40,
        concurrency=4,
        time_limit=30,
    )
    c, o = closed.stats(), opened.stats()
    assert c["requests"] == 12
    assert o["requests"] == 20
    assert 50 <= c["p50_ms"] < 150
    # 40/s offered to a server doing at most 20/s: request i is answered >= 50 ms x (i + 1)
    # after t0 but was due at i / 40 s, so the later ones wait ever longer behind the queue
    assert o["max_ms"] > 450
    assert o["p50_ms"] > 2 * c["p50_ms"]


def test_latency_check_counts_errors_and_limits(tmp_path: Path, server: str) -> None:
    _code, checks = run_gate(
        tmp_path,
        f"""
        version: 1
        api:
          - name: local
            url: {server}
            ready: {{path: /fast, timeout: 5}}
            latency: {{path: /boom, requests: 10, warmup: 0, p50_ms: 1000, max_error_rate: 0.5}}
          - name: fine
            url: {server}
            requests: [{{name: first, path: /fast}}]
            latency: {{requests: 10, warmup: 2, concurrency: 2, p99_ms: 1000, min_throughput: 1}}
        """,
    )
    boom = checks["api/local/latency"]
    assert boom["status"] == "failed"
    assert boom["observed"]["errors"] == 6  # the 6th error decides: at most 5 of 10 allowed
    assert "error rate 100.0% > 50.0%" in boom["message"]
    assert "stopped after 6 of 10 requests" in boom["message"]
    assert boom["examples"][0]["answer"]["status"] == 500
    fine = checks["api/fine/latency"]
    assert fine["status"] == "passed", fine["message"]
    assert fine["message"].startswith("GET /fast x10 (closed, concurrency 2): p50 ")


def test_stop_all_kills_the_whole_group(tmp_path: Path) -> None:
    """The atexit safety net: a started service and its children all go."""
    svc = ProcessService(
        "t",
        "sleep 300 & python3 -m http.server {port} --bind 127.0.0.1",
        tmp_path,
        {},
    )
    svc.launch()
    wait_ready(svc, {"timeout": 10})
    assert not port_closed(svc.port)
    stop_all()
    assert port_closed(svc.port)
    assert svc.pgid is not None
    assert group_gone(svc.pgid)
    svc.stop()  # idempotent


def test_interrupted_run_still_stops_services(tmp_path: Path) -> None:
    """A KeyboardInterrupt after the service started: the session ends, the service goes."""
    (tmp_path / "test_interrupt.py").write_text(
        "def test_stop():\n    raise KeyboardInterrupt\n", encoding="utf-8"
    )
    _, checks = run_gate(
        tmp_path,
        """
        version: 1
        api:
          - name: srv
            start: "sleep 300 & python3 -m http.server {port} --bind 127.0.0.1"
            requests:
              - {name: one, path: /, expect: {status: 200}}
        pytest:
          paths: [test_interrupt.py]
        """,
    )
    one = checks["api/srv/requests/one"]
    assert one["status"] == "passed"
    info = one["details"]["service"]
    assert port_closed(info["port"])
    assert group_gone(info["pid"])


def test_sigterm_to_the_gate_stops_its_services(tmp_path: Path) -> None:
    """A cancelled CI job sends SIGTERM: the service's group goes with the gate."""
    script = tmp_path / "gate.py"
    script.write_text(
        "import json, sys, time\n"
        "from pathlib import Path\n"
        "from mlgate.api.service import ProcessService, wait_ready\n"
        "svc = ProcessService('t', 'sleep 300 & python3 -m http.server {port} "
        "--bind 127.0.0.1', Path('.'), {})\n"
        "svc.launch()\n"
        "wait_ready(svc, {'timeout': 10})\n"
        "print(json.dumps({'pid': svc.pgid, 'port': svc.port}), flush=True)\n"
        "time.sleep(60)\n",
        encoding="utf-8",
    )
    gate = subprocess.Popen(
        [sys.executable, str(script)], cwd=tmp_path, stdout=subprocess.PIPE, text=True
    )
    assert gate.stdout is not None
    info = json.loads(gate.stdout.readline())
    assert not port_closed(info["port"])
    os.kill(gate.pid, signal.SIGTERM)
    assert gate.wait(20) == -signal.SIGTERM
    assert port_closed(info["port"])
    assert group_gone(info["pid"])


def test_a_group_left_with_only_zombies_counts_as_stopped() -> None:
    """An orphaned child of the service's shell is a zombie until init reaps it (never, in a
    container whose PID 1 does not reap): stopping must not wait 10 s for it."""
    from mlgate.api.service import _group_alive

    child = subprocess.Popen(["true"], start_new_session=True)
    try:
        deadline = time.monotonic() + 5
        stat = Path(f"/proc/{child.pid}/stat")
        while stat.read_text().rpartition(")")[2].split()[0] != "Z":
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert not _group_alive(child.pid)
    finally:
        child.wait()
    assert not _group_alive(child.pid)


def test_open_loop_stops_when_the_service_cannot_keep_up(server: str) -> None:
    start = time.monotonic()
    result = open_loop(
        lambda: HttpSender(server),
        Req("GET", "/slow", timeout=5),
        requests=100_000,
        warmup=0,
        rate=200,  # a single-threaded server doing 20/s at most
        concurrency=2,
        time_limit=60,
        max_backlog_s=0.4,
    )
    assert time.monotonic() - start < 3
    assert result.stopped_early
    assert result.stop_reason.startswith("the service cannot keep up with 200 requests/s: ")
    assert 3 <= len(result.samples) < 40


def test_open_loop_latency_stops_once_the_errors_decide_the_verdict(
    tmp_path: Path, server: str
) -> None:
    start = time.monotonic()
    _code, checks = run_gate(
        tmp_path,
        f"""
        version: 1
        api:
          - name: local
            url: {server}
            ready: {{path: /fast, timeout: 5}}
            latency: {{path: /boom, requests: 10000, warmup: 0, rate: 20, max_error_rate: 0.0002}}
        """,
    )
    assert time.monotonic() - start < 5  # not 10,000 requests at 20/s (500 s)
    boom = checks["api/local/latency"]
    assert boom["status"] == "failed"
    assert boom["observed"]["errors"] == 3
    assert (
        "stopped after 3 of 10,000 requests: 3 errors in the first 3 answers: more than the 2 "
        "of 10,000 allowed, whatever the rest would do" in boom["message"]
    ), boom["message"]


def test_closed_loop_latency_stops_once_the_errors_decide_the_verdict(
    tmp_path: Path, server: str
) -> None:
    _code, checks = run_gate(
        tmp_path,
        f"""
        version: 1
        api:
          - name: local
            url: {server}
            ready: {{path: /fast, timeout: 5}}
            latency: {{path: /boom, requests: 100000, warmup: 0, max_error_rate: 0.00002}}
        """,
    )
    boom = checks["api/local/latency"]
    assert boom["status"] == "failed"
    assert boom["observed"]["errors"] == 3
    assert (
        "stopped after 3 of 100,000 requests: 3 errors in the first 3 answers" in (boom["message"])
    ), boom["message"]


def _pid_running(pid: int, wait: float = 5.0) -> bool:
    """Whether `pid` still runs (a zombie does not), after waiting up to `wait` s for it to go."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_bytes().rpartition(b")")[2].split()[0]
        except (OSError, IndexError):
            return False
        if state in (b"Z", b"X"):
            return False
        time.sleep(0.05)
    return True


ESCAPE = (
    '{python} -c "import subprocess; '
    "p = subprocess.Popen({argv!r}, start_new_session=True{env}); "
    "open('{pidfile}', 'w').write(str(p.pid))\" && "
    "exec {python} -m http.server {{port}} --bind 127.0.0.1"
)


@pytest.mark.parametrize("clear_env", [False, True], ids=["setsid", "setsid-and-clean-env"])
def test_processes_that_escape_the_group_with_setsid_do_not_survive_the_run(
    tmp_path: Path, clear_env: bool
) -> None:
    """A service starting a helper in a new session (whose parent then exits): the helper is
    found by its inherited marker, or — with a cleaned environment — adopted as an orphan by
    the run (a child subreaper) and killed at its end."""
    pidfile = tmp_path / "escaped.pid"
    start = ESCAPE.format(
        python=sys.executable,
        argv=["sleep", "300"],
        env=", env={'PATH': '/usr/bin:/bin'}" if clear_env else "",
        pidfile=pidfile,
    )
    code, checks = run_gate(
        tmp_path,
        f"""
        version: 1
        api:
          - name: srv
            start: {json.dumps(start)}
            requests:
              - {{name: one, path: /, expect: {{status: 200}}}}
        """,
    )
    assert checks["api/srv/requests/one"]["status"] == "passed", checks
    escaped = int(pidfile.read_text())
    assert not _pid_running(escaped)
    assert code == 0


def _wait_for(path: Path, proc: subprocess.Popen[str], wait: float = 120.0) -> None:
    deadline = time.monotonic() + wait
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_writes_the_partial_report_and_stops_the_service(
    tmp_path: Path, signum: int
) -> None:
    """A cancelled job: the check running is an error, those after it `not run`, the report is
    written, the service and its group are gone, and the exit code is 128 + the signal."""
    (tmp_path / "slowapp.py").write_text(
        "import time\nfrom pathlib import Path\n\n"
        "def app(environ, start_response):\n"
        "    Path('answering').touch()\n"
        "    time.sleep(300)\n"
        "    start_response('200 OK', [])\n"
        "    return [b'{}']\n",
        encoding="utf-8",
    )
    (tmp_path / "mlgate.yml").write_text(
        textwrap.dedent(
            f"""
            version: 1
            api:
              - name: srv
                start: "sleep 300 & {sys.executable} -m http.server {{port}} --bind 127.0.0.1"
                requests:
                  - {{name: one, path: /, expect: {{status: 200}}}}
              - name: slow
                app: "slowapp:app"
                requests:
                  - {{name: first, path: /}}
                  - {{name: second, path: /}}
            """
        ),
        encoding="utf-8",
    )
    gate = subprocess.Popen(
        [sys.executable, "-m", "mlgate", "run", "--publish", "none"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _wait_for(tmp_path / "answering", gate)
    os.kill(gate.pid, signum)
    out, _ = gate.communicate(timeout=120)
    assert gate.returncode == 128 + signum, out
    report = json.loads((tmp_path / "mlgate-report" / "report.json").read_text())
    checks = {c["id"]: c for c in report["checks"]}
    assert report["conclusion"] == "failure"
    assert checks["api/srv/requests/one"]["status"] == "passed"
    info = checks["api/srv/requests/one"]["details"]["service"]
    name = signal.Signals(signum).name
    assert checks["api/slow/requests/first"]["message"] == (
        "interrupted: the run was stopped while this check ran"
    )
    assert checks["api/slow/requests/second"]["message"] == (
        f"not run: interrupted by {name}: the run was stopped"
    )
    assert port_closed(info["port"])
    assert group_gone(info["pid"])


@pytest.mark.parametrize(
    ("module", "message"),
    [
        ("import sys\nsys.exit(0)\n", "called sys.exit(0)"),
        ("import sys\n\ndef make():\n    sys.exit(3)\n", "called sys.exit(3) while starting"),
    ],
    ids=["at-import", "in-the-factory"],
)
def test_an_app_that_calls_sys_exit_is_an_error_and_the_run_goes_on(
    tmp_path: Path, module: str, message: str
) -> None:
    name = f"exitapp_{abs(hash(module))}"
    (tmp_path / f"{name}.py").write_text(module, encoding="utf-8")
    target = f"{name}:app" if "make" not in module else f"{name}:make"
    code, checks = run_gate(
        tmp_path,
        f"""
        version: 1
        api:
          - name: leaving
            app: "{target}"
            requests:
              - {{name: one, path: /}}
          - name: srv
            start: "{sys.executable} -m http.server {{port}} --bind 127.0.0.1"
            requests:
              - {{name: two, path: /, expect: {{status: 200}}}}
        """,
    )
    assert code == 1
    one = checks["api/leaving/requests/one"]
    assert one["status"] == "error"
    assert message in one["message"]
    assert checks["api/srv/requests/two"]["status"] == "passed"
