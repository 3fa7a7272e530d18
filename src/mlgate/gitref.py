"""Reading files as of another commit (`ref: base`) with git."""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from mlgate.errors import CheckError

_materialized: list[Path] = []
_lock = threading.Lock()


def resolve_ref(ref: str, base_ref: str | None) -> str | None:
    """`base` means the PR's base commit; any other value is a git ref as written."""
    return base_ref if ref == "base" else ref


def commit_of(ref: str, cwd: Path) -> str | None:
    """The full sha `ref` (`HEAD~1`, a branch, a short sha) names in the clone at `cwd`, so a
    report says which commit it compared with; None when it names none (or git is missing)."""
    try:
        out = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=cwd)
    except CheckError:
        return None
    sha = out.decode().strip()
    return sha or None


def git_toplevel(path: Path) -> Path:
    out = _git(["rev-parse", "--show-toplevel"], cwd=path if path.is_dir() else path.parent)
    return Path(out.decode().strip())


def read_at_ref(path: Path, ref: str) -> bytes:
    """The bytes of `path` as of `ref`; a clear `CheckError` when git or the file is missing."""
    path = path.resolve()
    top = git_toplevel(path.parent if not path.is_dir() else path)
    rel = path.relative_to(top.resolve()).as_posix()
    _require_commit(ref, top)
    return _git(["show", f"{ref}:{rel}"], cwd=top)


def list_at_ref(folder: Path, ref: str) -> list[str]:
    """Paths (relative to the repository top) of the files under `folder` as of `ref`."""
    folder = folder.resolve()
    top = git_toplevel(folder)
    rel = folder.relative_to(top.resolve()).as_posix()
    _require_commit(ref, top)
    out = _git(["ls-tree", "-r", "--name-only", ref, "--", rel or "."], cwd=top)
    return [line for line in out.decode().splitlines() if line]


def materialize_at_ref(path: Path, ref: str, workdir: Path | None = None) -> Path:
    """Write `path` as of `ref` into a temporary file (same name) and return its path."""
    data = read_at_ref(path, ref)
    tmp = Path(tempfile.mkdtemp(prefix="mlgate-ref-", dir=workdir))
    with _lock:
        if not _materialized:
            atexit.register(remove_materialized)
        _materialized.append(tmp)
    out = tmp / path.name
    out.write_bytes(data)
    return out


def remove_materialized() -> None:
    """Delete every file written by `materialize_at_ref` (at the end of a run, and at exit)."""
    with _lock:
        folders = list(_materialized)
        _materialized.clear()
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def _require_commit(ref: str, top: Path) -> None:
    """A clear error when `ref` names no commit of this clone (git's own message would say
    the file is not in that commit, which is misleading for a shallow checkout)."""
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=top)
    except CheckError:
        raise CheckError(
            f"git ref {ref!r} is not a commit in this clone (a typo, or a shallow checkout "
            "without it: use actions/checkout with `fetch-depth: 0`, or `git fetch` it)"
        ) from None


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        # safe.directory: in a container action the workspace belongs to the runner's user,
        # not to root, and git would refuse it as "dubious ownership"
        done = subprocess.run(
            ["git", "-c", "safe.directory=*", *args],
            cwd=cwd,
            capture_output=True,
            check=False,
            timeout=120,
        )
    except FileNotFoundError:
        raise CheckError("`ref:` needs git, which is not installed") from None
    if done.returncode != 0:
        msg = done.stderr.decode(errors="replace").strip().splitlines()
        last = msg[-1] if msg else "no output"
        if "not a git repository" in last:
            raise CheckError(
                f"`ref:` reads files from git history, but {cwd} is not in a git repository "
                "(in GitHub Actions: check out with actions/checkout and `fetch-depth: 0`)"
            )
        raise CheckError(f"git {' '.join(args[:2])} failed: {last}")
    return done.stdout
