"""The team's tests in a child process: `python -m mlgate.runner.child JOB.json`.

A test can end the process it runs in (`os._exit`, `pytest.exit`, `sys.exit` at import, a
crash); here that ends only this child. The child writes what happens, one JSON object a line
and flushed at once, to the events file the parent (`mlgate.runner.teamtests`) reads: which file
it is collecting, which tests it selected, which test starts and finishes, each phase's result,
a `pytest.exit`, and `finished` when pytest returned normally. Each test runs under its budget.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Generator
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

import pytest

from mlgate.results import CheckResult, json_safe
from mlgate.runner.budget import Budget, deadline
from mlgate.runner.startup import pytest_main, startup_problem


class ChildPlugin:
    """Reports the session to the events file and gives the team's tests the mlgate fixtures."""

    def __init__(self, job: dict[str, Any], events: IO[str]) -> None:
        self.job = job
        self.events = events
        self.ctx: Any = None
        self.locations: dict[str, Any] = {}

    def emit(self, event: str, **data: Any) -> None:
        self.events.write(json.dumps({"event": event, **json_safe(data)}) + "\n")
        self.events.flush()

    def pytest_configure(self, config: pytest.Config) -> None:
        from mlgate.runner import fixtures
        from mlgate.runner.plugin import register_markers

        register_markers(config)
        config.pluginmanager.register(fixtures, "mlgate-fixtures")
        if self.job.get("config"):
            from mlgate.config import load_config
            from mlgate.runner.session import build_context

            self.ctx = build_context(load_config(self.job["config"]), self.job.get("base_ref"))
            config.stash[fixtures.CONTEXT_KEY] = self.ctx

    def pytest_sessionfinish(self) -> None:
        if self.ctx is not None:
            self.ctx.close()

    def pytest_collectstart(self, collector: pytest.Collector) -> None:
        if isinstance(collector, pytest.File):
            self.emit("collecting", nodeid=collector.nodeid, path=_rel(collector.path))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        from mlgate.runner.plugin import collect_error

        if report.failed:
            self.emit("result", result=asdict(collect_error(report, self.job["config"] or "")))
        self.emit("collected_file", nodeid=report.nodeid)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        from mlgate.runner.plugin import test_location

        for item in session.items:
            self.locations[item.nodeid] = test_location(item)
        self.emit(
            "collected",
            items=[{"nodeid": n, "location": asdict(loc)} for n, loc in self.locations.items()],
        )

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self.emit("start", nodeid=nodeid)

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        self.emit("finish", nodeid=nodeid)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        from mlgate.runner.plugin import pytest_result

        location = self.locations.get(report.nodeid)
        if location is not None:
            self.emit("result", result=asdict(pytest_result(report, location)))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        budget = Budget(float(self.job["budget"]), str(self.job["budget_reason"]))
        with deadline(budget):
            return (yield)

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        value = excinfo.value
        if isinstance(value, pytest.exit.Exception):
            self.emit("exit", message=str(value.msg), returncode=value.returncode)


def _rel(path: Path) -> str:
    from mlgate.runner.plugin import _relpath

    return _relpath(path)


def main(argv: list[str]) -> int:
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    with open(job["events"], "a", encoding="utf-8") as events:
        plugin = ChildPlugin(job, events)
        code, watch = pytest_main(list(job["args"]), plugin)
        if code == pytest.ExitCode.USAGE_ERROR and not watch.started:
            problem = startup_problem(watch.text())  # said in one line by the parent
            plugin.emit("startup", **asdict(problem))
        plugin.emit("finished", exitstatus=int(code))
    return int(code)


def result_of(data: dict[str, Any]) -> CheckResult:
    """A `CheckResult` from its event (the same fields as in report.json)."""
    from mlgate.results import Report

    report = Report.from_dict({"conclusion": "success", "checks": [data]})
    return report.checks[0]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
