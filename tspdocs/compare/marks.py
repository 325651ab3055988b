"""Make the marks of a redline: who made each change and when, and mark whole blocks as changed."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import tree as t

# A source file (project-relative) -> who last changed it between the two revisions, and when (UTC).
Attribution = Callable[[str], tuple[str, str]]


@dataclass
class Recorded:
    """A change with an anchor, and the file it came from, for the summary's lists."""

    change: t.Change
    source: str


@dataclass
class Marker:
    """Make every mark of one comparison, numbering the anchors in reading order."""

    attribution: Attribution
    recorded: list[Recorded] = field(default_factory=list)
    figures: list[tuple[t.Figure, str]] = field(default_factory=list)  # a figure that changed, its anchor
    redrawn: set[int] = field(default_factory=set)  # the new figures whose picture changed, by id()

    def change(self, kind: str, source: str, *, anchor: bool = True) -> t.Change:
        """Return a new mark; `anchor` False for the marks inside a block already marked as a whole."""
        author, date = self.attribution(source)
        mark = t.Change("inserted" if kind == "inserted" else "restyled" if kind == "restyled" else "deleted",
                        author, date)
        if anchor:
            mark.id = f"change-{len(self.recorded) + 1}"
            self.recorded.append(Recorded(mark, source))
        return mark

    def maker(self, source: str) -> Callable[[str], t.Change]:
        return lambda kind: self.change(kind, source)

    def whole(self, blocks: list[t.Block], kind: str) -> t.ChangedBlocks:
        """Return `blocks` inserted or deleted whole, every piece of their text marked too."""
        source = source_of(blocks[0])
        outer = self.change(kind, source)
        inner = t.Change(outer.kind, outer.author, outer.date)
        mark_text(blocks, inner)
        if kind == "deleted":
            drop_labels(blocks)
        self.figures += [(block, outer.id) for block in t.walk(blocks)
                         if isinstance(block, t.Figure) and id(block) in self.redrawn]
        return t.ChangedBlocks(blocks, outer)


    def restyled(self, old: t.Block, new: t.Block) -> t.Restyled:
        """Return `new` marked as `old` in another style. Only the old block's shape is kept: its words are
        the new block's, and its labels stay with the new block (bookmark names and ids are unique)."""
        shape = copy.deepcopy(old)
        drop_labels([shape])
        for block in t.walk([shape]):
            for group in t.block_inlines(block):
                group.clear()
        return t.Restyled(new, shape, self.change("restyled", source_of(new)))


def source_of(node: t.Block) -> str:
    return node.loc.path if node.loc is not None else ""


def drop_labels(blocks: list[t.Block]) -> None:
    """Take the labels off deleted headings, tables and figures: the new version of each keeps the label, so
    links, cross-references and Word bookmarks have one target (HTML ids and bookmark names must be unique)."""
    for block in t.walk(blocks):
        attr = getattr(block, "attr", None)
        if isinstance(attr, t.Attr) and attr.id:
            block.attr = t.Attr("", list(attr.classes), dict(attr.values))  # type: ignore[attr-defined]


def mark_text(blocks: list[t.Block], change: t.Change) -> None:
    """Wrap every list of inlines in these blocks (text, captions, cells, notes, entries) in one mark."""
    for block in t.walk(blocks):
        groups = list(t.block_inlines(block))
        if isinstance(block, t.Contents):
            groups += [entry.text for entry in block.entries]
        elif isinstance(block, t.Bibliography):
            groups += [entry.children for entry in block.entries]
        elif isinstance(block, t.Table):
            for row in (*block.head, *block.body, *block.foot):
                row.change = row.change or change
        for group in groups:
            if group:
                group[:] = [t.Changed(list(group), change)]
