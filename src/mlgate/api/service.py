"""Reaching an `api:` entry's service: start it, wait for it, hand out senders, stop it.

Three ways: `start` (a shell command in its own process group on a free loopback port),
`app` (in-process, ASGI through Starlette's test client so start-up/shutdown hooks run, or
WSGI through httpx), and `url` alone (already running). A started service is stopped with
every process of its group at the end of the run (`RunContext.on_close`, and `atexit` as
a last resort), also when checks fail or the run is interrupted. Processes that left the group
(`setsid`, double fork) are found by the marker every process of the service inherits in its
environment (`mlgate.runner.processes`), and killed too.
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import importlib
import inspect
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from unittest import mock

from mlgate.api.http import HttpSender, InProcessSender, Req, Sender
from mlgate.errors import CheckError
from mlgate.runner.processes import MARKER, kill_marked

TAIL_LINES = 30
_LIVE: set[Service] = set()
_LIVE_LOCK = threading.Lock()


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (bound then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int, timeout: float = 0.2) -> bool:
    """Whether something accepts connections on 127.0.0.1:`port`."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


class Service:
    """One running service; `sender()` gives a new keep-alive sender, `stop()` is idempotent."""

    kind = "url"

    def __init__(self, name: str, base_url: str) -> None:
        self.name = name
        self.base_url = base_url

    def sender(self) -> Sender:
        return HttpSender(self.base_url)

    def stop(self) -> None:
        with _LIVE_LOCK:
            _LIVE.discard(self)

    def log_tail(self, lines: int = TAIL_LINES) -> str:
        return ""

    def describe(self) -> str:
        return f"{self.base_url}"

    def info(self) -> dict[str, Any]:
        """Where the service was reached (report details)."""
        return {"kind": self.kind, "url": self.base_url}


class ProcessService(Service):
    """A command run by the shell in its own session/process group."""

    kind = "start"

    def __init__(self, name: str, command: str, cwd: Path, env: Mapping[str, str]) -> None:
        self.port = free_port()
        super().__init__(name, f"http://127.0.0.1:{self.port}")
        # whether the service can learn the port mlgate chose (through the command or env)
        self.told_port = "{port}" in command or any("{port}" in v for v in env.values())
        self.command = command.replace("{port}", str(self.port))
        self.cwd = cwd
        self.env = {k: v.replace("{port}", str(self.port)) for k, v in env.items()}
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.proc: subprocess.Popen[bytes] | None = None
        self._stopped = False
        self.marker = uuid.uuid4().hex  # in the environment of all it starts

    def launch(self) -> None:
        _stop_on_sigterm()
        env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1", MARKER: self.marker}
        # Commands installed beside mlgate (uvicorn, gunicorn, ...) are found even when the
        # virtual environment is not activated.
        bindir = os.path.dirname(sys.executable)
        env["PATH"] = os.pathsep.join(p for p in (bindir, env.get("PATH", "")) if p)
        if not self.cwd.is_dir():
            raise CheckError(f"service {self.name!r}: `cwd` {self.cwd} is not a folder")
        with _LIVE_LOCK:
            _LIVE.add(self)
        self.proc = subprocess.Popen(
            self.command,
            shell=True,
            cwd=self.cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pgid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def exited(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def log_tail(self, lines: int = TAIL_LINES) -> str:
        try:
            self.log.flush()
            self.log.seek(0, os.SEEK_END)
            size = self.log.tell()
            self.log.seek(max(0, size - 16384))
            text = self.log.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM the whole group, SIGKILL what is left after 5 s, reap, close the log."""
        if self._stopped:
            return
        self._stopped = True
        try:
            if self.proc is not None:
                _kill_group(self.proc, self.proc.pid)
                kill_marked(self.marker)  # what escaped the group with setsid
        finally:
            with contextlib.suppress(OSError):
                self.log.close()
            super().stop()

    def describe(self) -> str:
        pid = f", pid {self.proc.pid}" if self.proc is not None else ""
        return f"`{self.command}` on {self.base_url}{pid}"

    def info(self) -> dict[str, Any]:
        return {**super().info(), "pid": self.pgid, "port": self.port}


def _group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs; zombies do not count (an orphaned child
    waits for init to reap it, and in a container whose PID 1 never reaps, forever)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    running = _running_member(pgid)
    return True if running is None else running


def _running_member(pgid: int) -> bool | None:
    """Whether /proc shows a member of the group that is not a zombie (None: no /proc)."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode("utf-8", "replace")
        except OSError:
            continue  # gone meanwhile
        fields = stat.rpartition(")")[2].split()  # after the command name: state ppid pgrp
        if len(fields) >= 3 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            return True
    return False


def _kill_group(proc: subprocess.Popen[bytes], pgid: int, grace: float = 5.0) -> None:
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.05)
            if proc.poll() is not None and not _group_alive(pgid):
                return
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=1.0)


class InProcessService(Service):
    """An ASGI/WSGI app imported in this process, with its mocks applied and env set."""

    kind = "app"

    def __init__(
        self,
        name: str,
        target: str,
        cwd: Path,
        env: Mapping[str, str],
        mocks: list[Mapping[str, Any]],
    ) -> None:
        super().__init__(name, "in-process")
        self.target = target
        self.cwd = cwd
        self.env = dict(env)
        self.mocks = mocks
        self._stack = contextlib.ExitStack()
        self.client: Any = None
        self._stopped = False

    def launch(self) -> None:
        with _LIVE_LOCK:
            _LIVE.add(self)
        stack = self._stack
        try:
            stack.enter_context(mock.patch.dict(os.environ, self.env))
            stack.enter_context(_on_sys_path(self.cwd))
            top = self.target.partition(":")[0].split(".")[0]
            stack.callback(_forget_modules, top, self.cwd)
            _forget_modules(top, self.cwd)
            for i, m in enumerate(self.mocks):
                _enter_mock(stack, f"service {self.name!r}: mocks[{i}]", m)
            app = _import_app(self.target)
            self.client = stack.enter_context(_client_for(app))
        except CheckError:
            self.stop()
            raise
        except SystemExit as exc:
            self.stop()
            raise CheckError(
                f"service {self.name!r}: app {self.target!r} called sys.exit({exc.code!r}) "
                "while starting; a service cannot end the run, so its checks are errors"
            ) from None
        except Exception as exc:
            self.stop()
            raise CheckError(
                f"service {self.name!r}: app {self.target!r} did not start: "
                f"{type(exc).__name__}: {exc}"
            ) from None
        except BaseException:  # a budget spent or an interrupt: undo the patches, pass it on
            self.stop()
            raise

    def sender(self) -> Sender:
        return InProcessSender(self.client)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        try:
            self._stack.close()
        finally:
            super().stop()

    def describe(self) -> str:
        return f"app {self.target} (in-process)"


@contextlib.contextmanager
def _on_sys_path(folder: Path) -> Any:
    path = str(folder)
    sys.path.insert(0, path)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(path)


def _forget_modules(top: str, folder: Path) -> None:
    """Drop the app's package if it was imported from `folder`, so it is imported fresh."""
    root = str(folder.resolve())
    for name, module in list(sys.modules.items()):
        if name != top and not name.startswith(top + "."):
            continue
        file = getattr(module, "__file__", None)
        if file and str(Path(file).resolve()).startswith(root + os.sep):
            del sys.modules[name]


def _enter_mock(stack: contextlib.ExitStack[Any], which: str, m: Mapping[str, Any]) -> None:
    """Patch one mock (importing its target now); a failure names the mock and its target."""
    try:
        stack.enter_context(_patch(m))
    except CheckError as exc:
        raise CheckError(f"{which}: {exc}") from None
    except Exception as exc:
        raise CheckError(
            f"{which}: target {m['target']!r} cannot be patched: {type(exc).__name__}: {exc}"
        ) from None


def _patch(m: Mapping[str, Any]) -> Any:
    replacement = mock.MagicMock(name=m["target"])
    if "raise" in m:
        replacement.side_effect = _exception(str(m["raise"]))
    else:
        replacement.return_value = m.get("return")
    try:
        return mock.patch(m["target"], replacement)
    except (ImportError, AttributeError, TypeError) as exc:
        raise CheckError(f"target {m['target']!r} cannot be patched: {exc}") from None


def _exception(spec: str) -> BaseException:
    """`Name: message` (a built-in exception), `pkg.mod.Error: message`, or a plain message."""
    name, sep, message = spec.partition(":")
    name, message = name.strip(), message.strip()
    if not sep and not name.replace(".", "").replace("_", "").isalnum():
        return RuntimeError(spec)
    cls: Any = None
    if "." in name:
        module_name, _, attr = name.rpartition(".")
        try:
            cls = getattr(importlib.import_module(module_name), attr, None)
        except ImportError:
            cls = None
        if cls is None:
            raise CheckError(f"mock `raise`: cannot import the exception {name!r}")
    elif name.isidentifier():
        cls = getattr(builtins, name, None)
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            return cls(message) if sep else cls()
        except Exception as exc:
            raise CheckError(f"mock `raise`: cannot create {name}: {exc}") from None
    return RuntimeError(spec)


def _import_app(target: str) -> Any:
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except SystemExit as exc:
        raise CheckError(
            f"importing {module_name!r} for app {target!r} called sys.exit({exc.code!r}); "
            "an app module cannot end the run"
        ) from None
    except Exception as exc:
        raise CheckError(
            f"cannot import {module_name!r} for app {target!r}: {type(exc).__name__}: {exc}"
        ) from None
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise CheckError(f"{module_name!r} has no attribute {attr!r} (app {target!r})")
        obj = getattr(obj, part)
    if callable(obj) and not _is_app(obj):
        obj = obj()  # a factory
    return obj


def _is_app(obj: Any) -> bool:
    call = getattr(obj, "__call__", None)  # noqa: B004
    params = inspect.signature(obj).parameters if callable(obj) else {}
    return inspect.iscoroutinefunction(obj) or inspect.iscoroutinefunction(call) or len(params) >= 2


def _client_for(app: Any) -> Any:
    """Starlette's TestClient for ASGI (runs lifespan hooks), an httpx client for WSGI."""
    is_asgi = inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(
        getattr(app, "__call__", None)  # noqa: B004
    )
    try:
        import httpx
    except ImportError:
        raise CheckError("`app:` needs httpx: pip install 'mlgate[api]'") from None
    if is_asgi:
        try:
            with warnings.catch_warnings():  # starlette nags about httpx2; httpx works
                warnings.simplefilter("ignore")
                from starlette.testclient import TestClient
        except ImportError:
            raise CheckError("`app:` with an ASGI app needs starlette (FastAPI)") from None
        return TestClient(app, base_url="http://testserver", raise_server_exceptions=False)
    return httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://testserver")


def wait_ready(service: Service, ready: Mapping[str, Any]) -> None:
    """Poll until the service answers (or its port opens); `CheckError` with the log tail if not."""
    timeout = float(ready.get("timeout", 30))
    path = ready.get("path")
    want = ready.get("status")
    deadline = time.monotonic() + timeout
    sender = HttpSender(service.base_url) if path else None
    last = "no answer yet"
    try:
        while True:
            if isinstance(service, ProcessService):
                code = service.exited()
                if code is not None:
                    raise CheckError(_failed(service, f"exited with code {code} before ready"))
            if sender is not None:
                a = sender.send(Req("GET", str(path), timeout=min(2.0, timeout)))
                ok = a.status == want if want else a.status is not None and 200 <= a.status < 300
                if ok:
                    return
                last = a.summary() if a.status is None else f"GET {path} answered {a.status}"
            else:
                port = _port_of(service.base_url)
                if port_open(port):
                    return
                last = f"port {port} not open"
            if time.monotonic() >= deadline:
                raise CheckError(_failed(service, f"not ready within {timeout:g} s ({last})"))
            time.sleep(0.05)
    finally:
        if sender is not None:
            sender.close()


def _port_of(url: str) -> int:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 80)


def _failed(service: Service, why: str) -> str:
    tail = service.log_tail()
    text = f"service {service.name!r} ({service.describe()}) {why}"
    text += _port_hint(service, tail)
    return text + ("; its output ends with:\n" + tail if tail else "; it printed nothing")


_LISTENING = re.compile(r"(?:127\.0\.0\.1|0\.0\.0\.0|localhost|\[::1?\]):(\d{2,5})\b")


def _port_hint(service: Service, tail: str) -> str:
    """Why a service that picks its own port is never ready, and what to write instead."""
    if not isinstance(service, ProcessService) or service.told_port:
        return ""
    if _port_of(service.base_url) != service.port:
        return ""  # `url:` names the port the service listens on
    seen = [int(p) for p in _LISTENING.findall(tail) if int(p) != service.port]
    where = f" (its output says it listens on port {seen[-1]})" if seen else ""
    return (
        f". `start` does not use `{{port}}`, so the service cannot know that mlgate waits on "
        f"port {service.port}{where}: put `{{port}}` in the command (e.g. `--port {{port}}`) "
        f"or in `env:`, or set `url:` to the address it listens on"
    )


def start_service(params: Mapping[str, Any], root: Path) -> Service:
    """Start (or just name) the service of an `api:` entry; raises `CheckError` if it fails."""
    name = str(params["service"])
    cwd = root / str(params.get("cwd", "."))
    env = {str(k): _env_value(v) for k, v in (params.get("env") or {}).items()}
    ready = params.get("ready") or {}
    service: Service
    if "app" in params:
        inproc = InProcessService(name, str(params["app"]), cwd, env, list(params.get("mocks", [])))
        inproc.launch()
        return inproc
    if "start" in params:
        proc = ProcessService(name, str(params["start"]), cwd, env)
        if params.get("url"):
            proc.base_url = str(params["url"]).replace("{port}", str(proc.port)).rstrip("/")
        try:
            proc.launch()
            wait_ready(proc, ready)
        except BaseException:
            proc.stop()
            raise
        return proc
    service = Service(name, str(params["url"]).rstrip("/"))
    if ready:
        wait_ready(service, ready)
    return service


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def stop_all() -> None:
    """Stop every service still running (the `atexit` safety net)."""
    with _LIVE_LOCK:
        live = list(_LIVE)
    for service in live:
        with contextlib.suppress(Exception):
            service.stop()


def _on_sigterm(signum: int, frame: Any) -> None:
    """Stop the services, then die of SIGTERM as if mlgate had no handler."""
    stop_all()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


def _stop_on_sigterm() -> None:
    """On SIGTERM (a cancelled CI job) stop started services first; only if nobody else
    handles SIGTERM, and only from the main thread (where handlers can be set)."""
    if threading.current_thread() is not threading.main_thread():
        return
    with contextlib.suppress(ValueError, OSError):
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _on_sigterm)


atexit.register(stop_all)
