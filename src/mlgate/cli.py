"""The `mlgate` command line. Heavy libraries are imported only by the commands that need them."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from mlgate import __version__
from mlgate.errors import MlgateError

if TYPE_CHECKING:
    from mlgate.errors import ConfigError
    from mlgate.results import Report

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlgate",
        description="Gate pull requests on data, model and API quality.",
        epilog="Exit codes: 0 the gate passed, 1 it failed, 2 the configuration or the "
        "command line is wrong.",
    )
    parser.add_argument("--version", action="version", version=f"mlgate {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="run the gate and write the reports")
    run.add_argument("--config", default="mlgate.yml", help="the configuration (mlgate.yml)")
    run.add_argument("--report-dir", default="mlgate-report", help="where the reports go")
    run.add_argument("--base-ref", default=None, help="the base commit for `ref: base`")
    run.add_argument(
        "--publish",
        choices=["auto", "github", "none"],
        default="auto",
        help="auto: to GitHub when in GitHub Actions with a token (default)",
    )
    run.add_argument("-k", dest="select", default=None, help="only checks matching this expression")
    run.add_argument(
        "--fail-on",
        choices=["error", "warning", "never"],
        default=None,
        help="override gate.fail_on",
    )
    run.add_argument(
        "--comment",
        choices=["always", "on-failure", "never"],
        default="always",
        help="when to post the PR comment",
    )
    run.add_argument("--check-name", default="mlgate", help="name of the check run")
    run.add_argument("--show", action="store_true", help="print the whole report when done")
    _allow_outside(run)

    check = sub.add_parser("check-config", help="validate the configuration (exit 0 or 2)")
    check.add_argument("--config", default="mlgate.yml")
    _allow_outside(check)

    schema = sub.add_parser("schema", help="print the configuration's JSON Schema")
    schema.add_argument(
        "--markdown", action="store_true", help="print the README's configuration reference"
    )

    init = sub.add_parser("init", help="write a starting mlgate.yml inferred from data")
    init.add_argument("data", metavar="DATA", help="the data file to gate (csv, parquet, ...)")
    init.add_argument(
        "reference",
        nargs="?",
        metavar="REFERENCE",
        help="learn the checks from this file (e.g. the training data); DATA gets drift against it",
    )
    init.add_argument(
        "--output",
        "-o",
        default="-",
        help="file (or folder, for mlgate.yml in it) to write; default: stdout",
    )

    pub = sub.add_parser("publish", help="post a report made earlier (e.g. from workflow_run)")
    pub.add_argument("report", help="report.json")
    pub.add_argument("--comment", choices=["always", "on-failure", "never"], default="always")
    pub.add_argument("--check-name", default="mlgate")
    return parser


def _allow_outside(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--allow-outside-workspace",
        action="store_true",
        help="local runs: let paths in the configuration point outside the repository "
        "(the GitHub Action never does)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    from mlgate.errors import ConfigError, MlgateError

    try:
        handler = {
            "run": _run,
            "check-config": _check_config,
            "schema": _schema,
            "init": _init,
            "publish": _publish,
        }[args.command]
        with _outside_allowed(getattr(args, "allow_outside_workspace", False)):
            return handler(args)
    except ConfigError as exc:
        print("mlgate: the configuration is invalid:", file=sys.stderr)
        for issue in exc.issues:
            print(f"  {issue}", file=sys.stderr)
        return EXIT_USAGE
    except MlgateError as exc:
        print(f"mlgate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("mlgate: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def command() -> NoReturn:
    """The `mlgate` program (and `python -m mlgate`): `main`, then `exit_now`."""
    exit_now(main())


def exit_now(code: int) -> NoReturn:
    """End the process with `code` without tearing the interpreter down.

    Freeing the modules of pytest, pandas, pyarrow and DuckDB one object at a time takes
    0.1-0.2 s after a run, and nothing depends on it: the reports are written and closed; the
    exit handlers run first (temporary folders, logging) and the output is flushed. While a
    thread that is not a daemon still runs, or under a profiler or tracer (cProfile, coverage,
    a debugger: they write their results after the program), the usual exit happens instead."""
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    busy = any(t.is_alive() and not t.daemon for t in others)
    if busy or sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe: nothing more can be said
            stream.flush()
    os._exit(code)


@contextlib.contextmanager
def _outside_allowed(allow: bool) -> Iterator[None]:
    """`--allow-outside-workspace` for this command only (read by `mlgate.paths`)."""
    from mlgate.paths import ALLOW_ENV

    if not allow:
        yield
        return
    old = os.environ.get(ALLOW_ENV)
    os.environ[ALLOW_ENV] = "1"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(ALLOW_ENV, None)
        else:
            os.environ[ALLOW_ENV] = old


def _run(args: argparse.Namespace) -> int:
    from mlgate.errors import ConfigError, UsageError
    from mlgate.report import write_reports
    from mlgate.report.terminal import render_terminal
    from mlgate.runner.run import GateStopped, run_gate

    report_dir = Path(args.report_dir)
    usable_report_dir(report_dir)

    def write_partial(partial: Report) -> None:  # the watchdog's last act before it exits
        write_reports(partial, report_dir)
        print(render_terminal(partial, str(report_dir)), flush=True)

    try:
        config, report = run_gate(
            args.config,
            base_ref=args.base_ref,
            select=args.select,
            fail_on=args.fail_on,
            on_abort=write_partial,
        )
    except ConfigError as exc:
        _report_config_error(exc, args, report_dir)
        raise
    except GateStopped as stopped:  # SIGTERM/SIGINT: the partial report, then 128 + signal
        write_reports(stopped.report, report_dir, template=stopped.config.report.template)
        print(render_terminal(stopped.report, str(report_dir)))
        print(f"mlgate: the run was stopped; partial report in {report_dir}", file=sys.stderr)
        return stopped.exit_code
    template = config.report.template
    try:
        write_reports(report, report_dir, template=template)
    except OSError as exc:
        raise UsageError(
            f"--report-dir {report_dir}: cannot write the report ({exc.strerror or exc})"
        ) from None
    except ConfigError as exc:  # the template failed: the built-in report is written instead
        write_reports(report, report_dir)
        _show_and_publish(args, report, None)
        note = f" (the built-in report was written to {report_dir} instead)"
        raise ConfigError([exc.issues[0] + note, *exc.issues[1:]]) from None
    _show_and_publish(args, report, template)
    return EXIT_FAILED if report.conclusion == "failure" else EXIT_PASSED


def _show_and_publish(args: argparse.Namespace, report: Report, template: Path | None) -> None:
    from mlgate.publish import PublishOptions, publish
    from mlgate.report.markdown import render_markdown
    from mlgate.report.terminal import render_terminal

    report_dir = Path(args.report_dir)
    if args.show:  # the same report, as plain text: nothing escaped for Markdown
        try:
            print(render_markdown(report, template, plain=True))
        except MlgateError:  # the template failed: it is reported once, by the caller
            print(render_markdown(report, None, plain=True))
    print(render_terminal(report, str(report_dir)))
    publish(
        report,
        PublishOptions(
            mode=args.publish,
            comment=args.comment,
            check_name=args.check_name,
            report_dir=report_dir,
            template=template,
        ),
    )


def usable_report_dir(report_dir: Path) -> None:
    """`--report-dir` must be a folder we can write, checked before the gate runs."""
    from mlgate.errors import UsageError

    if report_dir.exists() and not report_dir.is_dir():
        raise UsageError(f"--report-dir {report_dir}: is a file, not a folder")
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"--report-dir {report_dir}: cannot create it ({exc.strerror or exc})"
        ) from None
    if not os.access(report_dir, os.W_OK | os.X_OK):
        raise UsageError(f"--report-dir {report_dir}: not writable")


def _report_config_error(exc: ConfigError, args: argparse.Namespace, report_dir: Path) -> None:
    """A broken configuration is a report too: one `config` error per problem, at its line, so
    in CI the check run fails with annotations instead of never arriving."""
    from mlgate.publish import PublishOptions, publish
    from mlgate.report import write_reports
    from mlgate.runner.run import config_error_report

    report = config_error_report(exc.issues, config_file=args.config)
    write_reports(report, report_dir)
    publish(
        report,
        PublishOptions(
            mode=args.publish,
            comment=args.comment,
            check_name=args.check_name,
            report_dir=report_dir,
        ),
    )


def _check_config(args: argparse.Namespace) -> int:
    from mlgate.config import load_config

    config = load_config(args.config)
    n = len(config.checks)
    print(f"{config.document.display_name}: valid ({n} check{'s' if n != 1 else ''} declared)")
    return EXIT_PASSED


def _schema(args: argparse.Namespace) -> int:
    from mlgate.config.schema import build_schema

    if args.markdown:
        from mlgate.config.reference import render_reference

        print(render_reference(build_schema()), end="")
    else:
        print(json.dumps(build_schema(), indent=2))
    return EXIT_PASSED


def _init(args: argparse.Namespace) -> int:
    from mlgate.errors import UsageError

    try:
        from mlgate.data.init import init_config
    except ImportError:
        raise UsageError("`mlgate init` is not available in this build") from None
    inputs = [Path(p) for p in (args.data, args.reference) if p is not None]
    if args.output == "-":
        sys.stdout.write(init_config(inputs))
        return EXIT_PASSED
    out = _init_output(args.output, inputs)
    text = init_config(inputs, config_dir=out.parent)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{out}: cannot write it: {exc.strerror or exc}") from None
    print(f"wrote {out}")
    return EXIT_PASSED


def _init_output(output: str, inputs: list[Path]) -> Path:
    """The file `init -o` writes: `mlgate.yml` inside a folder; never one of the data files."""
    from mlgate.errors import UsageError

    out = Path(output)
    if out.is_dir() or output.endswith(("/", "\\")):
        out = out / "mlgate.yml"
    if any(out.resolve() == p.resolve() for p in inputs):
        raise UsageError(f"{out}: is one of the data files; give another file to write")
    if out.is_dir():
        raise UsageError(f"{out}: is a folder; give a file to write")
    return out


def _publish(args: argparse.Namespace) -> int:
    from mlgate.errors import UsageError
    from mlgate.publish import PublishOptions, publish
    from mlgate.results import Report

    path = Path(args.report)
    try:
        report = Report.load(path)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        why = f"{type(exc).__name__}: {exc}" if isinstance(exc, (KeyError, AttributeError)) else exc
        raise UsageError(f"{path}: not a valid mlgate report.json ({why})") from None
    publish(
        report,
        PublishOptions(
            mode="github", comment=args.comment, check_name=args.check_name, report_dir=path.parent
        ),
    )
    return EXIT_FAILED if report.conclusion == "failure" else EXIT_PASSED
