"""Run the command line as `python -m tspdocs`."""

from .cli import run

run()
