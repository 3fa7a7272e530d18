"""Errors that are the user's to fix: they carry a clean message and never a traceback."""

from __future__ import annotations


class MlgateError(Exception):
    """Base class of every error whose message is meant for the user as it is."""


class ConfigError(MlgateError):
    """The configuration is wrong; `issues` hold one line per problem (file:line:col: ...)."""

    def __init__(self, issues: list[str]) -> None:
        self.issues = issues
        super().__init__("\n".join(issues))


class UsageError(MlgateError):
    """The command line is wrong."""


class CheckError(MlgateError):
    """A check could not run (unreadable dataset, model that won't load, ...): status `error`."""


class DatasetError(CheckError):
    """A dataset could not be read."""
