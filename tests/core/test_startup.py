"""The command line stays light: --help and check-config import no data-science library."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("pandas", "sklearn", "numpy", "scipy", "pyarrow", "joblib", "requests")

PROBE = """
import json, sys
from mlgate.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted({m.split('.')[0] for m in sys.modules} & set(json.loads(HEAVY)))
print("HEAVY=" + json.dumps(heavy))
"""


def imported_heavy(*args: str, cwd: Path | None = None) -> list[str]:
    code = PROBE.replace("json.loads(HEAVY)", repr(list(HEAVY)))
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, check=False
    )
    line = [x for x in done.stdout.splitlines() if x.startswith("HEAVY=")][-1]
    return list(json.loads(line.removeprefix("HEAVY=")))


def test_help_imports_nothing_heavy() -> None:
    assert imported_heavy("--help") == []


def test_check_config_imports_nothing_heavy(tmp_path: Path) -> None:
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\ndatasets:\n  t: {path: t.csv}\ndata:\n  - dataset: t\n    rows: {min: 1}\n"
    )
    assert imported_heavy("check-config", cwd=tmp_path) == []


def test_schema_imports_nothing_heavy() -> None:
    assert imported_heavy("schema") == []


def test_a_data_only_run_imports_no_model_library(tmp_path: Path) -> None:
    """`mlgate run` of data checks alone loads neither scikit-learn nor scipy (start-up time)."""
    (tmp_path / "t.csv").write_text("a,b\n1,x\n2,y\n")
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\ndatasets:\n  t: {path: t.csv}\ndata:\n  - dataset: t\n    rows: {min: 1}\n"
        "    columns:\n      a: {type: integer, min: 0}\n      b: {pattern: '[a-z]'}\n"
    )
    heavy = imported_heavy("run", "--publish", "none", cwd=tmp_path)
    assert "pandas" in heavy  # the checks ran
    assert not {"sklearn", "scipy"} & set(heavy)
