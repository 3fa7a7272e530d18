#!/usr/bin/env python3
"""The mlgate GitHub Action: read the inputs, run the gate, publish, set outputs, exit.

GitHub passes a container action's inputs as `INPUT_<NAME>` environment variables, upper-cased
with hyphens kept (`INPUT_GITHUB-TOKEN`). Exit code: the gate's (0 passed, 1 failed), 2 for a
wrong input or configuration.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

CHOICES = {"comment": ("always", "on-failure", "never"), "fail-on": ("error", "warning", "never")}


class InputError(Exception):
    """An input that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Inputs:
    config: str
    token: str
    comment: str
    check_name: str
    fail_on: str
    working_directory: Path
    requirements: str
    report_dir: str


def raw_input(env: Mapping[str, str], name: str, default: str = "") -> str:
    """An input as GitHub passes it (`INPUT_GITHUB-TOKEN`; `_` accepted too), stripped."""
    key = "INPUT_" + name.upper()
    value = env.get(key)
    if value is None:
        value = env.get(key.replace("-", "_"))
    return (value if value is not None else default).strip()


def read_inputs(env: Mapping[str, str]) -> Inputs:
    """Validate every input; all problems are reported together."""
    problems: list[str] = []
    workspace = Path(env.get("GITHUB_WORKSPACE") or os.getcwd()).resolve()
    values = {
        name: raw_input(env, name, default)
        for name, default in [
            ("config", "mlgate.yml"),
            ("github-token", ""),
            ("comment", "always"),
            ("check-name", "mlgate"),
            ("fail-on", ""),
            ("working-directory", "."),
            ("requirements", ""),
            ("report-dir", "mlgate-report"),
        ]
    }
    for name, allowed in CHOICES.items():
        value = values[name]
        if value and value not in allowed:
            problems.append(f"input `{name}` must be one of {', '.join(allowed)} (got {value!r})")
    if not values["check-name"] or len(values["check-name"]) > 100 or "\n" in values["check-name"]:
        problems.append("input `check-name` must be one line of 1 to 100 characters")
    wd = (workspace / (values["working-directory"] or ".")).resolve()
    if not wd.is_dir():
        problems.append(
            f"input `working-directory`: {values['working-directory']!r} is not a "
            "directory in the repository (did you check it out with actions/checkout?)"
        )
    elif wd != workspace and workspace not in wd.parents:
        problems.append(
            "input `working-directory` must be inside the repository "
            f"(got {values['working-directory']!r})"
        )
    elif not (wd / values["config"]).is_file():
        where = "" if wd == workspace else f" in {values['working-directory']}"
        problems.append(f"input `config`: {values['config']!r} not found{where}")
    if not values["report-dir"] or Path(values["report-dir"]).is_absolute():
        problems.append("input `report-dir` must be a relative path")
    elif (wd / values["report-dir"]).exists() and not (wd / values["report-dir"]).is_dir():
        problems.append(f"input `report-dir`: {values['report-dir']!r} is a file, not a folder")
    if problems:
        raise InputError("\n".join(problems))
    return Inputs(
        config=values["config"],
        token=values["github-token"],
        comment=values["comment"],
        check_name=values["check-name"],
        fail_on=values["fail-on"],
        working_directory=wd,
        requirements=values["requirements"],
        report_dir=values["report-dir"],
    )


def pip_install(requirements: str, cwd: Path) -> None:
    """`requirements`: a requirements file (relative to the working directory) or specifiers."""
    if not requirements:
        return
    target = cwd / requirements
    args = (
        ["-r", str(target)]
        if "\n" not in requirements and target.is_file()
        else (shlex.split(requirements.replace("\n", " ")))
    )
    print(f"mlgate: installing {requirements}", flush=True)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "--root-user-action=ignore",
            *args,
        ],
        cwd=cwd,
        check=False,
    )
    if done.returncode != 0:
        raise InputError(f"input `requirements`: pip install failed (exit {done.returncode})")


def error(message: str) -> None:
    from mlgate.publish.workflow import command

    for line in message.splitlines():
        print(command("error", f"mlgate: {line}", title="mlgate input"), flush=True)


def main() -> int:
    try:
        inputs = read_inputs(os.environ)
    except InputError as exc:
        error(str(exc))
        return 2
    if inputs.token:
        from mlgate.publish.workflow import mask

        print(mask(inputs.token), flush=True)
    # the user's code (their tests, model, service) runs without the token in its environment,
    # and the action never lets a configuration read outside the repository
    for key in (*TOKEN_VARIABLES, *LOCAL_ONLY_VARIABLES):
        os.environ.pop(key, None)
    try:
        pip_install(inputs.requirements, inputs.working_directory)
    except InputError as exc:
        error(str(exc))
        return 2
    os.chdir(inputs.working_directory)
    return run_and_publish(inputs)


TOKEN_VARIABLES = ("INPUT_GITHUB-TOKEN", "INPUT_GITHUB_TOKEN", "GITHUB_TOKEN", "GH_TOKEN")
#: Options for local runs only (`mlgate run --allow-outside-workspace`): never in the action.
LOCAL_ONLY_VARIABLES = ("MLGATE_ALLOW_OUTSIDE_WORKSPACE",)


def gate_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment of the gate's process: no token, no local-only option."""
    hidden = {*TOKEN_VARIABLES, *LOCAL_ONLY_VARIABLES}
    return {k: v for k, v in environ.items() if k not in hidden}


def run_and_publish(inputs: Inputs) -> int:
    """The gate (reports written first), then publishing with the token; the gate's exit code.

    The gate runs the team's code (tests, models, services), so it runs in a child process whose
    environment holds no token; only this process, which runs none of that code, publishes.
    """
    from mlgate.publish import PublishOptions, publish
    from mlgate.results import Report

    report_json = Path(inputs.report_dir) / "report.json"
    try:
        report_json.unlink(missing_ok=True)  # never publish a report left by an earlier run
    except OSError as exc:
        error(f"input `report-dir`: cannot use {inputs.report_dir!r} ({exc.strerror or exc})")
        return 2
    args = [
        "run",
        "--config",
        inputs.config,
        "--report-dir",
        inputs.report_dir,
        "--publish",
        "none",
        "--comment",
        inputs.comment,
        "--check-name",
        inputs.check_name,
    ]
    if inputs.fail_on:
        args += ["--fail-on", inputs.fail_on]
    env = gate_environment(os.environ)
    code = run_forwarding_signals([sys.executable, "-m", "mlgate", *args], env)
    if not report_json.is_file():
        error(f"the gate did not produce a report (exit {code}); see the log above")
        return code if code in (1, 2) else 2  # killed (negative) or exit 0: never a pass
    if code not in (0, 1, 2):
        error(f"the gate was stopped (exit {code}); publishing its partial report")
    try:
        report = Report.load(report_json)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        error(f"the gate's report {report_json} cannot be read ({type(exc).__name__}: {exc})")
        return 2
    if inputs.token:
        os.environ["GITHUB_TOKEN"] = inputs.token
    publish(
        report,
        PublishOptions(
            mode="github",
            comment=inputs.comment,
            check_name=inputs.check_name,
            report_dir=Path(inputs.report_dir),
            template=_template(inputs.config),
        ),
    )
    return code


def run_forwarding_signals(argv: list[str], env: dict[str, str]) -> int:
    """Run the gate; SIGTERM/SIGINT (a cancelled job) are passed on to it, so it writes its
    partial report and stops its services. As a container's PID 1 this process would
    otherwise ignore them, and the gate would be killed with no report."""
    proc = subprocess.Popen(argv, env=env)

    def forward(signum: int, frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signum)

    old = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return proc.wait()
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _template(config: str) -> Path | None:
    try:
        from mlgate.config import load_config

        return load_config(config).report.template
    except Exception:  # the gate already reported a bad configuration
        return None


if __name__ == "__main__":
    sys.exit(main())
