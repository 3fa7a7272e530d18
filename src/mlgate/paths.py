"""Keeping the files a configuration names inside the workspace.

A configuration comes with the pull request, so it must not make the gate read (and show in the
PR comment) files outside the repository: `path: ../../../../etc/passwd`, a template symlinked
to `/etc/passwd`. Every path key (datasets, models, `report.template`, shadow `traffic`,
`pytest.paths`, an api `cwd`) is resolved, symlinks and `..` included, and must stay inside the
workspace:

1. `GITHUB_WORKSPACE`, when the configuration lies inside it (in GitHub Actions);
2. else the top folder of the git repository that holds the configuration;
3. else the configuration's own folder.

For local runs `mlgate run --allow-outside-workspace` (or `MLGATE_ALLOW_OUTSIDE_WORKSPACE=1`)
lifts the rule; the GitHub Action never does.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import TYPE_CHECKING

from mlgate.errors import CheckError

if TYPE_CHECKING:
    from mlgate.config.model import Config

ALLOW_ENV = "MLGATE_ALLOW_OUTSIDE_WORKSPACE"
ALLOW_HINT = "for a local run, `mlgate run --allow-outside-workspace` allows it"


class OutsideWorkspaceError(CheckError):
    """A path that resolves outside the workspace."""


def allowed_outside() -> bool:
    """Whether this run may read outside the workspace (`--allow-outside-workspace`)."""
    return os.environ.get(ALLOW_ENV, "").strip().lower() in ("1", "true", "yes")


def workspace_of(config_path: Path) -> Path:
    """The folder every path of the configuration at `config_path` must stay in."""
    folder = config_path.resolve().parent
    github = os.environ.get("GITHUB_WORKSPACE", "").strip()
    if github:
        ws = Path(github).resolve()
        if folder == ws or ws in folder.parents:
            return ws
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def is_url(text: str) -> bool:
    """`s3a://…`, `https://…`: not a local file, nothing to contain."""
    return "://" in text


def check_inside(relative: str, root: Path, workspace: Path) -> None:
    """Raise `OutsideWorkspaceError` when `relative` (resolved against `root`, symlinks
    followed; for a glob, the folder before its first wildcard) lies outside `workspace`."""
    if is_url(relative):
        return
    path = Path(relative).expanduser() if relative.startswith("~") else Path(relative)
    path = path if path.is_absolute() else root / path
    if glob.has_magic(relative):
        path = glob_root(path)
    require_inside(path, workspace, shown=relative)


def require_inside(path: Path, workspace: Path, *, shown: str | None = None) -> Path:
    """`path` resolved (symlinks followed); `OutsideWorkspaceError` when outside `workspace`."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise OutsideWorkspaceError(f"{shown or path}: cannot be resolved ({exc})") from None
    ws = workspace.resolve()
    if real == ws or ws in real.parents:
        return real
    name = shown if shown is not None else str(path)
    via = "" if real == Path(os.path.abspath(path)) else f", it resolves to {real}"
    raise OutsideWorkspaceError(
        f"{name!r} is outside the workspace ({_shown(ws)}{via}): files must be inside the "
        f"repository; {ALLOW_HINT}"
    )


def inside_workspace(config: Config, path: Path, what: str) -> Path:
    """At run time (a glob's matches, a file swapped for a symlink): `path` as given, or a
    `CheckError` naming `what` when it resolves outside the configuration's workspace."""
    if config.workspace is None:
        return path
    try:
        require_inside(path, config.workspace, shown=_relative(path, config.root))
    except OutsideWorkspaceError as exc:
        raise OutsideWorkspaceError(f"{what}: {exc}") from None
    return path


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _shown(folder: Path) -> str:
    """The workspace as the user sees it from the current folder."""
    try:
        rel = os.path.relpath(folder)
    except ValueError:  # another drive
        return str(folder)
    return "the current folder" if rel == "." else rel


def glob_root(path: Path) -> Path:
    """The folder of a glob before its first wildcard (`data/*/x.csv` -> `data`)."""
    parts: list[str] = []
    for part in path.parts:
        if glob.has_magic(part):
            break
        parts.append(part)
    return Path(*parts)
