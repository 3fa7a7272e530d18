"""`python -m mlgate` is the command line."""

from mlgate.cli import command

command()
