"""Render prepared documents, laying out PDFs in worker processes while this one writes DOCX and HTML.

PDF layout is the slow part of every build and WeasyPrint's import alone
takes most of a second, so workers start (and import WeasyPrint) before the
content is even read, and the two cores overlap PDF layout with everything
else. Workers come from a forkserver that has WeasyPrint preloaded, which
is safe whatever threads the calling process runs.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import tree as t
from .model import Format
from .sources import ProjectFS
from .targets import Target
from .writers import get_writer
from .writers.base import WriteContext


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
    sections: list[Any] = field(default_factory=list)


def _ready() -> bool:
    return True


def layout_job(html: str, root: str, epoch: int) -> tuple[Any, float]:
    """Lay out one PDF in a worker; returns the RenderedPdf and the seconds it took."""
    from .writers.pdf import layout_pdf

    start = time.perf_counter()
    result = layout_pdf(html, WriteContext(ProjectFS(Path(root)), epoch))
    return result, time.perf_counter() - start


class Renderer:
    """Own the PDF workers for one build; with `workers=0` everything runs in this process."""

    def __init__(self, workers: int, executor: Executor | None = None) -> None:
        self._owned = executor is None and workers > 0
        self.pool: Executor | None = executor
        if self._owned:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["weasyprint", "tspdocs.writers.pdf"])
            self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
            self.pool.submit(_ready)  # start the workers now, while the content is read

    def render(self, items: list[Prepared], ctx: WriteContext,
               done: Callable[[Rendered], None] | None = None) -> list[Rendered]:
        """Render every item, calling `done` as each finishes; PDFs go to the workers first so they lay
        out while this process writes the DOCX and HTML."""
        from .writers.html import page_html

        results = [Rendered(item) for item in items]
        pending: list[tuple[Rendered, Future[Any]]] = []
        for rendered in results:
            if "pdf" in rendered.prepared.formats and self.pool is not None:
                html = page_html(rendered.prepared.doc, ctx, print_mode=True)
                pending.append((rendered, self.pool.submit(layout_job, html, str(ctx.fs.root), ctx.epoch)))
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
        for rendered, future in pending:
            pdf, seconds = future.result()
            self._keep_pdf(rendered, pdf)
            rendered.seconds["pdf"] = seconds
            if done is not None:
                done(rendered)
        return results

    @staticmethod
    def _keep_pdf(rendered: Rendered, pdf: Any) -> None:
        rendered.outputs["pdf"] = pdf.data
        rendered.pages, rendered.sections = pdf.pages, pdf.sections

    def close(self) -> None:
        if self._owned and self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
