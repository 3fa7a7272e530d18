"""Latency verdicts on a noisy machine: shadow `max_latency_ratio: 1.3` under bursty CPU load.

Two endpoints of one loopback service do the same CPU work, one for longer; two background
processes burn the CPU in random bursts while `mlgate run` times them interleaved. Identical
sides should pass every run and a side about 1.7x slower end to end should fail every run.

Run: python benchmarks/latency_verdicts.py [--runs 8] [--slow-ms 26]
"""

from __future__ import annotations

import argparse
import http.server
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

DELAYS = {"/a": 0.010, "/b": 0.010}
BURST = """
import random, sys, time
random.seed(int(sys.argv[1]))
end = time.time() + 120
while time.time() < end:
    t = time.time() + random.uniform(0.05, 0.4)
    if random.random() < 0.5:
        while time.time() < t:
            pass
    else:
        time.sleep(max(0.0, t - time.time()))
"""


class Work(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        end = time.perf_counter() + DELAYS.get(self.path, 0.01)
        while time.perf_counter() < end:  # CPU work: load slows it as it slows a model
            pass
        out = json.dumps({"score": 0.5, "label": 1}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args: object) -> None:
        pass


def one_run(folder: Path, url: str, seed: int) -> tuple[str, float | None]:
    bursts = [subprocess.Popen([sys.executable, "-c", BURST, str(seed + k)]) for k in (0, 100)]
    try:
        subprocess.run(
            [sys.executable, "-m", "mlgate", "run", "--publish", "none", "--report-dir", "out"],
            cwd=folder, capture_output=True, check=False, timeout=600,
        )  # fmt: skip
    finally:
        for proc in bursts:
            proc.kill()
            proc.wait()
    report = json.loads((folder / "out" / "report.json").read_text())
    [check] = [c for c in report["checks"] if c["id"].endswith("max_latency_ratio")]
    return check["status"], check["details"]["shadow"].get("latency_ratio")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--slow-ms", type=float, default=26.0)
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Work)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    random.seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = "".join(json.dumps({"x": i}) + "\n" for i in range(100))
        (folder / "traffic.jsonl").write_text(rows)
        (folder / "mlgate.yml").write_text(
            "version: 1\nshadow:\n  - name: ab\n    traffic: traffic.jsonl\n"
            f'    primary: {{url: "{url}", path: /a}}\n'
            f'    candidate: {{url: "{url}", path: /b}}\n'
            "    max_latency_ratio: 1.3\n"
        )
        print(f"{'candidate':<22} {'passed':>6} {'warning':>8} {'failed':>7}  ratios")
        for name, delay in (
            ("identical", 0.010),
            (f"{args.slow_ms:g} ms vs 10 ms", 0.001 * args.slow_ms),
        ):
            DELAYS["/b"] = delay
            results = [one_run(folder, url, seed) for seed in range(args.runs)]
            counts = {s: sum(r[0] == s for r in results) for s in ("passed", "warning", "failed")}
            ratios = " ".join(f"{r[1]:.2f}" for r in results if r[1] is not None)
            print(
                f"{name:<22} {counts['passed']:>6} {counts['warning']:>8} {counts['failed']:>7}"
                f"  {ratios}"
            )
    server.shutdown()


if __name__ == "__main__":
    main()
