"""`mlgate run`: load the config, run every check through pytest, build the `Report`."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Literal

from mlgate import __version__
from mlgate.config import Config, load_config
from mlgate.errors import UsageError
from mlgate.ghenv import GitHubEnv
from mlgate.results import CheckResult, Counts, Location, Report
from mlgate.runner.session import build_context, head_sha
from mlgate.runner.startup import (
    GateInterrupted,
    check_select,
    conftest_error,
    interrupted_error,
    pytest_main,
    startup_error,
    startup_problem,
)


def run_gate(
    config_path: str | Path,
    *,
    base_ref: str | None = None,
    select: str | None = None,
    fail_on: str | None = None,
    pytest_args: tuple[str, ...] = (),
) -> tuple[Config, Report]:
    """Run the gate in-process; a `ConfigError`/`UsageError` means exit 2."""
    import pytest

    from mlgate.runner.plugin import GatePlugin

    started = time.perf_counter()
    config = load_config(config_path)
    ctx = build_context(config, base_ref)
    plugin = GatePlugin(config, ctx)
    args = [str(config.path)]
    args += [str(config.resolve(p)) for p in config.pytest.paths]
    args += list(config.pytest.args) + list(pytest_args)
    args += ["-p", "no:mlgate", "-p", "no:cacheprovider", "--rootdir", str(config.root)]
    args += ["-q", "--no-header", "--tb=short", "-rN"]
    args += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
    if select:
        args += ["-k", select]
    check_select(select)
    code, watch = pytest_main(args, plugin)
    extra: list[CheckResult] = []
    if code == pytest.ExitCode.USAGE_ERROR and not watch.started:
        problem = startup_problem(watch.text())
        if problem.kind != "conftest" or not config.pytest.paths:
            raise startup_error(config, problem)
        # the team's tests cannot be loaded: they are one error, the declared checks still run
        extra.append(conftest_error(problem))
        plugin = GatePlugin(config, ctx)
        team = {str(config.resolve(p)) for p in config.pytest.paths}
        code, watch = pytest_main([a for a in args if a not in team], plugin)
        if code == pytest.ExitCode.USAGE_ERROR and not watch.started:
            raise startup_error(config, startup_problem(watch.text()))
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR):
        raise UsageError(
            f"pytest could not run the gate (exit {int(code)}); check `pytest.args` and -k"
        )
    if code == pytest.ExitCode.INTERRUPTED and not plugin.results:
        raise KeyboardInterrupt
    if watch.interrupted:
        extra.append(interrupted_error(config, watch.interrupted))
    checks = extra + list(plugin.results.values())
    report = make_report(
        config,
        checks,
        fail_on=fail_on or config.gate.fail_on,
        commit=head_sha(GitHubEnv.from_environ()),
        base_ref=ctx.base_ref or "",
        duration=time.perf_counter() - started,
    )
    if watch.interrupted:
        raise GateInterrupted(config, report, watch.interrupted)
    return config, report


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
