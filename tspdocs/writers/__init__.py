"""Writers looked up by the format name the user types: `html`, `pdf`, `docx`.

Each writer module is imported only when its format is asked for, so a
build that needs no PDF never pays for importing WeasyPrint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..project.model import OutputFormat
    from ..tree import Document
    from .base import WriteContext, WriteResult

Writer = Callable[["Document", "WriteContext"], "WriteResult"]

# Formats whose writer is slow enough to run in the build's worker processes, beside the others.
LAID_OUT_IN_WORKERS: frozenset[OutputFormat] = frozenset({"pdf"})


def _html() -> Writer:
    from .html import write_html

    return write_html


def _pdf() -> Writer:
    from .pdf import write_pdf

    return write_pdf


def _docx() -> Writer:
    from .docx import write_docx

    return write_docx


WRITERS: dict[OutputFormat, Callable[[], Writer]] = {"pdf": _pdf, "docx": _docx, "html": _html}


def get_writer(name: OutputFormat) -> Writer:
    """Return the writer for a format name; raise KeyError for a name nobody registered."""
    return WRITERS[name]()
