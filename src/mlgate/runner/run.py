"""`mlgate run`: load the config, run every check through pytest, build the `Report`."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import pytest
from pluggy import PluginValidationError

from mlgate import __version__
from mlgate.checks import Outcome
from mlgate.config import Config, load_config
from mlgate.context import RunContext
from mlgate.errors import UsageError
from mlgate.ghenv import GitHubEnv
from mlgate.results import CheckResult, Counts, Location, Report
from mlgate.runner.budget import not_run_message
from mlgate.runner.execute import to_result
from mlgate.runner.guard import Stopper, Watchdog, hard_exit
from mlgate.runner.plugin import GatePlugin
from mlgate.runner.processes import adopted_orphans, descendants, sweep_since
from mlgate.runner.session import build_context, head_sha
from mlgate.runner.startup import (
    check_select,
    conftest_error,
    pytest_main,
    startup_error,
    startup_problem,
)
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
    config = load_config(config_path)
    run = _GateRun(config, build_context(config, base_ref), fail_on or config.gate.fail_on)
    with adopted_orphans(), Stopper() as stopper:
        run.before = descendants(os.getpid())
        run.saved_output = _dup_output()
        try:
            with Watchdog(run.ctx.gate_deadline, run.running, run.abort(on_abort), stopper):
                stop_reason = run.execute(select, pytest_args, stopper)
        finally:
            for fd in run.saved_output or ():
                os.close(fd)
    checks = list(run.plugin.results.values())
    if stop_reason:
        checks += run.plugin.not_run(f"not run: {stop_reason}") + run.team.results
        raise GateStopped(config, run.report(checks), stopper.exit_code)
    checks += run.team.results
    if not checks:
        if select is not None:
            raise UsageError(
                f"-k {select!r} selects nothing: none of the {len(config.checks)} declared "
                "checks and none of the team's tests match it"
            )
        checks = [_nothing_ran(config)]
    return config, run.report(checks)


class _GateRun:
    """One run's moving parts: the in-process session, the team's tests, the way out."""

    def __init__(self, config: Config, ctx: RunContext, fail_on: str) -> None:
        self.config = config
        self.ctx = ctx
        self.fail_on = fail_on
        self.plugin = GatePlugin(config, ctx)
        self.team = TeamRun()
        self.team_so_far: dict[str, CheckResult] = {}  # filled while the team's tests run
        self.started = time.perf_counter()
        self.commit = head_sha(GitHubEnv.from_environ())
        self.before: dict[int, str] = {}
        self.saved_output: tuple[int, int] | None = None

    def report(self, checks: list[CheckResult]) -> Report:
        return make_report(
            self.config,
            checks,
            fail_on=self.fail_on,
            commit=self.commit,
            base_ref=self.ctx.base_ref or "",
            duration=time.perf_counter() - self.started,
        )

    def execute(self, select: str | None, pytest_args: tuple[str, ...], stopper: Stopper) -> str:
        """The checks, then the team's tests; why the run was stopped, or ""."""
        code = _run_checks(self.config, self.plugin, select)
        if code == pytest.ExitCode.INTERRUPTED or stopper.signum is not None:
            return stopper.message
        if not self.config.pytest.paths:
            return ""
        if self.ctx.gate_expired():
            why = not_run_message(self.ctx.gate_timeout)
            self.team = TeamRun([_team_not_run(self.config, why)])
            return ""
        try:
            self.team = run_team_tests(
                self.ctx, select=select, extra_args=pytest_args, results=self.team_so_far
            )
        except Interrupted as exc:
            self.team = TeamRun(exc.results)
            return stopper.message
        problem = self.team.startup
        if problem is not None and problem.kind == "conftest":
            self.team = TeamRun([conftest_error(problem)])
        elif problem is not None:  # arguments pytest refuses: `pytest.args` (exit 2) or -k
            raise startup_error(self.config, problem)
        failed_to_start = (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR)
        if self.team.exitstatus in failed_to_start and not self.team.results:
            why = (
                f"the team's tests could not be started (pytest exit {self.team.exitstatus}: "
                "a conftest that raises, or `pytest.args` pytest does not know; pytest's "
                "message is in the log above)"
            )
            self.team = TeamRun([_team_not_run(self.config, why)])
        return ""

    def running(self) -> tuple[float, float] | None:
        """The in-process check running now: (budget s, started), for the watchdog."""
        now = self.plugin.running
        return (now[1], now[2]) if now is not None else None

    def abort(self, on_abort: Callable[[Report], None] | None) -> Callable[[str, int], None]:
        """What the watchdog does when the main thread cannot: the partial report, the end."""

        def abort(why: str, code: int) -> None:
            _restore_output(self.saved_output)  # the session may be capturing them
            print(f"mlgate: {why}", file=sys.stderr, flush=True)
            results = dict(self.plugin.results)
            running = self.plugin.running
            later = why
            if running is not None:
                spec = running[0]
                results[spec.id] = to_result(spec, Outcome.error(why), 0.0, self.ctx)
                later = f"the run was ended while {spec.id} ran"
            missing = self.plugin.not_run(f"not run: {later}")
            checks = [*results.values(), *[r for r in missing if r.id not in results]]
            if on_abort is not None:
                with contextlib.suppress(Exception):
                    on_abort(self.report(checks + list(self.team_so_far.values())))
            with contextlib.suppress(Exception):
                self.ctx.close_now()
            with contextlib.suppress(Exception):
                sweep_since(self.before)
            hard_exit(code)

        return abort


def _run_checks(config: Config, plugin: GatePlugin, select: str | None) -> int:
    """The declared checks, as the items of an in-process pytest session."""
    args = [str(config.path)]
    args += ["-p", "no:mlgate", "-p", "no:cacheprovider", "--rootdir", str(config.root)]
    args += ["-q", "--no-header", "--tb=short", "-rN"]
    args += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
    args += _LEAN_SESSION
    if select:
        args += ["-k", select]
    check_select(select)
    lean = bool(_WITHOUT_PLUGINS)
    code, watch = pytest_main(args + _WITHOUT_PLUGINS, plugin, _LeanSession(without_plugins=lean))
    if lean and not watch.started and code in _FAILED_TO_START:
        # the project's pytest set-up names a plugin (an option in `addopts`, a hook in a
        # conftest, `required_plugins`): start as plain pytest would, with every plugin
        code, watch = pytest_main(args, plugin, _LeanSession(without_plugins=False))
    if code == pytest.ExitCode.USAGE_ERROR and not watch.started:
        raise startup_error(config, startup_problem(watch.text()))
    if code in _FAILED_TO_START:
        raise UsageError(
            f"pytest could not run the gate (exit {int(code)}); check `pytest.args` and -k"
        )
    return int(code)


_FAILED_TO_START = (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR)

#: The declared checks need neither assertion rewriting (it would recompile every mlgate
#: module the checks import, on each run where bytecode is not written, as in the action's
#: image) nor the search for unraisable exceptions (a full garbage collection at the end):
#: the team's tests run in their own session, with both.
_LEAN_SESSION = ["--assert=plain", "-p", "no:unraisableexception"]

#: Nor the third-party plugins installed beside mlgate (importing them costs start-up time, and
#: some change how items run): the team's tests, in their own session, get them all. The ini
#: keys of those plugins are then unknown here, which is not this session's concern (no warning,
#: and no error under `strict`). pytest < 8.4 has no such option.
_WITHOUT_PLUGINS = (
    [
        "--disable-plugin-autoload",
        *("-W", "ignore::pytest.PytestConfigWarning", "-o", "strict_config=false"),
    ]
    if pytest.version_tuple >= (8, 4)
    else []
)


class _LeanSession:
    """Keeps plugins that only serve the team's tests from costing the gate's session time."""

    def __init__(self, *, without_plugins: bool) -> None:
        self.without_plugins = without_plugins

    @pytest.hookimpl(tryfirst=True)  # before `RunWatch` lets pytest's output through
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        manager = session.config.pluginmanager
        if self.without_plugins:
            try:  # a conftest implements a hook only a plugin defines (pytest-html's)
                manager.check_pending()
            except PluginValidationError as exc:
                raise pytest.UsageError(str(exc)) from exc  # not started: again, with plugins
        # Hypothesis's plugin imports all of Hypothesis (0.1-0.2 s) for its end-of-run summary
        plugin = manager.get_plugin("hypothesispytest")
        if plugin is not None:
            manager.unregister(plugin)


def _dup_output() -> tuple[int, int] | None:
    """Copies of stdout/stderr as they are before the session captures them."""
    try:
        out = os.dup(1)
    except OSError:
        return None
    try:
        return out, os.dup(2)
    except OSError:
        os.close(out)
        return None


def _restore_output(saved: tuple[int, int] | None) -> None:
    """Point stdout/stderr back at the terminal (pytest's capture may hold them)."""
    if saved is None:
        return
    with contextlib.suppress(OSError):
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
    if sys.__stdout__ is not None and sys.__stderr__ is not None:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__


def _team_not_run(config: Config, why: str) -> CheckResult:
    where = config.document.locate(("pytest", "paths"))
    return CheckResult(
        id="pytest/" + ",".join(config.pytest.paths),
        family="pytest",
        status="error",
        severity="error",
        message=why,
        location=where,
    )


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
        charts=config.report.charts,
        max_failures_shown=config.report.max_failures_shown,
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
