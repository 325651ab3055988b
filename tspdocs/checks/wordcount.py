"""Count words as journals and budgets count them: by rule, leaving out what the rule excludes.

This is the one count, for `check` and `build` alike, so it must not depend on what only a build renders:
an in-text citation is left out (check does not format citations, and "(Bovaird, 2004)" is a reference,
not the authors' words, in whatever style prints it), and a word is a run of characters holding a letter
or a digit, so a dash or the full stop left beside a citation is none.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable

from .. import tree as t
from ..tree import plain_text


def count_words(doc: t.Document, excludes: Iterable[str] = ("references",)) -> int:
    """Return the words in `doc`; `excludes` may name references, tables, figures, footnotes, abstract, title."""
    skip = frozenset(excludes)
    total = 0 if "title" in skip else words(doc.meta.title)
    if "abstract" not in skip:
        total += _blocks(doc.meta.abstract, skip)
    return total + _blocks(doc.blocks, skip)


def _blocks(blocks: list[t.Block], skip: frozenset[str]) -> int:
    total = 0
    for block in blocks:
        if isinstance(block, t.Contents) or (isinstance(block, t.Table) and "tables" in skip) \
                or (isinstance(block, t.Figure) and "figures" in skip):
            continue
        if isinstance(block, t.Bibliography):
            if "references" not in skip:
                total += sum(words(plain_text(entry.children)) for entry in block.entries)
            continue
        for inlines in t.block_inlines(block):
            total += _inlines(inlines, skip)
        for children in t.child_blocks(block):
            total += _blocks(children, skip)
    return total


_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


def words(text: str) -> int:
    """Return how many words `text` holds by the rule above."""
    return sum(1 for word in text.split() if _LETTER_OR_DIGIT.search(word))


def _inlines(inlines: list[t.Inline], skip: frozenset[str]) -> int:
    total = words(plain_text(_without_citations(inlines)))
    if "footnotes" not in skip:
        for node in t.walk_inlines(inlines):
            if isinstance(node, t.Note):
                total += _blocks(node.blocks, skip)
    return total


def _without_citations(inlines: list[t.Inline]) -> list[t.Inline]:
    """Return a shallow copy of `inlines` with every citation left out, those inside emphasis included."""
    out: list[t.Inline] = []
    for node in inlines:
        if isinstance(node, t.Cite):
            continue
        children = getattr(node, "children", None)
        if isinstance(children, list) and not isinstance(node, t.Image):
            node = copy.copy(node)
            node.children = _without_citations(children)  # type: ignore[attr-defined]
        out.append(node)
    return out
