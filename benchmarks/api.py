"""Benchmark: mlgate's measured p50 latency against bare `requests.Session` and `http.client`
loops.

All measure the same trivial local endpoint (a keep-alive HTTP/1.1 server in its own
process answering a fixed JSON body), one request at a time, in alternating rounds so that
machine noise hits all alike. mlgate's number comes from the same code path as an
`api: ... latency:` check (`closed_loop` with its `HttpSender`: `http.client` on a socket that
enforces the request's total deadline); the bare loops are `session.post(...)` and
`HTTPConnection.request(...)` timed with `perf_counter`, body read.

    python benchmarks/api.py                        # 5 rounds x 2,000 requests
    python benchmarks/api.py --rounds 2 --requests 300   # a smoke run
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import time

import requests

from mlgate.api.http import HttpSender, Req
from mlgate.api.latency import closed_loop, percentile
from mlgate.api.service import free_port, port_open

SERVER = r"""
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = 65536
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b'{"score": 0.5, "label": 1}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""
PAYLOAD = {"age": 30, "income": 50000, "gender": "F", "region": "north", "debt": 1000}


def bare(url: str, n: int, warmup: int) -> float:
    session = requests.Session()
    session.trust_env = False
    for _ in range(warmup):
        _ = session.post(url + "/predict", json=PAYLOAD, timeout=10).content
    times = []
    for _ in range(n):
        start = time.perf_counter()
        _ = session.post(url + "/predict", json=PAYLOAD, timeout=10).content
        times.append((time.perf_counter() - start) * 1000)
    session.close()
    return percentile(sorted(times), 50)


def bare_http_client(url: str, n: int, warmup: int) -> float:
    conn = http.client.HTTPConnection(url.removeprefix("http://"), timeout=10)
    body = json.dumps(PAYLOAD).encode()
    headers = {"Content-Type": "application/json"}

    def one() -> None:
        conn.request("POST", "/predict", body=body, headers=headers)
        conn.getresponse().read()

    for _ in range(warmup):
        one()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        one()
        times.append((time.perf_counter() - start) * 1000)
    conn.close()
    return percentile(sorted(times), 50)


def mlgate(url: str, n: int, warmup: int) -> float:
    result = closed_loop(
        lambda: HttpSender(url),
        Req("POST", "/predict", PAYLOAD, timeout=10),
        requests=n,
        warmup=warmup,
        concurrency=1,
        time_limit=600,
    )
    return float(result.stats()["p50_ms"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)])
    try:
        deadline = time.monotonic() + 10
        while not port_open(port):
            if time.monotonic() > deadline:
                raise SystemExit("the benchmark server did not start")
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port}"
        ours, theirs, plain = [], [], []
        for _ in range(args.rounds):
            theirs.append(bare(url, args.requests, args.warmup))
            plain.append(bare_http_client(url, args.requests, args.warmup))
            ours.append(mlgate(url, args.requests, args.warmup))
    finally:
        server.terminate()
        server.wait(10)
    m, b, h = statistics.median(ours), statistics.median(theirs), statistics.median(plain)
    print(f"rounds: {args.rounds} x {args.requests:,} requests (after {args.warmup} warm-up)")
    print("| measured by | p50 (median of rounds) | rounds |")
    print("|---|---|---|")
    for label, p50, runs in (
        ("bare `requests.Session` loop", b, theirs),
        ("bare `http.client` loop", h, plain),
        ("mlgate", m, ours),
    ):
        print(f"| {label} | {p50:.3f} ms | {', '.join(f'{v:.3f}' for v in runs)} |")
    print(f"mlgate / bare: {m / b:.3f} (against requests; target: within 10%, or below 1)")
    print(f"mlgate / bare http.client: {m / h:.3f} (mlgate also encodes each body as JSON)")


if __name__ == "__main__":
    main()
