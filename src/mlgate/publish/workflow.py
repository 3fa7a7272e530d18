"""GitHub Actions workflow commands, step outputs and the job summary, escaped properly."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

from mlgate.publish.limits import SUMMARY_MAX_BYTES, fit, utf8_bytes
from mlgate.report.text import clean_xml_text


def escape_data(text: str) -> str:
    """A command's message: `%`, CR and LF escaped so it stays one line and one command."""
    text = clean_xml_text(text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value (`file=`, `title=`): also `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **props: str | int | None) -> str:
    """`::name k=v,...::message` with every part escaped (untrusted text cannot inject)."""
    shown = ",".join(
        f"{k}={escape_property(str(v))}" for k, v in props.items() if v is not None and v != ""
    )
    return f"::{name}{' ' + shown if shown else ''}::{escape_data(message)}"


def mask(value: str) -> str:
    """The command that hides `value` in every later log line."""
    return f"::add-mask::{escape_data(value)}"


def write_outputs(path: str | Path, outputs: Mapping[str, str]) -> None:
    """Append outputs to `GITHUB_OUTPUT` with the multi-line delimiter syntax."""
    lines: list[str] = []
    for name, value in outputs.items():
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
        while delimiter in value:  # pragma: no cover - a uuid will not be in the value
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
        lines += [f"{name}<<{delimiter}", value, delimiter]
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def append_summary(path: str | Path, markdown: str, note: str) -> str:
    """Append Markdown to `GITHUB_STEP_SUMMARY`, fitted into what is left of its 1 MiB."""
    target = Path(path)
    used = target.stat().st_size if target.exists() else 0
    text = fit(markdown, max(0, SUMMARY_MAX_BYTES - used - 1), note, utf8_bytes)
    with target.open("a", encoding="utf-8") as fh:
        fh.write(text if text.endswith("\n") else text + "\n")
    return text


def print_commands(lines: Iterable[str]) -> None:
    for line in lines:
        print(line, flush=True)
