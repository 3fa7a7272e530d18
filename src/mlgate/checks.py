"""What a check *is*: a declared spec, the kind that computes it, and the outcome it returns.

Check families (data, model, api, shadow) register check kinds in `CHECKS` under their YAML
name, and a `Family` (schema fragment + planner) in `FAMILIES`. The runner only ever sees
`CheckSpec`s and `Outcome`s; it never knows what a family does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from mlgate.registry import Registry
from mlgate.results import Location, Severity

if TYPE_CHECKING:
    from mlgate.config.model import Config
    from mlgate.config.yamlload import Document
    from mlgate.context import RunContext

#: `warning` from a kind: inconclusive whatever the severity (e.g. an interval straddling a limit).
OutcomeStatus = Literal["passed", "failed", "warning", "skipped", "error"]


@dataclass(frozen=True)
class CheckSpec:
    """One declared check: its stable id, where it was declared and what it needs.

    `group` names work the checks share (e.g. ``data:train`` for one dataset suite); `suite`
    is the family's own frozen object for that group, so the first check of a group can compute
    everything the whole group needs in one pass (cached on the `RunContext`). `timeout` is
    the `timeout:` of the entry that declared it: its wall-clock budget.
    """

    id: str
    family: str
    kind: str
    location: Location
    params: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity = "error"
    group: str = ""
    suite: Any = None
    timeout: float | None = None  # seconds; None: the default budget (mlgate.runner.budget)


@dataclass(frozen=True)
class Outcome:
    """What a check kind returns; the runner adds id, timing, severity and location."""

    status: OutcomeStatus
    message: str
    observed: Any = None
    expected: Any = None
    examples: list[dict[str, Any]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def passed(cls, message: str, **kw: Any) -> Outcome:
        return cls("passed", message, **kw)

    @classmethod
    def failed(cls, message: str, **kw: Any) -> Outcome:
        return cls("failed", message, **kw)

    @classmethod
    def warning(cls, message: str, **kw: Any) -> Outcome:
        """Neither passed nor failed, whatever the severity (e.g. an inconclusive comparison)."""
        return cls("warning", message, **kw)

    @classmethod
    def skipped(cls, message: str, **kw: Any) -> Outcome:
        return cls("skipped", message, **kw)

    @classmethod
    def error(cls, message: str, **kw: Any) -> Outcome:
        return cls("error", message, **kw)

    @classmethod
    def judge(cls, ok: bool, message: str, **kw: Any) -> Outcome:
        return cls("passed" if ok else "failed", message, **kw)


class CheckKind(Protocol):
    """A function computing one check: ``run(spec, ctx) -> Outcome``.

    Raising `mlgate.errors.CheckError` (or any exception) makes the check `error` with the
    message; it never stops the other checks.
    """

    def __call__(self, spec: CheckSpec, ctx: RunContext, /) -> Outcome: ...


Planner = Callable[["Config", "Document"], list[CheckSpec]]


@dataclass(frozen=True)
class Family:
    """A check family: the YAML section it owns, that section's JSON Schema, and its planner.

    The planner turns the validated section into `CheckSpec`s. It runs at load time (also for
    `mlgate check-config`), so it must stay cheap and import no heavy library; it raises
    `mlgate.errors.ConfigError` for problems the schema cannot see (unknown dataset names, a bad
    rule expression), naming file, line and key. `kinds_module` is imported by the runner just
    before checks run: it registers the family's check kinds and may import pandas & co.
    """

    name: str
    section: str
    schema: Mapping[str, Any]
    plan: Planner
    kinds_module: str = ""
    definitions: Mapping[str, Any] = field(default_factory=dict)


CHECKS: Registry[CheckKind] = Registry("check kind")
FAMILIES: Registry[Family] = Registry("check family")
