"""SIGTERM/SIGINT: the run stops like Ctrl-C and remembers why; the action passes them on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from mlgate.runner.guard import Stopper, Watchdog, raised_by_code
from tests.conftest import REPO


def _signal_self(signum: int) -> None:
    os.kill(os.getpid(), signum)
    for _ in range(1000):  # the Python-level handler runs between bytecodes
        pass


def test_sigterm_becomes_a_keyboard_interrupt_that_remembers_the_signal() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with Stopper() as stopper:
        assert raised_by_code()  # no signal yet: a KeyboardInterrupt would be team code's
        with pytest.raises(KeyboardInterrupt):
            _signal_self(signal.SIGTERM)
        assert stopper.signum == signal.SIGTERM
        assert stopper.exit_code == 143
        assert stopper.message == "interrupted by SIGTERM: the run was stopped"
        assert not raised_by_code()
    assert signal.getsignal(signal.SIGTERM) is before
    assert not raised_by_code()  # outside `mlgate run` an interrupt always stops


def test_the_watchdog_ignores_other_signals_and_acts_on_a_second_stop() -> None:
    """Every signal reaches the wakeup socket (SIGALRM of the budgets too): only SIGTERM and
    SIGINT count, and a second one ends the run without waiting."""
    with Stopper() as stopper:
        dog = Watchdog(float("inf"), lambda: None, lambda why, code: None, stopper)
        old = signal.signal(signal.SIGALRM, lambda s, f: None)
        try:
            for _ in range(3):
                os.kill(os.getpid(), signal.SIGALRM)
            assert dog.why() is None
        finally:
            signal.signal(signal.SIGALRM, old)
        with pytest.raises(KeyboardInterrupt):
            _signal_self(signal.SIGINT)
        assert dog.why() is None  # acted on once: the main thread is wrapping up
        os.kill(os.getpid(), signal.SIGINT)  # asked again
        assert dog.why() == ("interrupted by SIGINT: the run was stopped", 130)


def test_the_action_passes_sigterm_on_to_the_gate() -> None:
    """As PID 1 of the container the entrypoint would ignore SIGTERM: it forwards it, so the
    gate writes its partial report; the gate's exit code is returned."""
    gate = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))\n"
        "print('ready', flush=True)\n"
        "time.sleep(120)\n"
    )
    wrapper = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        import entrypoint
        code = entrypoint.run_forwarding_signals([sys.executable, "-c", {gate!r}], {{}})
        print("gate exited", code, flush=True)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", wrapper], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert out.strip() == "gate exited 143"
    assert proc.returncode == 0
