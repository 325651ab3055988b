"""Compare two document trees and return one tree with the changes marked: the heart of `tspdocs diff`.

The comparison runs on the trees the build prepares, never on rendered files,
so every writer shows the same changes: the result is an ordinary document
whose inserted and deleted parts are `Changed` inlines, `ChangedBlocks` and
rows with a `change`, which the HTML, PDF and DOCX writers render as they walk.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .. import tree as t
from .blocks import BlockComparer
from .marks import Attribution, LineAttribution, Marker, Recorded
from .summary import summary_blocks
from .words import compare_inlines, replaced_inlines

__all__ = ["Attribution", "LineAttribution", "Redline", "compare_documents"]


@dataclass
class Redline:
    """The newer document with the changes marked, and what the summary lists."""

    doc: t.Document
    changes: list[Recorded] = field(default_factory=list)
    summary: list[t.Block] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not self.changes


def compare_documents(old: t.Document, new: t.Document, attribution: Attribution, *,
                      title: str = "", lines: LineAttribution | None = None) -> Redline:
    """Return `new` with every change since `old` marked, attributed to who made it and when.

    `title` heads the changes summary (for HTML and PDF), e.g. "Changes from v1.0 to HEAD"; `lines`, if
    given, names who changed a block's own lines, where `attribution` names who last changed its file.
    """
    marker = Marker(attribution, lines)
    comparer = BlockComparer(marker)
    cover = _covers(old.meta.cover, new.meta.cover, comparer, marker)
    abstract = comparer.blocks(old.meta.abstract, new.meta.abstract)
    blocks = comparer.blocks(old.blocks, new.blocks)
    meta = replace(new.meta, cover=cover, abstract=abstract)
    doc = t.Document(meta, blocks, old.sources | new.sources)
    summary = summary_blocks(old, new, marker, title) if marker.recorded else []
    return Redline(doc, marker.recorded, summary)


def _covers(old: list[t.Block], new: list[t.Block], comparer: BlockComparer, marker: Marker) -> list[t.Block]:
    """Compare the covers line by line, each line by its role (title, date, version …)."""
    if len(old) != 1 or len(new) != 1 or not isinstance(old[0], t.Cover) or not isinstance(new[0], t.Cover):
        return comparer.blocks(old, new)
    before = {line.role: line for line in old[0].lines}
    lines = []
    for line in new[0].lines:
        make = marker.maker(new[0].loc.path if new[0].loc else "")
        previous = before.pop(line.role, None)
        if line.role == "provenance":  # which file this is, and the running footer: the summary names both
            children = line.children
        elif previous is None:
            children = replaced_inlines([], line.children, make)
        elif previous.children == line.children:
            children = line.children
        else:
            children = compare_inlines(previous.children, line.children, make) or \
                replaced_inlines(previous.children, line.children, make)
        lines.append(replace(line, children=children))
    gone = [replace(line, children=replaced_inlines(line.children, [], marker.maker(""))) for line in before.values()]
    return [replace(new[0], lines=lines + gone)]
