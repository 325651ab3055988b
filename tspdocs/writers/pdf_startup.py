"""Import WeasyPrint in two thirds of the time a plain `import weasyprint` takes on Linux.

The import is on the critical path of every build with a PDF: a one-page
briefing spends half its time in it. Two things make it slow, neither of
them WeasyPrint's own work:

- WeasyPrint asks cffi for each of its seven native libraries under several
  platform spellings (`libgobject-2.0-0`, `gobject-2.0-0`, `gobject-2.0`, …).
  For every spelling the dynamic linker's cache lacks, `ctypes.util.find_library`
  runs gcc and then ld to look for it: some twenty compiler runs, 0.14 s.
  Asking the linker cache alone gives the same libraries without them.
- The import creates a few hundred thousand objects that live as long as the
  process, and the cyclic collector scans them over and over as they load.
"""

from __future__ import annotations

import contextlib
import gc
import io
import sys
from collections.abc import Iterator


def import_weasyprint() -> None:
    """Import WeasyPrint and its font machinery, through the linker cache when the platform has one.

    Should the quick lookup miss a library (one the cache does not list, under a name dlopen cannot
    find directly), the import fails with OSError and is done again the ordinary way, so the quick
    path can only ever save time."""
    if "weasyprint.text.fonts" in sys.modules:
        return
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            # WeasyPrint prints an installation help banner before a library lookup fails for good.
            with _linker_cache_lookup(), contextlib.redirect_stdout(io.StringIO()):
                _import()
        except OSError:  # Python has already dropped the modules whose import failed
            _import()
    finally:
        if collecting:
            gc.enable()


def _import() -> None:
    import weasyprint  # noqa: F401
    from weasyprint.text import fonts  # noqa: F401


@contextlib.contextmanager
def _linker_cache_lookup() -> Iterator[None]:
    """Make `ctypes.util.find_library` consult only the dynamic linker's cache (`ldconfig -p`), which is
    the first thing it does on glibc Linux anyway; elsewhere leave it alone."""
    import ctypes.util

    cache_only = getattr(ctypes.util, "_findSoname_ldconfig", None)
    if cache_only is None:
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = cache_only
    try:
        yield
    finally:
        ctypes.util.find_library = original
