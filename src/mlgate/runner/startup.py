"""What can stop pytest before or while the gate runs, said in one line each.

pytest prints its own start-up errors (a conftest that raises, arguments it does not know) as
several lines with a traceback. `RunWatch`
holds what pytest writes to stderr until the session starts, so that the gate can say it in one
line instead; `check_select` rejects a bad `-k` before anything runs.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

import pytest

from mlgate.errors import ConfigError, UsageError
from mlgate.results import CheckResult, Location

if TYPE_CHECKING:
    from mlgate.config import Config

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CONFTEST = re.compile(r"ImportError while loading conftest '(?P<path>[^']+)'")
_WHERE = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+): in ", re.M)


class RunWatch(io.TextIOBase):
    """A stand-in for `sys.stderr` (held until `pytest_sessionstart`, then passed through) and
    a pytest plugin that notes a `KeyboardInterrupt`."""

    def __init__(self, target: TextIO) -> None:
        super().__init__()
        self.target = target
        self.held: list[str] = []
        self.started = False
        self.interrupted: str | None = None

    def write(self, text: str) -> int:
        if self.started:
            return self.target.write(text)
        self.held.append(text)
        return len(text)

    def flush(self) -> None:
        if self.started:
            self.target.flush()

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.target.fileno()

    def isatty(self) -> bool:
        return False  # held text is parsed: no colours

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.target, "encoding", None) or "utf-8"

    def text(self) -> str:
        return _ANSI.sub("", "".join(self.held))

    # -- the plugin --------------------------------------------------------------------------
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.started = True


def watching() -> RunWatch:
    return RunWatch(sys.stderr)


@dataclass(frozen=True)
class StartupProblem:
    """Why pytest could not start: `kind` is conftest (the team's code) or usage (arguments)."""

    kind: str
    message: str
    file: str = ""
    line: int = 1


def startup_problem(text: str) -> StartupProblem:
    """pytest's start-up error text as one line (and, for a conftest, where it raised)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    conftest = _CONFTEST.search(text)
    if conftest:
        path = _relpath(conftest["path"])
        errors = [ln.removeprefix("E").strip() for ln in lines if ln.startswith("E ")]
        where = next((m for m in _WHERE.finditer(text) if m["file"].endswith(path)), None)
        line = int(where["line"]) if where else 1
        raised = errors[-1] if errors else (lines[-1] if lines else "an error")
        return StartupProblem("conftest", f"{path} raised {raised}", path, line)
    errors = [ln.removeprefix("ERROR:").strip() for ln in lines if ln.startswith("ERROR:")]
    details = [ln for ln in lines if ln.startswith(("pytest.main(): error:", "pytest: error:"))]
    if details:
        message = details[-1].split("error:", 1)[1].strip()
    elif errors:
        message = errors[-1]
    else:
        message = lines[-1] if lines else "no reason given"
    return StartupProblem("usage", message)


def check_select(select: str | None) -> None:
    """A `-k` expression pytest cannot parse is a `UsageError` naming the column."""
    if not select:
        return
    try:
        from _pytest.mark.expression import Expression
    except ImportError:  # pytest moved it: pytest itself will complain
        return
    try:
        Expression.compile(select)
    except Exception as exc:  # SyntaxError (pytest >= 8) or ParseError (older)
        reason = getattr(exc, "msg", None) or getattr(exc, "message", None) or str(exc)
        column = getattr(exc, "offset", None) or getattr(exc, "column", None)
        at = f" at column {column}" if column else ""
        raise UsageError(f"-k {select!r} is not a valid expression{at}: {reason}") from None


def _relpath(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def pytest_main(args: list[str], *plugins: object) -> tuple[int, RunWatch]:
    """pytest with its start-up errors held back (to be said in one line) and interrupts noted."""
    watch = watching()
    with contextlib.redirect_stderr(watch):
        code = pytest.main(args, plugins=[*plugins, watch])
    return int(code), watch


def startup_error(config: Config, problem: StartupProblem) -> Exception:
    if problem.kind == "conftest":
        return UsageError(f"the tests cannot be loaded: {problem.message}")
    if config.pytest.args:
        return ConfigError(
            [config.document.error(("pytest", "args"), f"pytest refused them: {problem.message}")]
        )
    return UsageError(f"pytest could not start: {problem.message}")


def conftest_error(problem: StartupProblem) -> CheckResult:
    """The team's tests could not be loaded (a conftest that raises): one error at its line."""
    return CheckResult(
        id=f"pytest/{problem.file}",
        family="pytest",
        status="error",
        severity="error",
        message=f"the team's tests could not be loaded: {problem.message}",
        location=Location(problem.file, problem.line, 1),
    )
