"""Run the command line as `python -m tspdocs`, as `serve` starts its background build."""

import sys

from .writers.collector import fewer_collections

with fewer_collections():  # from the first import on (the console script's `run` starts after them)
    try:
        from .cli import run
    except KeyboardInterrupt:  # stopped while starting, as serve stops a background build a newer save replaces
        sys.exit(130)

    run()
