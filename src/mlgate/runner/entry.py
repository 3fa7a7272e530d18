"""The pytest11 entry point: plain `pytest` in a folder with `mlgate.yml` runs the gate too."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlgate.errors import ConfigError


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mlgate")
    group.addoption(
        "--mlgate-config", default=None, help="mlgate.yml to run (default: ./mlgate.yml)"
    )
    group.addoption("--mlgate-base-ref", default=None, help="the base commit for `ref: base`")
    group.addoption("--mlgate-off", action="store_true", help="do not run the mlgate checks")


def pytest_configure(config: pytest.Config) -> None:
    from mlgate.runner.plugin import GatePlugin, register_markers

    register_markers(config)
    if config.getoption("mlgate_off"):
        return
    if any(isinstance(p, GatePlugin) for p in config.pluginmanager.get_plugins()):
        return  # `mlgate run` registered its own
    given = config.getoption("mlgate_config")
    path = Path(given) if given else Path(config.invocation_params.dir) / "mlgate.yml"
    if not given and not path.is_file():
        return
    from mlgate.config import load_config
    from mlgate.runner.session import build_context

    try:
        cfg = load_config(Path(os.path.relpath(path)))
    except ConfigError as exc:
        raise pytest.UsageError("mlgate configuration is invalid:\n" + str(exc)) from None
    ctx = build_context(cfg, config.getoption("mlgate_base_ref"))
    config.pluginmanager.register(GatePlugin(cfg, ctx), "mlgate-gate")
