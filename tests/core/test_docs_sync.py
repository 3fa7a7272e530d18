"""The README, the schema and CI agree: reference generated from the schema, two-command
quickstart, `.ci/run` runs the README's test command, every schema key is described."""

from __future__ import annotations

import re

from mlgate.config.reference import END, START, reference_rows, render_reference
from mlgate.config.schema import build_schema
from tests.conftest import REPO, UPDATE_GOLDEN

README = REPO / "README.md"


def quickstart_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the Quickstart has a bash block"
    return [ln for ln in block.group(1).splitlines() if ln.strip() and not ln.startswith("#")]


def test_readme_reference_is_generated_from_the_schema() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = text.index(START), text.index(END) + len(END) + 1
    expected = render_reference(build_schema())
    if UPDATE_GOLDEN:
        README.write_text(text[:start] + expected + text[end:], encoding="utf-8")
        return
    assert text[start:end] == expected, (
        "run: MLGATE_UPDATE_GOLDEN=1 pytest tests/core/test_docs_sync.py"
    )


def test_every_key_of_the_schema_is_described() -> None:
    undescribed = [path for path, _, text in reference_rows(build_schema()) if not text]
    assert undescribed == []


def test_quickstart_has_exactly_two_commands_and_ci_runs_the_second() -> None:
    commands = quickstart_commands()
    assert len(commands) == 2
    demo, tests = commands
    assert "mlgate run --config examples/credit/mlgate.yml" in demo
    assert "pytest" in tests
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci


def test_cli_commands_in_the_readme_exist() -> None:
    from mlgate.cli import _parser

    text = README.read_text(encoding="utf-8")
    sub = next(a for a in _parser()._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        assert f"mlgate {name}" in text
