"""WeasyPrint is imported through the linker cache, without compiler runs, and still imports when that fails.

Each case runs in a fresh interpreter: an import can happen only once per process.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the linker cache is glibc Linux's")


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=60, check=False)


def test_the_import_runs_no_compiler_and_finds_every_library() -> None:
    result = _python("""
        import ctypes.util
        ran = []
        ctypes.util._findLib_gcc = lambda name: ran.append(("gcc", name))
        ctypes.util._findLib_ld = lambda name: ran.append(("ld", name))
        from tspdocs.writers.pdf_startup import import_weasyprint
        import_weasyprint()
        from weasyprint.text import ffi
        assert ffi.pango.pango_version() > 0
        assert None not in (ffi.gobject, ffi.harfbuzz, ffi.fontconfig, ffi.pangoft2)
        assert ffi.harfbuzz_subset is not None, "the subsetter is found through the cache too"
        print(ran)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_ordinary_lookup_is_restored_after_the_import() -> None:
    result = _python("""
        import ctypes.util
        before = ctypes.util.find_library
        from tspdocs.writers.pdf_startup import import_weasyprint
        import_weasyprint()
        print(ctypes.util.find_library is before)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_when_the_quick_lookup_finds_nothing_the_ordinary_import_follows() -> None:
    # Every library load fails during the quick attempt, as for libraries the linker cache does not know.
    result = _python("""
        import contextlib
        import cffi
        import tspdocs.writers.pdf_startup as startup
        refused = []

        def refuse(self, name, flags=0):
            refused.append(name)
            raise OSError(name)

        @contextlib.contextmanager
        def nothing_found():
            real, cffi.FFI.dlopen = cffi.FFI.dlopen, refuse
            try:
                yield
            finally:
                cffi.FFI.dlopen = real

        startup._linker_cache_lookup = nothing_found
        startup.import_weasyprint()
        from weasyprint import HTML
        print(HTML(string="<p>fallback</p>").write_pdf()[:5].decode(), len(refused) > 0)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "%PDF- True", "a PDF, and no installation banner from the failed attempt"


def test_a_worker_lays_out_a_warm_up_page_before_its_first_document() -> None:
    """What WeasyPrint sets up on first use is done at the worker's start: the warm-up page lays out without
    a single warning (so it exercises what it should, and fails nowhere silently), and pikepdf and the image
    decoders the first document would have imported are loaded."""
    result = _python("""
        import logging, sys
        warnings = []
        class Keep(logging.Handler):
            def emit(self, record): warnings.append(record.getMessage())
        logging.getLogger("weasyprint").addHandler(Keep(logging.WARNING))
        from tspdocs.writers import pdf
        pdf.preload()
        print(warnings, "pikepdf" in sys.modules, "PIL.PngImagePlugin" in sys.modules)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["[]", "True", "True"], result.stdout
