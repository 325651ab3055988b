"""Run the command line as `python -m tspdocs`, as `serve` starts its background build."""

import sys

try:
    from .cli import run
except KeyboardInterrupt:  # stopped while starting, as serve stops a background build a newer save replaces
    sys.exit(130)

run()
