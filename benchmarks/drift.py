"""Benchmark drift on the engines: `mlgate run` with drift on 10 columns of two parquet files.

    python benchmarks/drift.py                 # 2,000,000 rows each side
    python benchmarks/drift.py --rows 200000 --engines duckdb,pandas

The current and reference files are those of `benchmarks/data.py` (`make_frame`, seeds 1 and
2); the suite is its suite with `drift` on its 10 drift columns (7 numeric, 3 text). Each run
is a whole process (imports and reading included): seconds and peak RSS. The files are made by
a process of its own: a run forked from a process holding the frames would count their pages.
`--drift-only` runs the drift checks alone (what drift itself costs).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from data import DRIFT, make_frame, mib, mlgate_entry, whole_process


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--engines", default="duckdb,pandas")
    ap.add_argument("--method", default="auto")
    ap.add_argument("--drift-only", action="store_true", help="the suite without its other checks")
    ap.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.make:  # in a process of its own: the runs' peak RSS must not count the frames
        make_frame(args.rows, 1).to_parquet(args.make / "current.parquet")
        make_frame(args.rows, 2, start=args.rows).to_parquet(args.make / "reference.parquet")
        return
    import subprocess

    import yaml

    with tempfile.TemporaryDirectory(prefix="mlgate-drift-") as tmp:
        folder = Path(tmp)
        data, ref = folder / "current.parquet", folder / "reference.parquet"
        subprocess.run(
            [sys.executable, __file__, "--rows", str(args.rows), "--make", str(folder)], check=True
        )
        suite = "drift only" if args.drift_only else "the whole suite"
        print(f"{args.rows:,} rows per side, drift on 10 columns (method {args.method}), {suite}\n")
        print("| engine | seconds | peak RSS | drift checks not passed |")
        print("|---|---:|---:|---|")
        for engine in [e for e in args.engines.split(",") if e]:
            run = folder / f"engine-{engine}"
            run.mkdir()
            entry = mlgate_entry(True)
            if args.drift_only:
                entry = {
                    "dataset": "current",
                    "drift": {"reference": "reference", "columns": DRIFT},
                }
            entry["drift"]["method"] = args.method
            config = {
                "version": 1,
                "gate": {"engine": engine},
                "datasets": {"current": {"path": str(data)}, "reference": {"path": str(ref)}},
                "data": [entry],
            }
            (run / "mlgate.yml").write_text(yaml.safe_dump(config, sort_keys=False))
            cmd = [sys.executable, "-m", "mlgate", "run", "--publish", "none", "--report-dir",
                   "out", "--allow-outside-workspace"]  # fmt: skip
            seconds, peak = whole_process(cmd, run)
            report = json.loads((run / "out" / "report.json").read_text())
            drift = [c for c in report["checks"] if "drift" in c["id"]]
            bad = sorted(c["id"] for c in drift if c["status"] != "passed")
            print(f"| {engine} | {seconds:.2f} | {mib(peak)} | {', '.join(bad) or 'none'} |")


if __name__ == "__main__":
    main()
