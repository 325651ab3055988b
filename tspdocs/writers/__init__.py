"""Writers looked up by the format name the user types: `html`, `pdf`, `docx`.

Each writer module is imported only when its format is asked for, so a
build that needs no PDF never pays for importing WeasyPrint.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..tree import Document
    from .base import WriteContext

Writer = Callable[["Document", "WriteContext"], bytes]

WRITERS = {
    "html": "tspdocs.writers.html:write_html",
    "pdf": "tspdocs.writers.pdf:write_pdf",
    "docx": "tspdocs.writers.docx:write_docx",
}


def get_writer(name: str) -> Writer:
    """Return the writer for a format name; raise KeyError for a name nobody registered."""
    module_name, _, function = WRITERS[name].partition(":")
    return getattr(importlib.import_module(module_name), function)  # type: ignore[no-any-return]
