"""Count words as journals and budgets count them: by rule, leaving out what the rule excludes."""

from __future__ import annotations

from collections.abc import Iterable

from .. import tree as t
from ..tree import plain_text


def count_words(doc: t.Document, excludes: Iterable[str] = ("references",)) -> int:
    """Return the words in `doc`; `excludes` may name references, tables, figures, footnotes, abstract, title."""
    skip = frozenset(excludes)
    total = 0 if "title" in skip else len(doc.meta.title.split())
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
                total += sum(len(plain_text(entry.children).split()) for entry in block.entries)
            continue
        for inlines in t.block_inlines(block):
            total += _inlines(inlines, skip)
        for children in t.child_blocks(block):
            total += _blocks(children, skip)
    return total


def _inlines(inlines: list[t.Inline], skip: frozenset[str]) -> int:
    total = len(plain_text(inlines).split())
    if "footnotes" not in skip:
        for node in t.walk_inlines(inlines):
            if isinstance(node, t.Note):
                total += _blocks(node.blocks, skip)
    return total
