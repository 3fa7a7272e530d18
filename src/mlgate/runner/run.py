"""`mlgate run`: load the config, run every check through pytest, build the `Report`."""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import pytest

from mlgate import __version__
from mlgate.checks import Outcome
from mlgate.config import Config, load_config
from mlgate.errors import UsageError
from mlgate.ghenv import GitHubEnv
from mlgate.results import CheckResult, Counts, Location, Report
from mlgate.runner.execute import to_result
from mlgate.runner.guard import Stopper, Watchdog, hard_exit
from mlgate.runner.plugin import GatePlugin
from mlgate.runner.processes import adopted_orphans, descendants, sweep_since
from mlgate.runner.session import build_context, head_sha
from mlgate.runner.teamtests import Interrupted, TeamRun, run_team_tests


class GateStopped(Exception):  # noqa: N818 - a signal, not an error
    """SIGTERM/SIGINT stopped the run; `report` is the partial report, `exit_code` 128 + signal."""

    def __init__(self, config: Config, report: Report, exit_code: int) -> None:
        super().__init__(f"the run was stopped (exit {exit_code})")
        self.config = config
        self.report = report
        self.exit_code = exit_code


def run_gate(
    config_path: str | Path,
    *,
    base_ref: str | None = None,
    select: str | None = None,
    fail_on: str | None = None,
    pytest_args: tuple[str, ...] = (),
    on_abort: Callable[[Report], None] | None = None,
) -> tuple[Config, Report]:
    """Run the gate; a `ConfigError`/`UsageError` means exit 2, `GateStopped` a signal.

    The declared checks run in this process (each under its budget, see `execute`); the team's
    `pytest:` tests in a child process (`teamtests`). `on_abort(report)` is how the watchdog
    writes the partial report when the main thread is stuck for good (it then ends the process).
    """
    started = time.perf_counter()
    config = load_config(config_path)
    ctx = build_context(config, base_ref)
    fail = fail_on or config.gate.fail_on
    sha = head_sha(GitHubEnv.from_environ())

    def report_of(checks: list[CheckResult]) -> Report:
        return make_report(
            config,
            checks,
            fail_on=fail,
            commit=sha,
            base_ref=ctx.base_ref or "",
            duration=time.perf_counter() - started,
        )

    plugin = GatePlugin(config, ctx)
    team = TeamRun()
    stop_reason = ""
    with adopted_orphans(), Stopper() as stopper:
        before = descendants(os.getpid())
        team_results: list[CheckResult] = []

        def abort(why: str, code: int) -> None:
            results = dict(plugin.results)
            running = plugin.running
            if running is not None:
                results[running[0].id] = to_result(running[0], Outcome.error(why), 0.0, ctx)
            checks = [*results.values(), *_missing(plugin, results, why), *team_results]
            if on_abort is not None:
                with contextlib.suppress(Exception):
                    on_abort(report_of(checks))
            with contextlib.suppress(Exception):
                ctx.close_now()
            with contextlib.suppress(Exception):
                sweep_since(before)
            hard_exit(code)

        def running() -> tuple[float, float] | None:
            now = plugin.running
            return (now[1], now[2]) if now is not None else None

        with Watchdog(ctx.gate_deadline, running, abort, stopper):
            code = _run_checks(config, plugin, select)
            if code == pytest.ExitCode.INTERRUPTED or stopper.signum is not None:
                stop_reason = stopper.message
            elif config.pytest.paths:
                try:
                    team = run_team_tests(ctx, select=select, extra_args=pytest_args)
                except Interrupted as exc:
                    team = TeamRun(exc.results)
                    stop_reason = stopper.message
                team_results.extend(team.results)
    checks = list(plugin.results.values())
    if stop_reason:
        checks += plugin.not_run(f"not run: {stop_reason}") + team.results
        raise GateStopped(config, report_of(checks), stopper.exit_code)
    if team.exitstatus in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR):
        raise UsageError(
            f"pytest could not run the team's tests (exit {team.exitstatus}); check "
            "`pytest.args` and -k"
        )
    checks += team.results
    if not checks:
        if select is not None:
            raise UsageError(
                f"-k {select!r} selects nothing: none of the {len(config.checks)} declared "
                "checks and none of the team's tests match it"
            )
        checks = [_nothing_ran(config)]
    return config, report_of(checks)


def _run_checks(config: Config, plugin: GatePlugin, select: str | None) -> int:
    """The declared checks, as the items of an in-process pytest session."""
    args = [str(config.path)]
    args += ["-p", "no:mlgate", "-p", "no:cacheprovider", "--rootdir", str(config.root)]
    args += ["-q", "--no-header", "--tb=short", "-rN"]
    args += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
    if select:
        args += ["-k", select]
    code = pytest.main(args, plugins=[plugin])
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR):
        raise UsageError(
            f"pytest could not run the gate (exit {int(code)}); check `pytest.args` and -k"
        )
    return int(code)


def _missing(plugin: GatePlugin, results: dict[str, CheckResult], why: str) -> list[CheckResult]:
    return [r for r in plugin.not_run(f"not run: {why}") if r.id not in results]


def _nothing_ran(config: Config) -> CheckResult:
    """No check and no test ran although nothing was deselected: that is not a pass."""
    declared = "declares no checks" if not config.checks else "ran none of its checks"
    tests = " and pytest.paths hold no tests" if config.pytest.paths else ""
    return CheckResult(
        id="gate/nothing-ran",
        family="config",
        status="error",
        severity="error",
        message=f"no check ran: the configuration {declared}{tests}; a gate that checked "
        "nothing does not pass",
        location=Location(str(config.document.display_name), 1, 1),
    )


def make_report(
    config: Config,
    checks: list[CheckResult],
    *,
    fail_on: str,
    commit: str = "",
    base_ref: str = "",
    duration: float = 0.0,
) -> Report:
    """Counts and the conclusion: `fail_on` error fails on failed/error, warning also on warning."""
    failing = {"error": {"failed", "error"}, "warning": {"failed", "error", "warning"}}
    bad = failing.get(fail_on, set())
    conclusion: Literal["success", "failure"] = (
        "failure" if any(c.status in bad for c in checks) else "success"
    )
    return Report(
        conclusion=conclusion,
        counts=Counts.of(checks),
        checks=checks,
        title=config.report.title,
        config_file=str(config.document.display_name),
        fail_on=fail_on,
        mlgate_version=__version__,
        commit=commit,
        base_ref=base_ref,
        duration_s=round(duration, 3),
    )


_ISSUE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<message>.*)$", re.S)


def config_error_report(issues: list[str], *, config_file: str) -> Report:
    """A failing report with one `config` error per configuration problem, at its line."""
    checks = []
    for i, issue in enumerate(issues, 1):
        m = _ISSUE.match(issue)
        location = (
            Location(m["file"], int(m["line"]), int(m["col"])) if m else Location(config_file, 1, 1)
        )
        checks.append(
            CheckResult(
                id=f"config/{i}",
                family="config",
                status="error",
                severity="error",
                message=f"invalid configuration: {m['message'] if m else issue}",
                location=location,
            )
        )
    return Report(
        conclusion="failure",
        counts=Counts.of(checks),
        checks=checks,
        config_file=config_file,
        mlgate_version=__version__,
    )
