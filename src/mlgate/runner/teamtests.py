"""The team's `pytest:` tests, run in a child process that they cannot take the run down with.

The child (`mlgate.runner.child`) reports every step to an events file. When it ends without
saying `finished` — a test called `os._exit`, `pytest.exit`, crashed the interpreter, hung in
code no signal reaches, or a file ended the process while being imported — the test (or file)
it was busy with becomes an `error` saying so, and a new child runs the tests not yet run.
At the run's deadline (`gate.timeout`) the child is stopped and what did not run is reported.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from mlgate.context import RunContext
from mlgate.results import CheckResult, Location
from mlgate.runner.budget import Budget, gate_reached, not_run_message, own_budget
from mlgate.runner.child import result_of
from mlgate.runner.plugin import merge
from mlgate.runner.startup import StartupProblem

GRACE = 30.0
"""Seconds past a test's budget before its process is stopped (the budget's signal came first)."""
MAX_RESTARTS = 50
POLL = 0.1


class Interrupted(Exception):  # noqa: N818 - a signal, not an error
    """The run was interrupted while the tests ran; `results` holds what was reported."""

    def __init__(self, results: list[CheckResult]) -> None:
        super().__init__("interrupted")
        self.results = results


@dataclass
class TeamRun:
    """What the team's tests produced: their results, and how many tests were selected."""

    results: list[CheckResult] = field(default_factory=list)
    selected: int = 0
    exitstatus: int = 0  # of the last child's pytest (4: bad arguments or -k)
    startup: StartupProblem | None = None  # why pytest could not start, when it could not


@dataclass
class _Pass:
    """What one child reported."""

    collected: dict[str, Location] | None = None
    started: dict[str, float] = field(default_factory=dict)  # nodeid -> monotonic start
    finished: set[str] = field(default_factory=set)
    collecting: str = ""  # the path of the file being collected, until its report came
    collecting_id: str = ""
    collecting_since: float = 0.0
    exit_call: dict[str, Any] | None = None
    exitstatus: int | None = None  # pytest's, when it returned normally
    startup: StartupProblem | None = None
    offset: int = 0  # how far the events file was read


def run_team_tests(
    ctx: RunContext,
    *,
    select: str | None,
    extra_args: tuple[str, ...] = (),
    results: dict[str, CheckResult] | None = None,
) -> TeamRun:
    """Run `pytest.paths` in child processes until every selected test has a result.

    `results` (by id) fills up as the tests report, for a watchdog that must end the run early.
    """
    config = ctx.config
    job = _Job(
        ctx,
        own_budget(config.pytest.timeout, "`pytest.timeout`", "set `pytest.timeout`"),
        select,
        extra_args,
        results if results is not None else {},
    )
    results, skip = job.results, job.skip
    all_items: dict[str, Location] = {}
    exitstatus = 0
    startup: StartupProblem | None = None
    with tempfile.TemporaryDirectory(prefix="mlgate-tests-") as tmp:
        for attempt in range(MAX_RESTARTS):
            events = Path(tmp) / f"events-{attempt}.jsonl"
            state = _Pass()
            try:
                stop = _run_child(job, events, state)
            except KeyboardInterrupt:
                _read(events, state, results)
                _judge_unfinished(state, results, "interrupted (the run was stopped)")
                all_items.update(state.collected or {})
                _not_run(all_items, results, "not run: the run was interrupted")
                raise Interrupted(list(results.values())) from None
            if state.collected is not None:
                all_items.update(state.collected)
            if stop is None:
                exitstatus, startup = state.exitstatus or 0, state.startup
                break
            culprit = _judge_unfinished(state, results, stop)
            if ctx.gate_expired():
                _not_run(all_items, results, not_run_message(ctx.gate_timeout))
                break
            if culprit is None or culprit in skip:
                break
            skip.append(culprit)
            if not _paths(config.pytest.paths, ctx, skip):
                break  # the only file given was the one left out
    return TeamRun(list(results.values()), len(all_items), exitstatus, startup)


@dataclass
class _Job:
    """What every child of one run shares: the budget, the selection, what is known so far."""

    ctx: RunContext
    budget: Budget
    select: str | None
    extra_args: tuple[str, ...]
    results: dict[str, CheckResult] = field(default_factory=dict)
    skip: list[str] = field(default_factory=list)  # tests or files judged, left out next time


def _run_child(job: _Job, events: Path, state: _Pass) -> str | None:
    """One child; None when it finished normally, else why it stopped (for the busy test)."""
    ctx, config, skip, results = job.ctx, job.ctx.config, job.skip, job.results
    args = _paths(config.pytest.paths, ctx, skip)
    args += list(config.pytest.args) + list(job.extra_args)
    args += ["-p", "no:mlgate", "-p", "no:cacheprovider", "--rootdir", str(config.root)]
    args += ["-q", "--no-header", "--tb=short", "-rN", "--continue-on-collection-errors"]
    args += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
    for node in skip:
        args += [f"--ignore={node}"] if "::" not in node else ["--deselect", node]
    if job.select:
        args += ["-k", job.select]
    spec = {
        "events": str(events),
        "config": str(config.path),
        "base_ref": ctx.base_ref,
        "budget": job.budget.seconds,
        "budget_reason": job.budget.reason,
        "args": args,
    }
    job_file = events.with_suffix(".job.json")
    job_file.write_text(json.dumps(spec), encoding="utf-8")
    events.touch()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlgate.runner.child", str(job_file)],
        start_new_session=True,  # its whole group is stopped with it
    )
    try:
        while True:
            try:
                code = proc.wait(timeout=POLL)
            except subprocess.TimeoutExpired:
                code = None
            _read(events, state, results)
            if code is not None:
                break
            if time.monotonic() >= ctx.gate_deadline:
                _stop(proc)
                return f"did not finish within {gate_reached(ctx.gate_timeout)}"
            if _overdue(state, job.budget.seconds + GRACE):
                _stop(proc)
                return (
                    f"did not finish within {job.budget.reason} and could not be interrupted "
                    "(stuck in code that does not return to Python?), so its test process was "
                    "stopped; the other tests ran in a new one"
                )
    finally:
        if proc.poll() is None:
            _stop(proc)
    _read(events, state, results)
    tail = "a test cannot end the gate, so it is an error and the other tests ran on"
    if state.exit_call is not None:
        call = state.exit_call
        return (
            f"called pytest.exit({call.get('message')!r}, returncode={call.get('returncode')!r}); "
            + tail
        )
    if state.exitstatus is not None:
        if not _busy(state):
            return None
        if state.exitstatus == pytest.ExitCode.INTERRUPTED:
            return "raised KeyboardInterrupt, which stopped the test session; " + tail
        return (
            f"stopped the test session (pytest exit {state.exitstatus}: SystemExit or an "
            "internal error; see the log above); " + tail
        )
    how = f"signal {-code}" if code < 0 else f"exit code {code}"
    return f"ended the test process ({how}; os._exit, a crash or a kill); " + tail


def _overdue(state: _Pass, limit: float) -> bool:
    """Whether the test (or the import of a test file) in progress has run past `limit` s."""
    now = time.monotonic()
    if state.collecting and now - state.collecting_since > limit:
        return True
    return any(n not in state.finished and now - t > limit for n, t in state.started.items())


def _busy(state: _Pass) -> bool:
    """Whether the child was in the middle of a test or of importing a test file."""
    unfinished = any(n not in state.finished for n in state.started)
    return unfinished or bool(state.collecting)


def _paths(paths: tuple[str, ...], ctx: RunContext, skip: list[str]) -> list[str]:
    """`pytest.paths`, without the files left out (pytest collects a file named on its command
    line even when `--ignore` names it)."""
    left_out = {Path(s).resolve() for s in skip if "::" not in s}
    resolved = [ctx.config.resolve(p) for p in paths]
    return [str(p) for p in resolved if p.resolve() not in left_out]


def _read(events: Path, state: _Pass, results: dict[str, CheckResult]) -> None:
    """Apply the events written since the last read (complete lines only)."""
    try:
        with open(events, encoding="utf-8") as f:
            f.seek(state.offset)
            while True:
                line = f.readline()
                if not line.endswith("\n"):
                    break
                state.offset = f.tell()
                _apply(json.loads(line), state, results)
    except (OSError, ValueError):
        return


def _apply(event: dict[str, Any], state: _Pass, results: dict[str, CheckResult]) -> None:
    kind = event.get("event")
    if kind == "collecting":
        state.collecting = str(event.get("path") or "")
        state.collecting_id = str(event.get("nodeid") or "")
        state.collecting_since = time.monotonic()
    elif kind == "collected_file":
        if event.get("nodeid") == state.collecting_id:
            state.collecting = ""
    elif kind == "collected":
        state.collected = {i["nodeid"]: Location(**i["location"]) for i in event.get("items", [])}
    elif kind == "start":
        state.started[event["nodeid"]] = time.monotonic()
    elif kind == "finish":
        state.finished.add(event["nodeid"])
    elif kind == "result":
        merge(results, result_of(event["result"]))
    elif kind == "exit":
        state.exit_call = event
    elif kind == "startup":
        fields = {k: event[k] for k in ("kind", "message", "file", "line") if k in event}
        state.startup = StartupProblem(**fields)
    elif kind == "finished":
        state.exitstatus = int(event.get("exitstatus", 0))


def _judge_unfinished(state: _Pass, results: dict[str, CheckResult], why: str) -> str | None:
    """The test (or file) the child was busy with becomes an `error` saying `why`."""
    busy = [n for n in state.started if n not in state.finished]
    if busy:
        nodeid = busy[-1]
        location = (state.collected or {}).get(nodeid) or Location(nodeid.split("::")[0], 1, 1)
        merge(results, _error(nodeid, f"{nodeid.rpartition('::')[2]} {why}", location))
        return nodeid
    if state.collecting:
        path = state.collecting
        merge(results, _error(path, f"importing {path} {why}", Location(path, 1, 1)))
        return path
    return None


def _not_run(items: dict[str, Location], results: dict[str, CheckResult], why: str) -> None:
    for nodeid, location in items.items():
        if f"pytest/{nodeid}" not in results:
            merge(results, _error(nodeid, why, location))


def _error(nodeid: str, message: str, location: Location) -> CheckResult:
    return CheckResult(
        id=f"pytest/{nodeid}",
        family="pytest",
        status="error",
        severity="error",
        message=message,
        location=location,
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the child's process group and reap the child."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()
