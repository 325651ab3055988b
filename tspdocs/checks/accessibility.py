"""Check a document for what screen-reader users need, before anything is rendered.

Pictures need alternative text, headings must not skip levels, tables need
a header row, and a link must say where it goes. A document failing any of
these does not build: accessibility is a gate, not a report.
"""

from __future__ import annotations

from .. import tree as t
from ..errors import Problems
from ..tree import plain_text

VAGUE_LINK_TEXT = {"click here", "here", "link", "this link", "read more", "more", "this", "click"}


def check_accessibility(doc: t.Document, problems: Problems) -> None:
    blocks = t.document_blocks(doc)
    _headings(blocks, problems)
    for block in t.walk(blocks):
        if isinstance(block, t.Figure) and not block.image.alt.strip():
            problems.error("a figure has no alternative text; add {fig-alt=\"...\"} or write a caption",
                           "alt-text", block.loc)
        elif isinstance(block, t.Table) and not block.head:
            problems.error("a table has no header row; give it one so each cell can be read with its heading",
                           "table-header", block.loc)
    for inlines in t.inline_lists(blocks):
        for node in inlines:
            if isinstance(node, t.Image) and not node.alt.strip():
                problems.error("an image has no alternative text; describe it in the brackets: ![what it shows](file)",
                               "alt-text", node.loc)
            elif isinstance(node, t.Link):
                _link(node, problems)


def _headings(blocks: list[t.Block], problems: Problems) -> None:
    previous = 0
    for block in t.walk(blocks):
        if not isinstance(block, t.Heading):
            continue
        if block.level > previous + 1:
            problems.error(f"heading level {block.level} follows level {previous or 'the title'}, skipping a level; "
                           "screen-reader users navigate by heading level", "heading-order", block.loc)
        previous = block.level


def _link(link: t.Link, problems: Problems) -> None:
    text = plain_text(link.children).strip()
    if not text:
        problems.error(f"a link to {link.url} has no text; say where it goes", "link-text", link.loc)
    elif text.lower().strip(".:") in VAGUE_LINK_TEXT:
        problems.error(f"link text {text!r} does not say where the link goes; describe the destination",
                       "link-text", link.loc)
