"""Every invalid configuration in tests/corpus/invalid gives exactly its golden error text."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlgate.cli import main
from tests.conftest import REPO, assert_golden

CORPUS = REPO / "tests" / "corpus" / "invalid"
CASES = sorted(CORPUS.glob("*.yml"))


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_invalid_config_exits_2_with_its_message(
    case: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CORPUS)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(REPO))  # the workspace, with or without .git
    monkeypatch.delenv("MLGATE_ALLOW_OUTSIDE_WORKSPACE", raising=False)
    code = main(["check-config", "--config", case.name])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert case.name in err  # every message names the file
    assert_golden(err, case.with_suffix(".expected"))
