"""action.yml, the workflows and the Dockerfile against their schemas and linters."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from .fake_github import CONTRACTS, REPO_ROOT

SCHEMAS = CONTRACTS / "schemas"
WORKFLOWS = sorted(
    [*REPO_ROOT.glob(".github/workflows/*.yml"), *REPO_ROOT.glob("examples/workflows/*.yml")]
)
INPUTS = {
    "config": "mlgate.yml",
    "github-token": "${{ github.token }}",
    "comment": "always",
    "check-name": "mlgate",
    "fail-on": "",
    "working-directory": ".",
    "requirements": "",
    "report-dir": "mlgate-report",
}
OUTPUTS = [
    "conclusion",
    "passed",
    "failed",
    "warnings",
    "errors",
    "skipped",
    "report-json",
    "report-markdown",
]


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def tool(name: str) -> str:
    """The linter's binary (from its PyPI wheel, next to this Python, or on PATH)."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed (pip install the `test` extra); cannot lint")
    return found


@pytest.mark.parametrize("path", ["action.yml", "composite/action.yml"])
def test_action_metadata_matches_the_schema_and_the_spec(path: str) -> None:
    schema = json.loads((SCHEMAS / "github-action.json").read_text())
    data = load(REPO_ROOT / path)
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(data)]
    assert errors == []
    assert {k: v.get("default", "") for k, v in data["inputs"].items() if k in INPUTS} == INPUTS
    assert set(INPUTS) <= set(data["inputs"])
    assert list(data["outputs"]) == OUTPUTS


def test_container_action_runs_the_dockerfile() -> None:
    runs = load(REPO_ROOT / "action.yml")["runs"]
    assert runs == {"using": "docker", "image": "Dockerfile"}
    assert load(REPO_ROOT / "action.yml")["branding"]["icon"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_match_the_schema(path: Path) -> None:
    schema = json.loads((SCHEMAS / "github-workflow.json").read_text())
    data = load(path)
    data = {("on" if k is True else k): v for k, v in data.items()}  # YAML 1.1 reads `on` as True
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(data)]
    assert errors == []


def test_the_project_runs_its_own_action_on_pull_requests() -> None:
    data = load(REPO_ROOT / ".github/workflows/mlgate.yml")
    steps = [s for job in data["jobs"].values() for s in job["steps"]]
    assert any(s.get("uses") == "./" for s in steps)
    assert "pull_request" in data[True]


def test_actionlint() -> None:
    binary = tool("actionlint")
    done = subprocess.run(
        [binary, "-no-color", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint() -> None:
    binary = tool("hadolint")
    done = subprocess.run(
        [binary, "--no-color", str(REPO_ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_dockerfile_shape() -> None:
    text = (REPO_ROOT / "Dockerfile").read_text()
    instructions = [line.split()[0] for line in text.splitlines() if re.match(r"^[A-Z]+\s", line)]
    assert "USER" not in instructions
    assert "WORKDIR" not in instructions
    assert re.search(r"^ARG PYTHON_IMAGE=python:\d+\.\d+\.\d+-slim", text, re.MULTILINE)
    assert re.findall(r"^FROM \S+", text, re.MULTILINE) == ["FROM ${PYTHON_IMAGE}"] * 2
    assert "COPY --from=build /opt/mlgate /opt/mlgate" in text  # no pip cache or build stage
    assert "requirements/action.txt" in text


def test_action_requirements_are_pinned() -> None:
    lines = [
        line.strip()
        for line in (REPO_ROOT / "requirements/action.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+!-]+", line) for line in lines), lines
    names = {line.split("==")[0].lower() for line in lines}
    assert {"pandas", "scikit-learn", "requests", "jinja2", "pyyaml"} <= names


def test_docs_list_every_input_and_output() -> None:
    text = (REPO_ROOT / "README.md").read_text()
    for name in [*INPUTS, *OUTPUTS]:
        assert f"| `{name}` |" in text, name
    assert "workflow_run" in text
    assert "pull_request" in text
