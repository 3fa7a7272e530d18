"""What a user trial on data of its own found: messages that contradicted themselves and an
empty reference that let drift pass."""

from __future__ import annotations

from pathlib import Path

from tests.data.helpers import run_gate


def test_quoted_numbers_in_allowed_say_why_nothing_matches(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("n\n1\n2\n2\n100\n7\n")
    entry = '    columns: {n: {allowed: ["1", "2", "100", "7", 5]}}\n'
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\ndatasets:\n  t: {path: t.csv}\n  p: {path: t.csv, engine: pandas}\n"
        f"data:\n  - dataset: t\n{entry}  - dataset: p\n{entry}"
    )
    _, checks = run_gate(tmp_path)
    for name in ("t", "p"):
        check = checks[f"data/{name}/columns/n/allowed"]
        assert check["status"] == "failed"
        assert check["message"] == (
            "5 of 5 non-missing values (100%) are not in [1, 2, 100, 7, 5]; most frequent "
            "offending values: `2` ×2, `1` ×1, `100` ×1, `7` ×1 (the list holds text ('1', '2', "
            "'100', …) and `n` holds numbers, which never equal text: write them unquoted, as in "
            "[1, 2])"
        )


def test_an_empty_reference_is_an_error_not_a_passing_drift(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("n\n" + "".join(f"{i}\n" for i in range(50)))
    (tmp_path / "empty.csv").write_text("n\n")
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\ndatasets:\n  t: {path: t.csv}\n  e: {path: empty.csv}\n"
        "data:\n  - dataset: t\n    drift: {reference: e}\n"
        "  - dataset: t\n    name: one\n    drift: {reference: e, columns: [n]}\n"
    )
    code, checks = run_gate(tmp_path)
    assert code == 1
    assert {cid: (c["status"], c["message"]) for cid, c in checks.items()} == dict.fromkeys(
        ["data/t/drift", "data/one/drift/n"],
        ("error", "the reference `e` has no rows: there is nothing to compare with"),
    )
