"""Write the tree as a tagged PDF/UA-1 through WeasyPrint, from the HTML writer's print mode.

WeasyPrint only logs a resource it could not fetch and writes the PDF
anyway, so fetching goes through `ProjectFetcher`, which allows `data:` URLs
and files inside the project and stops the render for anything else: no
network, no /etc/passwd, no symlink out of the project.
"""

from __future__ import annotations

import gc
import logging
import mimetypes
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from ..errors import BuildError, Location, Problem
from ..project.projectfs import ProjectFS
from .base import WriteContext, WriteResult, contents_pages
from .collector import fewer_collections
from .pdf_startup import import_weasyprint

if TYPE_CHECKING:
    from .. import tree as t
    from .html import Page


def _fetcher_class() -> type:
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class ProjectFetcher(URLFetcher):  # type: ignore[misc]
        """Serve `data:` URLs and files inside the project; refuse and stop on anything else."""

        def __init__(self, root: Path) -> None:
            super().__init__(allowed_protocols=("data", "file"))
            self.root = root
            self.fs = ProjectFS.at(root)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            if parts.scheme == "file" and parts.netloc in ("", "localhost"):
                path = Path(unquote(parts.path)).resolve()
                if self.fs.is_readable(path):
                    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    try:
                        data = self.fs.read_bytes(path)  # the file gate: a regular file, not too large
                    except BuildError:
                        data = None
                    if data is not None:
                        return URLFetcherResponse(url, data, {"Content-Type": mime})
            self.refused.append(url)
            raise FatalURLFetchingError(f"refused to fetch {url}")

    return ProjectFetcher


def write_pdf(doc: t.Document, ctx: WriteContext) -> WriteResult:
    """Lay out the HTML writer's print page as a tagged PDF, with its page count and anchors.

    The contents' page numbers are written into the page as data: first the pages the last layout found
    (`doc.meta.contents_pages`), then, if the new layout put any entry on another page, the pages it
    found, laid out once more. A number is placed out of flow (print.css), so changing it moves nothing else
    and the second layout is the last; a loop bounds it all the same."""
    from .html import build_page

    shown = doc.meta.contents_pages
    with fewer_collections():
        for _layout in range(3):
            result = layout_pdf(build_page(doc, ctx, print_mode=True, page_numbers=shown), ctx)
            found = contents_pages(doc, result.anchors)
            if found == shown:
                break
            shown = found
    return result


def layout_pdf(page: Page, ctx: WriteContext) -> WriteResult:
    """Lay out `page` and return the PDF with its page count and where each section falls.

    The page is checked for anything it would fetch on the tree WeasyPrint parses it into, before
    WeasyPrint fetches anything: what is checked is what is laid out, and the page is parsed once."""
    import_weasyprint()
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    fetcher = _fetcher_class()(ctx.fs.root)
    font_config = _font_configuration(page.html)
    errors = _LogCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(errors)
    try:
        html = weasyprint.HTML(string=page.html, base_url=ctx.fs.root.as_uri() + "/", url_fetcher=fetcher)
        page.refuse_external(html.etree_element)
        document = html.render(font_config=font_config, pdf_variant="pdf/ua-1")
        data = document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=b"tspdocs" + str(ctx.epoch).encode(),
                                  uncompressed_pdf=False)
    except FatalURLFetchingError:
        raise BuildError([Problem(f"the document refers to {url}, which is outside the project or not "
                                  "allowed; use a file inside the project", "outside-project",
                                  Location("(rendering)")) for url in fetcher.refused]) from None
    finally:
        logger.removeHandler(errors)
    if errors.messages:
        raise BuildError([Problem(f"WeasyPrint: {m}", "pdf", Location("(rendering)")) for m in errors.messages])
    from .pdf_tags import mend_tags, table_fragments

    data = mend_tags(data, table_fragments(document))
    return WriteResult(data, len(document.pages), _anchor_positions(document))


_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.IGNORECASE)
_shared_fonts = threading.local()  # .configs: {the page's @font-face rules: their configuration}, while shared


@contextmanager
def fonts_shared(configs: dict[str, object] | None = None) -> Iterator[None]:
    """Let the layouts made inside (in this thread) share one font configuration per set of `@font-face`
    rules, as a batch of briefings does.

    Each configuration Fontconfig and Pango make keeps about a quarter of a megabyte after it is freed, so
    a process laying out hundreds of briefings, each with its own, grew by that much a briefing; sharing
    also spares reading and registering the fonts again. The output is the same: a configuration only
    ever holds the fonts its rules name, added once. It is dropped on leaving, with its copies of the font
    files, so fonts changed on disk are read again by the next build. A caller that makes several scopes
    for one piece of work (a batch's chunks) passes the same `configs` to each, so they share it too.
    """
    outer = getattr(_shared_fonts, "configs", None)
    _shared_fonts.configs = {} if configs is None else configs
    try:
        yield
    finally:
        _shared_fonts.configs = outer


def _font_configuration(html: str) -> object:
    """Return the font configuration for laying out `html`: a new one, or the shared one for its rules."""
    from weasyprint.text.fonts import FontConfiguration

    configs: dict[str, object] | None = getattr(_shared_fonts, "configs", None)
    if configs is None:
        return FontConfiguration()
    rules = "\n".join(_FONT_FACE.findall(html))
    if rules not in configs:
        configs.clear()  # one at a time: another set of rules is another document's, not this batch's
        configs[rules] = FontConfiguration()
    return configs[rules]


def _anchor_positions(document: object) -> dict[str, float]:
    positions: dict[str, float] = {}
    for number, page in enumerate(document.pages):  # type: ignore[attr-defined]
        height = page.height or 1
        for anchor, (_x, y, *_rest) in page.anchors.items():
            positions.setdefault(anchor, number + y / height)
    return positions


class _LogCollector(logging.Handler):
    """Keep WeasyPrint's errors, which it would otherwise only log while still writing the PDF."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        self.messages.append(message if len(message) < 300 else message[:150] + " … " + message[-100:])


# A page with a little of everything a document has: bold and italic text, a footnote, a table, a PNG and an
# SVG with text, a link and a heading (a bookmark); only data: URLs, so nothing is fetched.
WARM_UP_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><title>Warm-up</title><style>.note { float: footnote }</style></head>'
    '<body><h2 id="a">Warm-up</h2><p><b>Bold</b> <i>italic</i> <a href="#a">link</a>'
    '<span class="note">Note.</span></p><table><thead><tr><th scope="col">A</th></tr></thead>'
    '<tbody><tr><td>1</td></tr></tbody></table>'
    '<img alt="PNG" src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/'
    'AAX+Av4N70a4AAAAAElFTkSuQmCC"><img alt="SVG" src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/'
    'svg%22 width=%2210%22 height=%2210%22%3E%3Ctext x=%221%22 y=%229%22%3Ea%3C/text%3E%3C/svg%3E"></body></html>')


def preload() -> None:
    """Import WeasyPrint and the HTML writer in a worker as soon as it starts, while the main process reads
    the content, then lay out a tiny page: what WeasyPrint and its libraries set up on first use (C type
    declarations parsed by cffi, Fontconfig, Pango and HarfBuzz, pikepdf and the image decoders imported)
    is then done before the worker's first document, not during it. What the imports made is frozen: it
    lives as long as the worker, so the collector need never scan it."""
    import_weasyprint()
    from . import html  # noqa: F401  (the print page is written in the worker)

    gc.freeze()
    _warm_up()


def _warm_up() -> None:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from .pdf_tags import mend_tags, table_fragments

    try:
        document = weasyprint.HTML(string=WARM_UP_PAGE).render(font_config=FontConfiguration(),
                                                              pdf_variant="pdf/ua-1")
        mend_tags(document.write_pdf(pdf_variant="pdf/ua-1"), table_fragments(document))
    except Exception:  # noqa: BLE001  (a warm-up that fails has only cost its time; the document's layout reports)
        pass
