"""The pytest side of the gate: each declared check is an item; every result is recorded."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from mlgate.checks import CheckSpec, Outcome
from mlgate.config.model import Config
from mlgate.context import RunContext
from mlgate.results import CheckResult, Location, Status
from mlgate.runner import fixtures
from mlgate.runner.budget import not_run_message
from mlgate.runner.execute import budget_of, execute, to_result

_RANK: dict[str, int] = {"passed": 0, "skipped": 1, "warning": 2, "failed": 3, "error": 4}


class CheckOutcomeError(Exception):
    """Raised by an item whose check did not pass; pytest shows `repr_failure`'s text."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.message)
        self.result = result


class GatePlugin:
    """Registered once per session with the loaded `Config`; collects and records."""

    def __init__(self, config: Config, ctx: RunContext) -> None:
        self.config = config
        self.ctx = ctx
        self.results: dict[str, CheckResult] = {}
        self.selected: list[CheckSpec] = []  # the checks this session runs (after -k)
        self.running: tuple[CheckSpec, float, float] | None = None  # spec, budget s, started
        self._locations: dict[str, Location] = {}

    def pytest_configure(self, config: pytest.Config) -> None:
        register_markers(config)
        config.stash[fixtures.CONTEXT_KEY] = self.ctx
        if not config.pluginmanager.is_registered(fixtures):
            config.pluginmanager.register(fixtures, "mlgate-fixtures")

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.ctx.close()

    # -- collection -------------------------------------------------------------------------
    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector) -> Any:
        if file_path.resolve() == self.config.path.resolve():
            return GateFile.from_parent(parent, path=file_path, gate=self)
        return None

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            if not isinstance(item, CheckItem):
                self._locations[item.nodeid] = test_location(item)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.selected = [i.spec for i in session.items if isinstance(i, CheckItem)]

    def not_run(self, reason: str) -> list[CheckResult]:
        """An `error` for every selected check without a result: the run stopped before it."""
        return [
            to_result(spec, Outcome.error(reason), 0.0, self.ctx)
            for spec in self.selected
            if spec.id not in self.results
        ]

    # -- results ----------------------------------------------------------------------------
    def record(self, result: CheckResult) -> None:
        merge(self.results, result)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.nodeid in self._locations:
            self.record(pytest_result(report, self._locations[report.nodeid]))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.record(collect_error(report, str(self.config.path)))


def merge(results: dict[str, CheckResult], result: CheckResult) -> None:
    """Keep the worst outcome of a check; a later, worse phase (a teardown error after a
    failed call) keeps the earlier message too, so the assertion is never lost."""
    old = results.get(result.id)
    if old is None:
        results[result.id] = result
    elif _RANK[result.status] >= _RANK[old.status]:
        if old.status in ("failed", "error") and old.message not in result.message:
            result = replace(result, message=f"{old.message}\n{result.message}")
        results[result.id] = result


def collect_error(report: pytest.CollectReport, default_path: str) -> CheckResult:
    """A test file that could not be collected, as an `error` at its first line."""
    path = report.nodeid.split("::")[0] or default_path
    return CheckResult(
        id=f"pytest/{report.nodeid or path}",
        family="pytest",
        status="error",
        severity="error",
        message="could not collect tests: " + _tail(report.longreprtext),
        location=Location(path, 1, 1),
    )


def test_location(item: pytest.Item) -> Location:
    """Where a team test is defined (its `def` line)."""
    _, line, _ = item.location
    return Location(_relpath(item.path), (line or 0) + 1, 1)


def register_markers(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "mlgate: a check declared in mlgate.yml")
    for family in ("data", "model", "api", "shadow"):
        config.addinivalue_line("markers", f"{family}: an mlgate {family} check")


class GateFile(pytest.File):
    """`mlgate.yml` as a pytest collector: one item per declared check."""

    def __init__(self, *, gate: GatePlugin, **kw: Any) -> None:
        super().__init__(**kw)
        self.gate = gate

    def collect(self) -> Iterator[pytest.Item]:
        for spec in self.gate.config.checks:
            yield CheckItem.from_parent(self, name=spec.id, spec=spec, gate=self.gate)


class CheckItem(pytest.Item):
    """One declared check."""

    def __init__(self, *, spec: CheckSpec, gate: GatePlugin, **kw: Any) -> None:
        super().__init__(**kw)
        self.spec = spec
        self.gate = gate
        self.add_marker(pytest.mark.mlgate)
        self.add_marker(getattr(pytest.mark, spec.family))

    def runtest(self) -> None:
        ctx = self.gate.ctx
        if ctx.gate_expired():
            result = to_result(self.spec, Outcome.error(not_run_message(ctx.gate_timeout)), 0, ctx)
        else:
            self.gate.running = (self.spec, budget_of(self.spec, ctx).seconds, time.monotonic())
            try:
                result = execute(self.spec, ctx)
            except KeyboardInterrupt:
                stopped = Outcome.error("interrupted: the run was stopped while this check ran")
                self.gate.record(to_result(self.spec, stopped, 0.0, ctx))
                raise
            finally:
                self.gate.running = None
        self.gate.record(result)
        if result.status in ("failed", "error"):
            raise CheckOutcomeError(result)
        if result.status == "skipped":
            pytest.skip(result.message)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, CheckOutcomeError):
            r = excinfo.value.result
            lines = [f"{r.status}: {r.message}"]
            if r.expected is not None or r.observed is not None:
                lines.append(f"observed: {r.observed!r}  expected: {r.expected!r}")
            loc = r.location
            if loc:
                lines.append(f"declared at {loc.file}:{loc.line}")
            return "\n".join(lines)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.spec.location.line - 1, self.spec.id


def pytest_result(report: pytest.TestReport, location: Location) -> CheckResult:
    status: Status
    if report.when == "call":
        if report.passed:
            status = "passed"
        elif report.skipped:
            status = "skipped"
        else:
            status = "failed"
    elif report.failed:
        status = "error"
    elif report.skipped:
        status = "skipped"
    else:
        status = "passed"
    if hasattr(report, "wasxfail"):
        status = "skipped" if report.skipped else "passed"
    message = {
        "passed": "passed",
        "failed": _tail(report.longreprtext),
        "error": f"error in {report.when}: {_tail(report.longreprtext)}",
        "skipped": _skip_reason(report),
    }.get(status, status)
    return CheckResult(
        id=f"pytest/{report.nodeid}",
        family="pytest",
        status=status,
        severity="error",
        message=message,
        location=location,
        duration_s=round(report.duration, 6),
    )


def _skip_reason(report: pytest.TestReport) -> str:
    if hasattr(report, "wasxfail"):
        return f"expected failure: {report.wasxfail}".rstrip(": ")
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return "skipped"


def _tail(text: str, lines: int = 12) -> str:
    """The end of a pytest failure text: where the assertion and its message are."""
    kept = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


def _relpath(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
