"""The command line stays light: --help and check-config import no data-science library."""

from __future__ import annotations

import json
import os
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


def imported_heavy(
    *args: str, cwd: Path | None = None, names: tuple[str, ...] = HEAVY
) -> list[str]:
    code = PROBE.replace("json.loads(HEAVY)", repr(list(names)))
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


def test_a_pattern_is_checked_without_pandas(tmp_path: Path) -> None:
    """RE2 (pyarrow) checks a `pattern:` at load time; pandas (0.15 s) is not needed for that."""
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\ndatasets:\n  t: {path: t.csv}\ndata:\n  - dataset: t\n"
        "    columns:\n      b: {pattern: '[a-z]+'}\n"
    )
    heavy = imported_heavy("check-config", cwd=tmp_path)
    assert "pyarrow" in heavy  # the pattern was compiled
    assert "pandas" not in heavy


def test_a_valid_config_is_validated_without_jsonschema(tmp_path: Path) -> None:
    """jsonschema (35 ms to import) only explains what is wrong (`config/conforms.py`)."""
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\ndatasets:\n  t: {path: t.csv}\ndata:\n  - dataset: t\n    rows: {min: 1}\n"
    )
    assert imported_heavy("check-config", cwd=tmp_path, names=("jsonschema",)) == []
    (tmp_path / "mlgate.yml").write_text("version: 1\nbogus: 1\n")
    assert imported_heavy("check-config", cwd=tmp_path, names=("jsonschema",)) == ["jsonschema"]


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


def _python(code: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # output buffered
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )


def test_the_command_ends_without_losing_output_or_exit_handlers() -> None:
    """`exit_now` skips the interpreter's teardown (0.1-0.2 s after a run), nothing else."""
    done = _python(
        "import atexit\n"
        "from mlgate.cli import exit_now\n"
        "atexit.register(lambda: print('exit handler ran'))\n"
        "print('buffered', end=' ')\n"
        "exit_now(3)\n"
    )
    assert done.returncode == 3
    assert done.stdout == "buffered exit handler ran\n"


def test_the_command_waits_for_a_thread_still_running() -> None:
    done = _python(
        "import threading, time\n"
        "from mlgate.cli import exit_now\n"
        "threading.Thread(target=lambda: (time.sleep(0.2), print('thread finished'))).start()\n"
        "exit_now(4)\n"
    )
    assert done.returncode == 4
    assert done.stdout == "thread finished\n"


def test_python_m_mlgate_gives_the_commands_exit_code(tmp_path: Path) -> None:
    (tmp_path / "mlgate.yml").write_text("version: 1\nbogus: 1\n")
    done = subprocess.run(
        [sys.executable, "-m", "mlgate", "check-config"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 2
    assert "unknown key 'bogus'" in done.stderr


def test_a_profiled_command_still_writes_its_profile(tmp_path: Path) -> None:
    out = tmp_path / "prof.out"
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "mlgate", "check-config"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert "mlgate.yml: no such file" in done.stderr  # it ran (cProfile keeps no exit code)
    assert out.stat().st_size > 0
