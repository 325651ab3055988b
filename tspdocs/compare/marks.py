"""Make the marks of a redline: who made each change and when, and mark whole blocks as changed."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import tree as t

# A source file (project-relative) -> who last changed it between the two revisions, and when (UTC).
Attribution = Callable[[str], tuple[str, str]]
# A source file and a range of its lines in the newer revision -> who last changed those lines, if a commit
# between the two revisions did (else None, and the file's `Attribution` answers).
LineAttribution = Callable[[str, int, int], tuple[str, str] | None]


@dataclass
class Recorded:
    """A change with an anchor, and the file it came from, for the summary's lists."""

    change: t.Change
    source: str


@dataclass
class Marker:
    """Make every mark of one comparison, numbering the anchors in reading order."""

    attribution: Attribution
    lines: LineAttribution | None = None
    recorded: list[Recorded] = field(default_factory=list)
    figures: list[tuple[t.Figure, str]] = field(default_factory=list)  # a figure that changed, its anchor
    redrawn: set[int] = field(default_factory=set)  # the new figures whose picture changed, by id()

    def change(self, kind: str, source: str, *, anchor: bool = True, span: list[t.Block] | None = None) -> t.Change:
        """Return a new mark; `anchor` False for the marks inside a block already marked as a whole. `span`,
        the new blocks changed, lets the commit that last changed their lines take the change, not the
        last commit that changed their file (a deletion has no lines in the newer revision)."""
        author, date = self._who(kind, source, span or [])
        mark = t.Change("inserted" if kind == "inserted" else "restyled" if kind == "restyled" else "deleted",
                        author, date)
        if anchor:
            mark.id = f"change-{len(self.recorded) + 1}"
            self.recorded.append(Recorded(mark, source))
        return mark

    def _who(self, kind: str, source: str, span: list[t.Block]) -> tuple[str, str]:
        first = span[0].loc.line if span and span[0].loc else None
        last = t.last_line(span[-1]) if span else None
        if self.lines is not None and kind != "deleted" and first is not None and last is not None and \
                all(source_of(block) == source for block in span):
            found = self.lines(source, first, max(first, last))
            if found is not None:
                return found
        return self.attribution(source)

    def maker(self, source: str, span: list[t.Block] | None = None) -> Callable[[str], t.Change]:
        return lambda kind: self.change(kind, source, span=span)

    def whole(self, blocks: list[t.Block], kind: str) -> t.ChangedBlocks:
        """Return `blocks` inserted or deleted whole, every piece of their text marked too."""
        source = source_of(blocks[0])
        outer = self.change(kind, source, span=blocks)
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
        return t.Restyled(new, shape, self.change("restyled", source_of(new), span=[new]))


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
