"""The `mlgate` command line. Heavy libraries are imported only by the commands that need them."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlgate import __version__

if TYPE_CHECKING:
    from mlgate.errors import ConfigError
    from mlgate.results import Report

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


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
    run.add_argument("--show", action="store_true", help="print report.md when done")

    check = sub.add_parser("check-config", help="validate the configuration (exit 0 or 2)")
    check.add_argument("--config", default="mlgate.yml")

    schema = sub.add_parser("schema", help="print the configuration's JSON Schema")
    schema.add_argument(
        "--markdown", action="store_true", help="print the README's configuration reference"
    )

    init = sub.add_parser("init", help="write a starting mlgate.yml inferred from data")
    init.add_argument(
        "datasets", nargs="+", metavar="DATASET", help="data files (csv, parquet, ...)"
    )
    init.add_argument("--output", "-o", default="-", help="file to write (default: stdout)")

    pub = sub.add_parser("publish", help="post a report made earlier (e.g. from workflow_run)")
    pub.add_argument("report", help="report.json")
    pub.add_argument("--comment", choices=["always", "on-failure", "never"], default="always")
    pub.add_argument("--check-name", default="mlgate")
    return parser


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
        return 130


def _run(args: argparse.Namespace) -> int:
    from mlgate.errors import ConfigError
    from mlgate.publish import PublishOptions, publish
    from mlgate.report import write_reports
    from mlgate.report.terminal import render_terminal
    from mlgate.runner.run import GateStopped, run_gate

    report_dir = Path(args.report_dir)

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
    paths = write_reports(
        report,
        report_dir,
        template=config.report.template,
    )
    if args.show:
        print(paths["markdown"].read_text(encoding="utf-8"))
    print(render_terminal(report, str(report_dir)))
    publish(
        report,
        PublishOptions(
            mode=args.publish,
            comment=args.comment,
            check_name=args.check_name,
            report_dir=report_dir,
            template=config.report.template,
        ),
    )
    return EXIT_FAILED if report.conclusion == "failure" else EXIT_PASSED


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
    text = init_config([Path(p) for p in args.datasets])
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    return EXIT_PASSED


def _publish(args: argparse.Namespace) -> int:
    from mlgate.errors import UsageError
    from mlgate.publish import PublishOptions, publish
    from mlgate.results import Report

    path = Path(args.report)
    try:
        report = Report.load(path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{path}: not a readable mlgate report.json ({exc})") from None
    publish(
        report,
        PublishOptions(
            mode="github", comment=args.comment, check_name=args.check_name, report_dir=path.parent
        ),
    )
    return EXIT_FAILED if report.conclusion == "failure" else EXIT_PASSED
