"""Cold start of the action's container: from `docker run` to the first checks, on the example.

Compares the image with the same commands on this machine's Python (no container), in one run:
- `docker run` to the entrypoint's answer (a wrong input: container start + Python + inputs),
- `docker run` to the example's data checks done (`-k data`: the first checks of a real run),
- the whole example gate.
The image is built first (`docker build`, layer cache) unless `--no-build`. Needs a Docker
engine; see tests/container/start-engine.sh.

Run: python benchmarks/container.py [--repeat 3] [--image mlgate-action:bench]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], repeat: int, ok: tuple[int, ...] = (0,)) -> float:
    """Median wall time of `cmd` over `repeat` runs (it must exit with one of `ok`)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=REPO)
        times.append(time.perf_counter() - start)
        if done.returncode not in ok:
            raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout[-2000:]}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--image", default="mlgate-action:bench")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not args.no_build:
        start = time.perf_counter()
        subprocess.run(
            ["docker", "build", "--network", "host", "-q", "-t", args.image, str(REPO)],
            check=True,
            capture_output=True,
        )
        print(f"docker build (with the layer cache): {time.perf_counter() - start:.1f} s")
    docker = ["docker", "run", "--rm", "--network", "host", "-v", f"{REPO}:/github/workspace"]
    docker += ["--workdir", "/github/workspace", "-e", "GITHUB_WORKSPACE=/github/workspace"]
    gate = ["run", "--config", "examples/credit/mlgate.yml", "--publish", "none"]
    gate += ["--report-dir", "/tmp/mlgate-report"]
    host = [sys.executable, "-m", "mlgate", *gate]
    inside = [*docker, "--entrypoint", "mlgate", args.image, *gate]
    rows = [
        (
            "entrypoint answers (wrong input)",
            [*docker, "-e", "INPUT_COMMENT=sometimes", args.image],
            [sys.executable, str(REPO / "entrypoint.py")],
            (2,),
        ),
        ("first checks done (-k data)", [*inside, "-k", "data"], [*host, "-k", "data"], (0,)),
        ("whole example gate", inside, host, (0,)),
    ]
    print(f"{'from start to':<34} {'container (s)':>14} {'host (s)':>10} {'ratio':>7}")
    for name, in_container, on_host, ok in rows:
        c = timed(in_container, args.repeat, ok)
        h = timed(on_host, args.repeat, ok)
        print(f"{name:<34} {c:>14.2f} {h:>10.2f} {c / h:>7.2f}")


if __name__ == "__main__":
    main()
