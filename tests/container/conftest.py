"""The action's image, built from the Dockerfile and run as GitHub runs a container action.

Skipped, with the reason, where no Docker engine answers or the base image can be neither found
nor pulled (on these machines `.ci/run` starts an engine and builds a local stand-in of the base).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.github.conftest import fake  # noqa: F401 - the fake GitHub API, shared

IMAGE = os.environ.get("MLGATE_TEST_IMAGE", "mlgate-action:test")


def _docker(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def _base_image() -> str:
    for line in (REPO / "Dockerfile").read_text().splitlines():
        if line.startswith("ARG PYTHON_IMAGE="):
            return line.split("=", 1)[1].strip()
    raise AssertionError("the Dockerfile names no PYTHON_IMAGE")


def _why_no_docker() -> str | None:
    if shutil.which("docker") is None:
        return "no docker command on this machine"
    try:
        info = _docker("info", "--format", "{{.ServerVersion}}", timeout=20)
    except subprocess.TimeoutExpired:
        return "the Docker engine did not answer in 20 s"
    if info.returncode != 0:
        return f"no Docker engine reachable: {info.stderr.strip().splitlines()[-1:]}"
    base = _base_image()
    if _docker("image", "inspect", base).returncode != 0:
        try:
            pulled = _docker("pull", base, timeout=300)
        except subprocess.TimeoutExpired:
            return f"the base image {base} is not here and pulling it timed out"
        if pulled.returncode != 0:
            return (
                f"the base image {base} is not here and cannot be pulled "
                "(tests/container/stand-in-base-image.sh builds a local stand-in)"
            )
    return None


@pytest.fixture(scope="session")
def image() -> str:
    """The action's image, built once per session with the engine's layer cache."""
    why = _why_no_docker()
    if why:
        pytest.skip(why)
    built = _docker("build", "--network", "host", "--tag", IMAGE, str(REPO), timeout=1800)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return IMAGE


@pytest.fixture
def runner_dirs(tmp_path: Path) -> dict[str, Path]:
    """The runner's folders that GitHub mounts into the container, owned by its user (1001)."""
    dirs = {
        "workspace": tmp_path / "work" / "repo" / "repo",
        "home": tmp_path / "work" / "_temp" / "_github_home",
        "workflow": tmp_path / "work" / "_temp" / "_github_workflow",
        "file_commands": tmp_path / "work" / "_temp" / "_runner_file_commands",
    }
    for path in dirs.values():
        path.mkdir(parents=True)
    return dirs
