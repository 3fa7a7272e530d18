"""Start-up time of the command line: `mlgate --help` against `python -c pass`.

Run: python benchmarks/startup.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def best_of(cmd: list[str], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    rows = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("mlgate --help", [sys.executable, "-m", "mlgate", "--help"]),
        ("mlgate schema", [sys.executable, "-m", "mlgate", "schema"]),
        ("python -c 'import pandas, sklearn'", [sys.executable, "-c", "import pandas, sklearn"]),
    ]
    measured = [(name, *best_of(cmd, args.repeat)) for name, cmd in rows]
    base = measured[0][1]
    print(f"{'command':<36} {'best (ms)':>10} {'median (ms)':>12} {'x python':>9}")
    for name, best, median in measured:
        print(f"{name:<36} {best * 1000:>10.1f} {median * 1000:>12.1f} {best / base:>9.2f}")


if __name__ == "__main__":
    main()
