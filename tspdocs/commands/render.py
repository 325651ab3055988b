"""Render prepared documents, laying out PDFs in worker processes while this one writes DOCX and HTML.

PDF layout is the slow part of every build and WeasyPrint's import alone
takes half a second, so the workers start (and import WeasyPrint) before
this process has even read the content, and PDF layout then overlaps
everything else on the second core. Workers are forked while this process
is still small and single-threaded; if other threads are already running,
a forkserver with WeasyPrint preloaded is used instead, which is always safe.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult, Pool
from typing import TYPE_CHECKING, Any

from ..errors import BuildError, Problem
from ..writers.base import WriteContext
from ..writers.pdf import layout_job, preload

if TYPE_CHECKING:
    from .. import tree as t
    from ..project.model import Format
    from ..project.targets import Target


@dataclass
class Prepared:
    target: Target
    doc: t.Document
    formats: list[Format]


@dataclass
class Rendered:
    prepared: Prepared
    outputs: dict[Format, bytes] = field(default_factory=dict)
    seconds: dict[Format, float] = field(default_factory=dict)
    pages: int | None = None
    anchors: dict[str, float] = field(default_factory=dict)


def _pool(workers: int) -> Pool:
    """Start the workers at once; each imports WeasyPrint as it starts."""
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork").Pool(workers, initializer=preload)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["weasyprint", "tspdocs.writers.pdf"])
    return context.Pool(workers)


class Renderer:
    """Own the PDF workers for one build; with `workers=0` everything runs in this process."""

    def __init__(self, workers: int) -> None:
        self.pool: Pool | None = _pool(workers) if workers > 0 else None

    def render(self, items: list[Prepared], ctx: WriteContext,
               done: Callable[[Rendered], None] | None = None) -> list[Rendered]:
        """Render every item, calling `done` as each finishes; PDFs go to the workers first so they lay
        out while this process writes the DOCX and HTML."""
        from ..writers import get_writer
        from ..writers.html import page_html

        results = [Rendered(item) for item in items]
        pending: list[tuple[Rendered, AsyncResult[Any]]] = []
        for rendered in results:
            if "pdf" in rendered.prepared.formats and self.pool is not None:
                html = page_html(rendered.prepared.doc, ctx, print_mode=True)
                pending.append((rendered, self.pool.apply_async(layout_job, (html, str(ctx.fs.root), ctx.epoch))))
        in_workers = {id(rendered) for rendered, _ in pending}
        for rendered in results:
            for fmt in rendered.prepared.formats:
                if fmt == "pdf" and id(rendered) in in_workers:
                    continue
                start = time.perf_counter()
                if fmt == "pdf":
                    pdf, _ = layout_job(page_html(rendered.prepared.doc, ctx, print_mode=True),
                                        str(ctx.fs.root), ctx.epoch)
                    self._keep_pdf(rendered, pdf)
                else:
                    rendered.outputs[fmt] = get_writer(fmt)(rendered.prepared.doc, ctx)
                rendered.seconds[fmt] = time.perf_counter() - start
            if done is not None and id(rendered) not in in_workers:
                done(rendered)
        problems: list[Problem] = []
        for rendered, job in pending:
            try:
                pdf, seconds = job.get()
            except BuildError as exc:  # keep going: every document's problems are reported together
                problems.extend(exc.problems)
                continue
            self._keep_pdf(rendered, pdf)
            rendered.seconds["pdf"] = seconds
            if done is not None:
                done(rendered)
        if problems:
            raise BuildError(problems)
        return results

    @staticmethod
    def _keep_pdf(rendered: Rendered, pdf: Any) -> None:
        rendered.outputs["pdf"] = pdf.data
        rendered.pages, rendered.anchors = pdf.pages, pdf.anchors

    def close(self) -> None:
        """Stop the workers at once: every result has been collected, and a worker's orderly exit would
        only spend time tearing WeasyPrint down."""
        if self.pool is not None:
            self.pool.terminate()
            self.pool = None
