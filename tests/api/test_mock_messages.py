"""A mock that cannot be patched says which mock (its service, its index, its target)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.helpers import SERVICES, run_gate


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("svc.nosuch.fetch", "AttributeError: module 'svc' has no attribute 'nosuch'"),
        ("svc.db.no_such_function", "AttributeError: "),
        ("nosuchpackage.fetch", "ModuleNotFoundError: No module named 'nosuchpackage'"),
    ],
)
def test_a_bad_mock_target_names_the_mock(tmp_path: Path, target: str, why: str) -> None:
    model = tmp_path / "m.bin"
    model.write_text("x", encoding="utf-8")
    code, checks = run_gate(
        tmp_path,
        f"""
        version: 1
        api:
          - name: svc
            app: svc.app:app
            cwd: {SERVICES}
            env: {{MODEL_PATH: {model}}}
            mocks:
              - {{target: svc.db.fetch_customer, return: {{id: 1}}}}
              - {{target: {target}, return: 1}}
            requests: [{{name: health, path: /health}}]
        """,
    )
    assert code == 1
    check = checks["api/svc/requests/health"]
    assert check["status"] == "error"
    assert check["message"].startswith(
        f"service 'svc': mocks[1]: target {target!r} cannot be patched: "
    )
    assert why in check["message"]
