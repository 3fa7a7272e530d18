"""Shared by the api and shadow tests: run the real gate on a config, inspect what is left."""

from __future__ import annotations

import json
import os
import socket
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from mlgate.cli import main

SERVICES = Path(__file__).resolve().parent / "services"
PYTHON = sys.executable
UVICORN = f"{PYTHON} -m uvicorn svc.app:app --port {{port}}"


def run_gate(tmp_path: Path, yaml_text: str) -> tuple[int, dict[str, Any]]:
    """`mlgate run` on this config (in tmp_path); (exit code, report.json as dicts by id)."""
    config = tmp_path / "mlgate.yml"
    config.write_text(textwrap.dedent(yaml_text), encoding="utf-8")
    report_dir = tmp_path / "report"
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        # the services live in the repository, the config in tmp_path: a local run
        args = ["--report-dir", str(report_dir), "--publish", "none", "--allow-outside-workspace"]
        code = main(["run", "--config", str(config), *args])
    finally:
        os.chdir(old)
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    return code, {c["id"]: c for c in report["checks"]}


def port_closed(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) != 0


def group_gone(pgid: int, wait: float = 5.0) -> bool:
    """True once no process of the group runs any more. A killed orphan can stay a zombie until
    PID 1 reaps it (slowly on a loaded machine): a zombie runs nothing and holds no port."""
    from mlgate.api.service import _running_member

    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        if _running_member(pgid) is False:
            return True
        time.sleep(0.05)
    return False


def report_md(tmp_path: Path) -> str:
    """The report.md written by `run_gate`."""
    return (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
