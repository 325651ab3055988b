"""Run the writers over prepared documents, laying out PDFs in worker processes while this one writes the rest.

PDF layout is the slow part of every build and WeasyPrint's import alone
takes half a second, so the workers start (and import WeasyPrint) before
this process has even read the content, and PDF layout then overlaps
everything else on the second core. Every format goes through the same
writer registry; the registry only says which formats are worth sending
to a worker. Workers are forked while this process is still small and
single-threaded; if other threads are already running, a forkserver with
WeasyPrint preloaded is used instead, which is always safe.

The workers are a `concurrent.futures` process pool, not `multiprocessing.Pool`: when a worker dies
(killed, or out of memory) the latter starts a new one and the lost job's `get()` waits for ever, while
`ProcessPoolExecutor` fails every unfinished job with `BrokenProcessPool`, which becomes a clear error.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import BuildError, Problem
from ..writers import LAID_OUT_IN_WORKERS, get_writer
from ..writers.base import WriteContext, WriteResult
from ..writers.pdf import preload

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from .. import tree as t
    from ..project.model import OutputFormat
    from ..project.targets import Target


@dataclass
class Prepared:
    """A target's prepared tree and the formats to write it in."""

    target: Target
    doc: t.Document
    formats: list[OutputFormat]


@dataclass
class Rendered:
    """A prepared document's files, in the order its formats were asked for, and what each cost."""

    prepared: Prepared
    outputs: dict[OutputFormat, WriteResult] = field(default_factory=dict)
    seconds: dict[OutputFormat, float] = field(default_factory=dict)

    @property
    def pages(self) -> int | None:
        return next((r.pages for r in self.outputs.values() if r.pages is not None), None)

    @property
    def anchors(self) -> dict[str, float]:
        return next((r.anchors for r in self.outputs.values() if r.pages is not None), {})


def write_timed(fmt: OutputFormat, doc: t.Document, ctx: WriteContext) -> tuple[WriteResult, float]:
    """Write one format (here or in a worker) and return it with the seconds it took."""
    start = time.perf_counter()
    result = get_writer(fmt)(doc, ctx)
    return result, time.perf_counter() - start


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _start_worker(parent: int | None) -> None:
    """Tie the worker's life to its parent's, then load WeasyPrint.

    A worker outliving its build (the build killed by the OOM killer or a timeout, or leaving early on an
    error) would wait for work for ever, holding the build's stdout and stderr open, so that whoever reads
    them waits too. On Linux the kernel stops the worker when its parent ends, however it ends: the build
    for a forked worker, the forkserver (which ends with the build) for the others. `parent` is the build's
    process id when it forked the worker itself, to catch a build that ended before the tie was made.
    """
    if sys.platform == "linux":
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if parent is not None and os.getppid() != parent:
        os._exit(1)
    preload()


def _pool(workers: int) -> ProcessPoolExecutor:
    """Start the workers at once; each imports WeasyPrint as it starts. The pool's modules are imported only
    here: a build that lays out no PDF (`--format docx`) never needs them."""
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    parent: int | None = os.getpid()
    if threading.active_count() == 1:
        context: multiprocessing.context.BaseContext = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["weasyprint", preload.__module__])
        parent = None  # the forkserver is the workers' parent
    pool = ProcessPoolExecutor(workers, context, initializer=_start_worker, initargs=(parent,))
    pool.submit(int)  # the first job forks every worker, before any other thread of this process starts
    return pool


class Renderer:
    """Own the PDF workers for one build; with `workers=0` everything runs in this process."""

    def __init__(self, workers: int) -> None:
        self.pool: ProcessPoolExecutor | None = _pool(workers) if workers > 0 else None

    def render(self, items: list[Prepared], ctx: WriteContext,
               done: Callable[[Rendered], None] | None = None) -> list[Rendered]:
        """Render every item, calling `done` as each finishes; slow formats go to the workers first so they
        lay out while this process writes the others."""
        results = [Rendered(item) for item in items]
        pending: list[tuple[Rendered, OutputFormat, Future[tuple[WriteResult, float]]]] = []
        for rendered in results:
            for fmt in self._offloaded(rendered):
                job = self.pool.submit(write_timed, fmt, rendered.prepared.doc, ctx)  # type: ignore[union-attr]
                pending.append((rendered, fmt, job))
        finished: dict[int, dict[OutputFormat, tuple[WriteResult, float]]] = {id(r): {} for r in results}
        for rendered in results:
            offloaded = self._offloaded(rendered)
            for fmt in rendered.prepared.formats:
                if fmt not in offloaded:
                    finished[id(rendered)][fmt] = write_timed(fmt, rendered.prepared.doc, ctx)
            if not offloaded:
                self._keep(rendered, finished[id(rendered)], done)
        problems: list[Problem] = []
        if pending:
            from concurrent.futures.process import BrokenProcessPool
        for index, (rendered, fmt, job) in enumerate(pending):
            try:
                finished[id(rendered)][fmt] = job.result()
            except BuildError as exc:  # keep going: every document's problems are reported together
                problems.extend(exc.problems)
                continue
            except BrokenProcessPool:
                problems.append(Problem(f"the worker laying out the {fmt.upper()} of {rendered.prepared.target.name!r} "
                                        "stopped before it finished (killed, or out of memory?); nothing was "
                                        "written: build again, or with --jobs 0 to lay out in this process",
                                        "worker"))
                continue
            if all(other is not rendered for other, _, _ in pending[index + 1:]):
                self._keep(rendered, finished[id(rendered)], done)
        if problems:
            raise BuildError(problems)
        return results

    def _offloaded(self, rendered: Rendered) -> list[OutputFormat]:
        if self.pool is None:
            return []
        return [fmt for fmt in rendered.prepared.formats if fmt in LAID_OUT_IN_WORKERS]

    @staticmethod
    def _keep(rendered: Rendered, written: dict[OutputFormat, tuple[WriteResult, float]],
              done: Callable[[Rendered], None] | None) -> None:
        for fmt in rendered.prepared.formats:
            rendered.outputs[fmt], rendered.seconds[fmt] = written[fmt]
        if done is not None:
            done(rendered)

    def close(self) -> None:
        """Stop the workers at once: every result has been collected, or the build has failed.

        They are terminated, not asked to finish: the command line leaves with `os._exit`, before the pool's
        own thread could tell them to stop, and a worker left waiting for work would live on with the
        command's stdout and stderr open (a caller reading them would wait for ever). Python 3.11 has no
        `terminate_workers()` yet, hence the pool's process table.
        """
        if self.pool is not None:
            processes = list(self.pool._processes.values())
            self.pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            for process in processes:
                process.join()
            self.pool = None
