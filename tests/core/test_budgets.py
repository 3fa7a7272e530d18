"""Every check has a wall-clock budget (default, `timeout:` per entry, `gate.timeout` for the
run): past it the check is an `error` naming the budget and the other checks still run.

No assertion here is on how long anything took: only on outcomes and messages.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from mlgate.cli import main
from mlgate.config import load_config
from mlgate.errors import ConfigError
from mlgate.runner.budget import (
    DEFAULT_CHECK_TIMEOUT,
    Budget,
    CheckTimeout,
    check_budget,
    deadline,
    timeout_problem,
)
from tests.conftest import Project

DATA = "x,y\n1,0\n2,1\n3,0\n4,1\n"

SLOW_MODEL = """
import time

class Model:
    def predict(self, X):
        {predict}
        return [0] * len(X)

def make(path=None):
    {make}
    return Model()
"""


def run(*args: str) -> int:
    return main(["run", "--publish", "none", *args])


def checks_of(project: Project) -> dict[str, dict[str, Any]]:
    report = json.loads((project.root / "mlgate-report" / "report.json").read_text())
    return {c["id"]: c for c in report["checks"]}


def slow_project(
    project: Project, *, predict: str = "pass", make: str = "pass", extra: str = ""
) -> None:
    module = f"slowmodel_{abs(hash((predict, make, extra)))}"
    project.write("train.csv", DATA)
    project.write(f"{module}.py", SLOW_MODEL.format(predict=predict, make=make))
    project.write(
        "mlgate.yml",
        f"""
        version: 1
        {extra}
        datasets:
          train: {{path: train.csv}}
        models:
          m: {{format: python, factory: "{module}:make", target: y}}
        model:
          - model: m
            dataset: train
            timeout: 1
            latency: {{calls: 100, warmup: 0, p95_ms: 100000}}
            cases:
              - {{name: one, input: {{x: 1}}, expect: {{label: 0}}}}
        data:
          - dataset: train
            rows: {{min: 1}}
        """,
    )


def test_a_60s_predict_with_100_calls_errors_at_its_budget_and_the_rest_runs(
    project: Project,
) -> None:
    slow_project(project, predict="time.sleep(60)")
    assert run() == 1
    checks = checks_of(project)
    latency = checks["model/m/latency"]
    assert latency["status"] == "error"
    assert latency["message"] == (
        "did not finish within its time budget of 1 s (`timeout:` of its entry)"
    )
    assert latency["details"]["budget_s"] == 1
    assert checks["model/m/cases/one"]["status"] == "error"
    assert checks["data/train/rows"]["status"] == "passed"


def test_code_that_swallows_the_timeout_ends_the_run_with_its_report(project: Project) -> None:
    """The watchdog: a check still running `GRACE` s past its budget (it catches every
    `CheckTimeout`) ends the run; the report is written first, exit 1."""
    slow_project(
        project,
        predict="for _ in range(1000):\n"
        "            try:\n"
        "                time.sleep(60)\n"
        "            except BaseException:\n"
        "                pass",
    )
    code = (
        "import sys, mlgate.runner.guard as guard\n"
        "guard.GRACE = 1.0\n"
        "from mlgate.cli import main\n"
        "sys.exit(main(['run', '--publish', 'none']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=project.root, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 1, done.stderr
    assert "mlgate: did not stop at its budget of 1 s" in done.stderr
    checks = checks_of(project)
    assert checks["data/train/rows"]["status"] == "passed"
    first = checks["model/m/cases/one"]
    assert first["status"] == "error"
    assert first["message"] == (
        "did not stop at its budget of 1 s (it ignores the timeout, or is stuck in code "
        "Python cannot interrupt), so the run was ended here"
    )
    later = checks["model/m/latency"]
    assert later["message"] == "not run: the run was ended while model/m/cases/one ran"


def test_shared_work_that_ran_out_of_time_is_not_redone(project: Project) -> None:
    """The model's factory takes the first check's budget; the next check says why it has no
    model instead of spending its own budget loading it again."""
    slow_project(project, make="time.sleep(60)")
    assert run() == 1
    checks = checks_of(project)
    first, second = checks["model/m/cases/one"], checks["model/m/latency"]
    assert first["message"].startswith("did not finish within its time budget of 1 s")
    assert second["message"].startswith(
        "not computed: the work this check shares with an earlier one"
    )
    assert checks["data/train/rows"]["status"] == "passed"


def test_gate_timeout_errors_the_running_check_and_reports_the_rest_as_not_run(
    project: Project,
) -> None:
    slow_project(project, predict="time.sleep(60)", extra="gate: {timeout: 5}")
    text = (project.root / "mlgate.yml").read_text().replace("timeout: 1\n", "timeout: 100\n")
    (project.root / "mlgate.yml").write_text(text)
    assert run() == 1
    checks = checks_of(project)
    # the data family runs first (and in time, unless the machine is very slow)
    assert checks["data/train/rows"]["message"] in ("4 rows (expected >= 1)", NOT_RUN)
    assert checks["model/m/cases/one"]["status"] == "error"
    assert checks["model/m/cases/one"]["message"] in (
        "did not finish within gate.timeout of 5 s (the whole run's budget)",
        NOT_RUN,
    )
    assert checks["model/m/latency"]["status"] == "error"
    assert checks["model/m/latency"]["message"] == NOT_RUN


NOT_RUN = "not run: gate.timeout of 5 s reached"


def test_a_team_test_past_its_budget_fails_and_the_others_run(project: Project) -> None:
    project.write(
        "test_team.py",
        "import time\n\ndef test_slow():\n    time.sleep(60)\n\n\ndef test_fast():\n    pass\n",
    )
    project.write("mlgate.yml", "version: 1\npytest: {paths: [test_team.py], timeout: 1}\n")
    assert run() == 1
    checks = checks_of(project)
    slow = checks["pytest/test_team.py::test_slow"]
    assert slow["status"] == "failed"
    assert "did not finish within its time budget of 1 s (`pytest.timeout`)" in slow["message"]
    assert checks["pytest/test_team.py::test_fast"]["status"] == "passed"


def test_team_tests_do_not_start_after_gate_timeout(project: Project) -> None:
    slow_project(project, predict="time.sleep(60)", extra="gate: {timeout: 1}")
    project.write("test_team.py", "def test_a():\n    pass\n")
    text = (project.root / "mlgate.yml").read_text() + "pytest: {paths: [test_team.py]}\n"
    (project.root / "mlgate.yml").write_text(text)
    assert run() == 1
    team = checks_of(project)["pytest/test_team.py"]
    assert team["status"] == "error"
    assert team["message"] == "not run: gate.timeout of 1 s reached"


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        ("gate", ".nan", "gate.timeout: must be a positive number of seconds (got nan)"),
        ("entry", ".nan", "data[0].timeout: must be a positive number of seconds (got nan)"),
        ("entry", "0", "data[0].timeout: must be > 0"),
        ("entry", "-5", "data[0].timeout: must be > 0"),
        ("entry", ".inf", "data[0].timeout: must be <= 604800"),
        ("gate", "1.0e+12", "gate.timeout: must be <= 604800"),
        ("pytest", "'10'", "pytest.timeout:"),
    ],
)
def test_timeouts_that_cannot_be_meant_are_config_errors(
    tmp_path: Path, where: str, value: str, message: str
) -> None:
    (tmp_path / "t.csv").write_text(DATA)
    gate = f"gate: {{timeout: {value}}}\n" if where == "gate" else ""
    entry = f"    timeout: {value}\n" if where == "entry" else ""
    tests = f"pytest: {{timeout: {value}}}\n" if where == "pytest" else ""
    text = (
        f"version: 1\n{gate}{tests}datasets: {{t: {{path: t.csv}}}}\n"
        f"data:\n  - dataset: t\n{entry}    rows: {{min: 1}}\n"
    )
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "mlgate.yml", text=text)
    assert any(message in issue for issue in err.value.issues), err.value.issues


def test_every_family_entry_takes_a_timeout(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text(DATA)
    (tmp_path / "traffic.jsonl").write_text('{"x": 1}\n')
    text = """
version: 1
gate: {timeout: 900}
datasets: {t: {path: t.csv}}
models: {m: {path: m.joblib, target: y}}
data: [{dataset: t, timeout: 11, rows: {min: 1}}]
model: [{model: m, dataset: t, timeout: 12, metrics: {accuracy: {min: 0.5}}}]
api: [{name: s, url: "http://127.0.0.1:9", timeout: 13, requests: [{name: r, path: /}]}]
shadow: [{name: sh, traffic: traffic.jsonl, timeout: 14, primary: {model: m},
          candidate: {model: m}, min_agreement: 0.9}]
"""
    config = load_config(tmp_path / "mlgate.yml", text=text)
    assert config.gate.timeout == 900
    assert {c.family: c.timeout for c in config.checks} == {
        "data": 11,
        "model": 12,
        "api": 13,
        "shadow": 14,
    }


def test_the_default_budget_is_named_with_how_to_change_it() -> None:
    budget = check_budget(None, None, 3600)
    assert budget.seconds == DEFAULT_CHECK_TIMEOUT
    assert budget.message == (
        "did not finish within its time budget of 600 s (the default; set `timeout:` on its "
        "entry to change it)"
    )


def test_the_gate_budget_cuts_a_check_budget_short() -> None:
    budget = check_budget(600, time.monotonic() + 5, 7)
    assert budget.seconds <= 5
    assert budget.reason == "gate.timeout of 7 s (the whole run's budget)"


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (1, True),
        (0.5, True),
        (604800, True),
        (0, False),
        (-1, False),
        (float("nan"), False),
        (float("inf"), False),
        (604801, False),
        (True, False),
        ("5", False),
    ],
)
def test_timeout_problem(value: Any, ok: bool) -> None:
    assert (timeout_problem(value) is None) is ok


def test_deadline_interrupts_a_sleep_and_restores_the_alarm_it_found() -> None:
    fired: list[int] = []
    old = signal.signal(signal.SIGALRM, lambda s, f: fired.append(s))
    try:
        signal.setitimer(signal.ITIMER_REAL, 1000)
        with pytest.raises(CheckTimeout) as err, deadline(Budget(0.05, "a test budget")):
            time.sleep(30)
        assert str(err.value) == "did not finish within a test budget"
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < left <= 1000  # someone else's alarm is back
        assert signal.getsignal(signal.SIGALRM) is not None
        assert not fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_deadline_is_disarmed_after_the_block() -> None:
    with deadline(Budget(0.05, "x")):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    time.sleep(0.1)  # nothing fires


def test_deadline_outside_the_main_thread_only_runs_the_block() -> None:
    done: list[bool] = []

    def work() -> None:
        with deadline(Budget(0.01, "x")):
            done.append(True)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert done == [True]
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
