"""A user's report template, rendered in a child process within a budget.

Jinja2's sandbox keeps a template away from Python, but not from looping 10¹⁰ times or
building a string of gigabytes. So `report.template` is rendered by `python -m
mlgate.report.sandbox` in a child process with no token in its environment, a memory limit
(`MEMORY_BYTES`), a wall-clock budget (`TIME_BUDGET_S`) and the output cap of
`render_template`; past any of them the template is a configuration error (and the caller
writes the built-in report instead).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

from mlgate.errors import ConfigError
from mlgate.results import Report

TIME_BUDGET_S = 30.0
MEMORY_BYTES = 2 << 30
_SECRETS = ("GITHUB_TOKEN", "GH_TOKEN", "INPUT_GITHUB-TOKEN", "INPUT_GITHUB_TOKEN")


def render_in_child(
    report: Report,
    template: Path,
    sections: list[str],
    *,
    link_base: str | None = None,
    plain: bool = False,
) -> str:
    """`render_template` on `template` in a child process; any failure is a `ConfigError`."""
    job = {
        "report": report.to_dict(),
        "template": str(template),
        "sections": sections,
        "link_base": link_base,
        "plain": plain,
    }
    env = {k: v for k, v in os.environ.items() if k not in _SECRETS}
    here = str(Path(__file__).resolve().parents[2])  # this mlgate, whatever sys.path says
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mlgate.report.sandbox"],
            input=json.dumps(job, default=str),
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
            timeout=TIME_BUDGET_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ConfigError(
            [
                f"{template}: report.template took more than {TIME_BUDGET_S:g} s to render "
                "(a loop too long?)"
            ]
        ) from None
    if done.returncode == 0:
        return done.stdout
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    if done.returncode == _TEMPLATE_ERROR and lines:
        raise ConfigError([lines[-1]])
    why = "out of memory" if "MemoryError" in done.stderr else f"exit {done.returncode}"
    raise ConfigError(
        [f"{template}: report.template cannot be rendered ({why}; a loop or a string too big?)"]
    )


_TEMPLATE_ERROR = 3


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # not on this platform: the time budget still holds
        return
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def _child() -> int:
    from mlgate.report.markdown import render_template

    _limit_memory()
    job = json.loads(sys.stdin.read())
    report = Report.from_dict(job["report"])
    try:
        text = render_template(
            report,
            Path(job["template"]),
            list(job["sections"]),
            link_base=job["link_base"],
            plain=bool(job["plain"]),
        )
    except ConfigError as exc:
        print(exc.issues[0] if exc.issues else str(exc), file=sys.stderr)
        return _TEMPLATE_ERROR
    except MemoryError:
        print(f"{job['template']}: report.template ran out of memory", file=sys.stderr)
        return _TEMPLATE_ERROR
    except Exception as exc:  # RecursionError of a recursive macro, ...
        why = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        print(f"{job['template']}: report.template cannot be rendered: {why}", file=sys.stderr)
        return _TEMPLATE_ERROR
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(_child())
