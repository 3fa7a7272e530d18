"""A CSV of `;` (tab, `|`) read with `,` is one column named after the whole header: each missing
column says so and which option reads it, on every engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlgate.data.backend import missing_column
from tests.data.helpers import run_gate


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_a_semicolon_csv_read_with_commas_names_its_delimiter(tmp_path: Path, engine: str) -> None:
    if engine == "duckdb":
        pytest.importorskip("duckdb")
    (tmp_path / "t.csv").write_text("id;ville_é;prix€\n1;Zürich;58.2\n2;Lyon;49.9\n")
    (tmp_path / "mlgate.yml").write_text(
        f"version: 1\ngate: {{engine: {engine}}}\ndatasets:\n  t: {{path: t.csv}}\n"
        "data:\n  - dataset: t\n    unique: id\n    columns:\n      id: {type: integer}\n"
        "      prix: {min: 0}\n    rules:\n      - {name: r, expr: 'id > 0'}\n"
    )
    code, checks = run_gate(tmp_path)
    hint = (
        "the file was read as one column `id;ville_é;prix€`: is its delimiter `;`? add "
        '`options: {sep: ";"}`'
    )
    assert {k: (c["status"], c["message"]) for k, c in checks.items()} == {
        "data/t/unique": ("failed", f"column `id` is not in the dataset: {hint}"),
        "data/t/columns/id/type": ("failed", f"column `id` is not in the dataset: {hint}"),
        "data/t/columns/prix/min": ("failed", f"column `prix` is not in the dataset: {hint}"),
        "data/t/rules/r": ("failed", f"column `id` is not in the dataset: {hint}"),
    }
    assert code == 1
    config = (tmp_path / "mlgate.yml").read_text()
    (tmp_path / "mlgate.yml").write_text(
        config.replace("{path: t.csv}", "{path: t.csv, options: {sep: ';'}}").replace(
            "prix:", "prix€:"
        )
    )
    code, checks = run_gate(tmp_path)
    assert code == 0, checks


@pytest.mark.parametrize(
    ("header", "shown"), [("a\tb\tc", "\\t"), ("a|b|c", "|"), ("x;a b;c", ";")]
)
def test_the_hint_names_the_delimiter_in_the_one_column(header: str, shown: str) -> None:
    assert missing_column("a", [header]) == (
        f"column `a` is not in the dataset: the file was read as one column `{header}`: is its "
        f'delimiter `{shown}`? add `options: {{sep: "{shown}"}}`'
    )


def test_no_hint_without_a_delimiter_or_when_the_column_is_not_in_the_header() -> None:
    assert missing_column("a", ["a;b", "c"]) == "column `a` is not in the dataset"
    assert missing_column("z", ["a;b"]) == "column `z` is not in the dataset"
    assert missing_column("Recrods", ["Records"]) == (
        "column `Recrods` is not in the dataset (did you mean `Records`?)"
    )


def test_a_long_header_is_shortened() -> None:
    header = ";".join(f"column_{i}" for i in range(20))
    message = missing_column("column_3", [header])
    assert f"one column `{header[:59]}…`: is its delimiter `;`?" in message
