"""Processes the run started must not outlive it, even those that left their process group.

A service may start helpers that call `setsid` (or `start_new_session`) and double-fork, so
killing the service's process group misses them and they are re-parented away. Two nets:

- every process a service starts carries a marker in its environment (inherited by whatever it
  starts in turn); `kill_marked` finds them all through `/proc` and kills them;
- during `mlgate run` the process is a child subreaper (`PR_SET_CHILD_SUBREAPER`, Linux), so
  orphans of anything it started become its children instead of init's; `adopted_orphans`
  kills and reaps every descendant that was not there when the run began.

Without `/proc` (not Linux) both do nothing; the process-group kill still applies.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import time
from collections.abc import Iterable, Iterator
from typing import Any

PR_SET_CHILD_SUBREAPER = 36
PR_GET_CHILD_SUBREAPER = 37
MARKER = "MLGATE_SERVICE_ID"


def _prctl(option: int, value: Any) -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return int(libc.prctl(option, value, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def is_subreaper() -> bool:
    flag = ctypes.c_int(0)
    return _prctl(PR_GET_CHILD_SUBREAPER, ctypes.pointer(flag)) and flag.value != 0


def set_subreaper(on: bool) -> bool:
    """Make this process the reaper of its descendants' orphans; False where impossible."""
    return _prctl(PR_SET_CHILD_SUBREAPER, 1 if on else 0)


def _stat(pid: str) -> tuple[int, str] | None:
    """(parent pid, start time) of a process, None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()
    if len(fields) < 20:
        return None
    return int(fields[1]), fields[19]


def descendants(root: int) -> dict[int, str]:
    """Every process below `root` (pid -> start time, so a reused pid is not mistaken)."""
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return {}
    children: dict[int, list[tuple[int, str]]] = {}
    for entry in entries:
        stat = _stat(entry)
        if stat is not None:
            children.setdefault(stat[0], []).append((int(entry), stat[1]))
    out: dict[int, str] = {}
    todo = [root]
    while todo:
        for pid, start in children.get(todo.pop(), []):
            if pid not in out:
                out[pid] = start
                todo.append(pid)
    return out


def marked(marker: str) -> list[int]:
    """Processes whose environment holds `MLGATE_SERVICE_ID=marker`."""
    needle = f"{MARKER}={marker}".encode()
    found = []
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return []
    for entry in entries:
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                env = f.read()
        except OSError:
            continue
        if needle in env.split(b"\0"):
            found.append(int(entry))
    return found


def kill_all(pids: Iterable[int], grace: float = 2.0) -> None:
    """SIGTERM, then SIGKILL what is still there after `grace` s; reap our own children."""
    pids = [p for p in pids if p != os.getpid()]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        end = time.monotonic() + (grace if sig == signal.SIGTERM else 2.0)
        while pids and time.monotonic() < end:
            reap(pids)
            pids = [p for p in pids if _running(p)]
            if pids:
                time.sleep(0.02)
    reap(pids)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rpartition(b")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state not in (b"Z", b"X")


def reap(pids: Iterable[int]) -> None:
    """Collect the exit status of those of `pids` that are our (exited) children."""
    for pid in pids:
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)


def kill_marked(marker: str) -> None:
    """Kill every process carrying the service marker `marker` (escaped ones included)."""
    kill_all(marked(marker))


@contextlib.contextmanager
def adopted_orphans() -> Iterator[None]:
    """During the block, orphans of what we start come back to us; after it, every process
    started during the block that is still there is killed and reaped."""
    was = is_subreaper()
    became = was or set_subreaper(True)
    before = descendants(os.getpid()) if became else {}
    try:
        yield
    finally:
        if became:
            now = descendants(os.getpid())
            kill_all(pid for pid, start in now.items() if before.get(pid) != start)
            if not was:
                set_subreaper(False)


def sweep_since(before: dict[int, str]) -> None:
    """Kill what was started since `before` was taken (the watchdog's last act)."""
    now = descendants(os.getpid())
    kill_all((pid for pid, start in now.items() if before.get(pid) != start), grace=0.5)
