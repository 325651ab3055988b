"""The executor `brief --by area --executor URL` names: a Dask cluster whose workers build the briefings.

A worker opens the project by the path the command was given, so the path is made absolute first and
every worker is asked, before any task is sent, whether it reads the same `content/project.yaml`: a
worker started elsewhere, or on a machine without the shared folder, is reported by address instead of
failing inside a task. Dask is optional (`pip install 'tspdocs[dask]'`) and imported only here.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import BuildError, fail
from ..project.projectfs import PROJECT_FILE, ProjectFS

CONNECT_SECONDS = 20  # a scheduler that does not answer in this time is taken to be down


@contextmanager
def open_executor(url: str | None, root: Path) -> Iterator[Executor | None]:
    """Yield the executor `url` names (`dask://HOST:PORT`), checked to see the project at `root`, and
    close it afterwards; yield None (the local process pool) when there is no URL."""
    if url is None:
        yield None
        return
    _scheme, _, address = url.partition("://")
    try:
        from distributed import Client
    except ImportError:
        raise fail(f"--executor {url} needs Dask; install it with pip install 'tspdocs[dask]'",
                   "executor") from None
    try:
        client = Client(f"tcp://{address}", timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise fail(f"cannot reach the Dask scheduler at {address} ({exc}); is it running, and is the address "
                   "right?", "executor") from None
    try:
        _check_workers(client, root.resolve())
        yield client.get_executor()
    finally:
        client.close()


def _check_workers(client: Any, root: Path) -> None:
    """Fail, naming each one, if a worker cannot read the project at `root` or sees other content there."""
    try:
        client.wait_for_workers(1, timeout=CONNECT_SECONDS)
    except TimeoutError:
        raise fail(f"the Dask scheduler at {client.scheduler.address} has no workers", "executor") from None
    expected = ProjectFS.at(root).digest(root / PROJECT_FILE)
    try:
        answers: dict[str, str | None] = client.run(look_at_project, str(root), expected)
    except Exception as exc:  # noqa: BLE001 - whatever a worker raised, the cause is its installation
        raise fail(f"the Dask workers cannot run tspdocs ({exc}); install this tspdocs ({__version__}) on every "
                   "worker", "executor") from None
    blind = {worker: why for worker, why in answers.items() if why}
    if blind:
        listed = "; ".join(f"{worker}: {why}" for worker, why in sorted(blind.items()))
        raise fail(f"{len(blind)} of {len(answers)} Dask workers cannot use the project at {root} ({listed}); "
                   "start the workers where the project folder has the same absolute path (a shared file "
                   "system), with the same tspdocs installed", "executor-project")


def look_at_project(root: str, expected: str) -> str | None:
    """On a worker: return why the project at `root` is not the one expected, or None if it is."""
    path = Path(root) / PROJECT_FILE
    try:
        found = ProjectFS.at(root).digest(path)
    except BuildError as exc:
        return f"cannot read {path}: {exc.problems[0].message}"
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    return None if found == expected else f"{path} there differs from this one"
