"""The release scheme: a version tag pins action.yml to the image the release pushed."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import jsonschema
import pytest
import yaml

from .fake_github import CONTRACTS, REPO_ROOT


def _pin_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "pin_action_image", REPO_ROOT / ".github/scripts/pin_action_image.py"
    )
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_released_action_yml_runs_the_published_image() -> None:
    pinned = _pin_module().pin(
        (REPO_ROOT / "action.yml").read_text(), "ghcr.io/MLGate/mlgate", "1.4.2"
    )
    data = yaml.safe_load(pinned)
    assert data["runs"] == {"using": "docker", "image": "docker://ghcr.io/mlgate/mlgate:1.4.2"}
    schema = json.loads((CONTRACTS / "schemas" / "github-action.json").read_text())
    assert [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(data)] == []
    # everything but the image line is unchanged
    before = (REPO_ROOT / "action.yml").read_text().splitlines()
    after = pinned.splitlines()
    assert [(a, b) for a, b in zip(before, after, strict=True) if a != b] == [
        ("  image: Dockerfile", "  image: docker://ghcr.io/mlgate/mlgate:1.4.2")
    ]


@pytest.mark.parametrize("version", ["v1.4.2", "1.4", "latest", "1.4.2; rm -rf /"])
def test_only_a_release_version_is_pinned(version: str) -> None:
    with pytest.raises(ValueError, match="not a release version"):
        _pin_module().pin("runs:\n  using: docker\n  image: Dockerfile\n", "ghcr.io/a/b", version)


def test_the_release_workflow_pushes_both_architectures_and_both_tags() -> None:
    text = (REPO_ROOT / ".github/workflows/release.yml").read_text()
    data = yaml.safe_load(text)
    assert data[True]["push"]["tags"] == ["v[0-9]+.[0-9]+.[0-9]+"]
    [build] = [s for s in data["jobs"]["image"]["steps"] if "build-push" in s.get("uses", "")]
    assert build["with"]["platforms"] == "linux/amd64,linux/arm64"
    assert build["with"]["push"] is True
    tags = build["with"]["tags"].strip().splitlines()
    assert tags == [
        "${{ steps.names.outputs.image }}:${{ steps.names.outputs.version }}",
        "${{ steps.names.outputs.image }}:${{ steps.names.outputs.major }}",
    ]
    assert "pin_action_image.py action.yml" in text


def test_main_keeps_building_from_the_dockerfile() -> None:
    assert yaml.safe_load((REPO_ROOT / "action.yml").read_text())["runs"]["image"] == "Dockerfile"
    assert Path(REPO_ROOT / "Dockerfile").is_file()
