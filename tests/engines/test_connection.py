"""Connection strings: `${VAR}` from the environment, and never shown whole."""

from __future__ import annotations

import pytest

from mlgate.engines.connection import expand, redact, scrub, secrets_of
from mlgate.errors import CheckError


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://gate:pw@db.internal:5432/risk?password=x", "postgresql://db.internal:5432/risk"),
        ("postgresql://gate@db/risk", "postgresql://db/risk"),
        ("sc://spark-connect.internal:15002/;token=abc", "sc://spark-connect.internal:15002/"),
    ],
)  # fmt: skip
def test_a_connection_is_shown_without_user_password_or_token(url: str, shown: str) -> None:
    assert redact(url) == shown


def test_secrets_are_scrubbed_from_a_message() -> None:
    url = "postgresql://gate:pw123@h/db?password=other9"
    text = scrub(f"cannot connect to {url}: bad password pw123 (other9)", secrets_of(url))
    assert "pw123" not in text
    assert "other9" not in text
    assert "gate:" not in text


def test_variables_expand_and_a_missing_one_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLGATE_PW", "s3cret")
    assert expand("postgresql://u:${MLGATE_PW}@h/db", "d") == "postgresql://u:s3cret@h/db"
    monkeypatch.delenv("MLGATE_PW")
    with pytest.raises(CheckError, match="MLGATE_PW"):
        expand("postgresql://u:${MLGATE_PW}@h/db", "d")
