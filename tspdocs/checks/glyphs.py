"""Warn at the line that uses a character none of the shipped fonts can draw.

The PDF is set in the fonts under assets/fonts (Liberation Sans and Mono). A character outside them
(Chinese, Japanese or Korean text, an emoji) falls back to whatever the building machine has installed,
which is usually nothing: the PDF shows an empty box. The HTML is unaffected (a reader's browser has its
own fonts), so this is a warning, given where the text was written, not an error.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

from .. import tree as t
from ..errors import Location, Problems
from ..project.projectfs import PROJECT_FILE, ProjectFS

FONT_SUFFIXES = (".ttf", ".otf")
# Characters that are never drawn on their own: controls, format characters (zero-width joiner, soft
# hyphen) and variation selectors, which only choose how the character before them looks.
INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp"})


def covered_characters(fs: ProjectFS, fonts: Path) -> frozenset[int]:
    """Return every code point some font in `fonts` has a glyph for."""
    points: set[int] = set()
    for path in sorted(fonts.iterdir()) if fonts.is_dir() else []:
        # Only regular files: this check is advice, and a special file is the PDF writer's to refuse, when
        # a PDF is asked for (an HTML build never opens the fonts).
        if path.suffix.lower() in FONT_SUFFIXES and path.is_file():
            points.update(_cmap(fs.read_bytes(path)))
    return frozenset(points)


@functools.lru_cache(maxsize=32)
def _cmap(data: bytes) -> frozenset[int]:
    """Return the code points of one font, parsed once per process for each content (a batch of area
    briefings checks every document against the same fonts)."""
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(BytesIO(data), lazy=True).getBestCmap() or {})


def check_glyphs(doc: t.Document, fs: ProjectFS, problems: Problems) -> None:
    """Warn once per place where the text holds characters no shipped font covers."""
    covered = covered_characters(fs, fs.root / "assets" / "fonts")
    if not covered:  # a project without its own fonts relies on the machine's: nothing to compare with
        return
    reported: set[tuple[str, str]] = set()
    for text, loc in _texts(t.document_blocks(doc)):
        missing = sorted({c for c in text if ord(c) not in covered and _drawn(c)})
        where = loc or Location("(document)")
        key = (str(where), "".join(missing))
        if missing and key not in reported:
            reported.add(key)
            shown = ", ".join(f"{c} (U+{ord(c):04X} {unicodedata.name(c, 'unnamed').lower()})" for c in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            problems.warning(f"no font in assets/fonts has {shown}{more}: the PDF would show an empty box; add "
                             "a font that covers it to assets/fonts and styles/print.css, or write the "
                             "text another way", "missing-glyph", where)


def _drawn(character: str) -> bool:
    return unicodedata.category(character) not in INVISIBLE and not 0xFE00 <= ord(character) <= 0xFE0F


def _texts(blocks: list[t.Block]) -> Iterator[tuple[str, Location | None]]:
    """Yield each run of text a reader sees, with where it was written (its own line, else its block's)."""
    for block in t.walk(blocks):
        inline_lists = list(t.block_inlines(block))
        loc = block.loc
        if isinstance(block, t.Cover):  # made from the project's metadata: its names, its centre
            inline_lists += [line.children for line in block.lines]
            loc = loc or Location(PROJECT_FILE)
        elif isinstance(block, t.Bibliography):
            inline_lists += [entry.children for entry in block.entries]
        elif isinstance(block, t.CodeBlock):
            yield block.text, loc
        for inlines in inline_lists:
            for node in t.walk_inlines(inlines):
                if isinstance(node, t.Text | t.Code | t.Quantity):
                    yield node.text, node.loc or loc
