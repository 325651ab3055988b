"""Compare two versions of a list of blocks: match them, then mark what was inserted, deleted or edited.

Blocks are matched in three passes, each a longest common subsequence:
first by source file, heading path and content (so identical paragraphs in
different sections do not pair), then, in what is left, by source file and
content alone (a renamed heading changes the path of everything under it),
and last, in each gap still left, by similarity, so an edited paragraph pairs
with its old self. Paired blocks are compared inside: words in paragraphs,
items in lists, rows in tables (by their first cell), entries in a
bibliography; a block whose words stayed but whose kind or style changed is
marked `Restyled`. A table whose columns changed, a figure whose picture changed,
a generated contents list that changed, or anything else of a kind not
compared inside is shown deleted and inserted whole.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from typing import TypeVar

from .. import tree as t
from .lcs import common_pairs
from .marks import Marker, source_of
from .words import compare_inlines, replaced_inlines, signature

SIMILAR = 0.5  # the share of words two blocks must have in common to be one block edited
LOOKAHEAD = 20  # how far ahead in a gap a block looks for its edited self


@dataclass
class Piece:
    """One block of the result: kept (or edited in place), or inserted or deleted whole."""

    kind: str  # "kept" | "inserted" | "deleted"
    block: t.Block


class BlockComparer:
    """Compare lists of blocks; every mark is made by one `Marker`."""

    def __init__(self, marker: Marker) -> None:
        self.marker = marker
        self._signatures: dict[int, str] = {}

    def blocks(self, old: list[t.Block], new: list[t.Block], path: tuple[str, ...] = ()) -> list[t.Block]:
        """Return `new` with what changed since `old` marked."""
        return self._assemble(self._matched(old, new, self._keys(old, path), self._keys(new, path),
                                            self._by_content))

    def _by_content(self, old: list[t.Block], new: list[t.Block]) -> list[Piece]:
        return self._matched(old, new, [(source_of(b), self._signature(b)) for b in old],
                             [(source_of(b), self._signature(b)) for b in new], self._by_similarity)

    @staticmethod
    def _matched(old: list[t.Block], new: list[t.Block], keys_old: list[Hashable], keys_new: list[Hashable],
                 gap: Callable[[list[t.Block], list[t.Block]], list[Piece]]) -> list[Piece]:
        """Keep the blocks whose keys match along a longest common subsequence; hand each gap to `gap`."""
        pieces: list[Piece] = []
        for kind, i1, i2, j1, j2 in _spans(common_pairs(keys_old, keys_new), len(old), len(new)):
            if kind == "same":
                pieces.extend(Piece("kept", block) for block in new[j1:j2])
            else:
                pieces.extend(gap(old[i1:i2], new[j1:j2]))
        return pieces

    def _by_similarity(self, old: list[t.Block], new: list[t.Block]) -> list[Piece]:
        """Pair each old block with the most similar new block of its kind ahead of the last one paired."""
        pieces: list[Piece] = []
        start = 0
        for block in old:
            best, score = None, SIMILAR
            for index in range(start, min(len(new), start + LOOKAHEAD)):
                candidate = new[index]
                if (type(candidate) is type(block) or _restyled(block, candidate)) and \
                        source_of(candidate) == source_of(block):
                    similarity = _similarity(block, candidate)
                    if similarity >= score:
                        best, score = index, similarity
            if best is None:
                pieces.append(Piece("deleted", block))
                continue
            pieces.extend(Piece("inserted", b) for b in new[start:best])
            pieces.extend(self.edited(block, new[best]))
            start = best + 1
        pieces.extend(Piece("inserted", b) for b in new[start:])
        return pieces

    def _assemble(self, pieces: list[Piece]) -> list[t.Block]:
        """Group consecutive inserted (or deleted) blocks from one source into one whole-block mark; within
        a run of changes, deletions come before insertions, as a reader expects."""
        ordered: list[Piece] = []
        run: list[Piece] = []
        for piece in [*pieces, Piece("kept", t.Rule())]:
            if piece.kind != "kept":
                run.append(piece)
                continue
            ordered += [p for p in run if p.kind == "deleted"] + [p for p in run if p.kind == "inserted"]
            run = []
            ordered.append(piece)
        out: list[t.Block] = []
        group: list[t.Block] = []
        for index, piece in enumerate(ordered[:-1]):
            if piece.kind == "kept":
                out.append(piece.block)
                continue
            group.append(piece.block)
            following = ordered[index + 1]
            if following.kind != piece.kind or source_of(following.block) != source_of(piece.block):
                out.append(self.marker.whole(group, piece.kind))
                group = []
        return out

    # Blocks edited in place ---------------------------------------------------

    def edited(self, old: t.Block, new: t.Block) -> list[Piece]:
        """Return the pieces for a block paired with its old self."""
        if self._signature(old) == self._signature(new):
            return [Piece("kept", new)]
        if _restyled(old, new):
            return [Piece("kept", self.marker.restyled(old, new))]
        make = self.marker.maker(source_of(new), [new])
        if isinstance(old, t.Para) and isinstance(new, t.Para):
            children = compare_inlines(old.children, new.children, make)
            return _replaced(old, new) if children is None else [Piece("kept", replace(new, children=children))]
        if isinstance(old, t.Plain | t.Heading) and isinstance(new, t.Plain | t.Heading) and \
                getattr(old, "level", 0) == getattr(new, "level", 0) and type(old) is type(new):
            children = compare_inlines(old.children, new.children, make)
            if children is None:
                children = replaced_inlines(old.children, new.children, make)
            return [Piece("kept", replace(new, children=children))]
        if isinstance(old, t.BulletList | t.OrderedList) and type(old) is type(new):
            return [Piece("kept", replace(new, items=self._items(old.items, new.items)))]
        if isinstance(old, t.Div | t.BlockQuote) and type(old) is type(new) and \
                getattr(old, "attr", None) == getattr(new, "attr", None):
            return [Piece("kept", replace(new, blocks=self.blocks(old.blocks, new.blocks)))]
        if isinstance(old, t.Table) and isinstance(new, t.Table) and _same_columns(old, new):
            return [Piece("kept", self._table(old, new))]
        if isinstance(old, t.Figure) and isinstance(new, t.Figure) and \
                signature([t.Para([old.image])]) == signature([t.Para([new.image])]):
            return [Piece("kept", replace(new, caption=self._caption(old.caption, new.caption, new),
                                          notes=self.blocks(old.notes, new.notes)))]
        if isinstance(old, t.Figure) and isinstance(new, t.Figure):
            self.marker.redrawn.add(id(new))  # the data behind it changed: listed in the summary
        if isinstance(old, t.Bibliography) and isinstance(new, t.Bibliography):
            return [Piece("kept", replace(new, entries=self._entries(old.entries, new.entries, new)))]
        if isinstance(old, t.Contents) and isinstance(new, t.Contents) and old.kind == new.kind:
            return [Piece("kept", replace(new, entries=self._entries(old.entries, new.entries, new)))]
        return _replaced(old, new)

    def _items(self, old: list[t.ListItem], new: list[t.ListItem]) -> list[t.ListItem]:
        """Match list items by their content; an item that is gone stays, deleted, where it was."""
        keys_old = [self._signature_of(item.blocks) for item in old]
        keys_new = [self._signature_of(item.blocks) for item in new]
        items: list[t.ListItem] = []
        for kind, i1, i2, j1, j2 in _spans(common_pairs(keys_old, keys_new), len(old), len(new)):
            if kind == "same":
                items.extend(new[j1:j2])
                continue
            gone, came = old[i1:i2], new[j1:j2]
            paired = min(len(gone), len(came)) if len(gone) == len(came) else 0  # an item edited in place
            for before, after in zip(gone[:paired], came[:paired], strict=True):
                items.append(replace(after, blocks=self.blocks(before.blocks, after.blocks)))
            items.extend(t.ListItem([self.marker.whole(item.blocks, "deleted")]) for item in gone[paired:])
            items.extend(t.ListItem([self.marker.whole(item.blocks, "inserted")]) for item in came[paired:])
        return items

    def _table(self, old: t.Table, new: t.Table) -> t.Table:
        return replace(new, head=self._rows(old.head, new.head), body=self._rows(old.body, new.body),
                       foot=self._rows(old.foot, new.foot), caption=self._caption(old.caption, new.caption, new),
                       notes=self.blocks(old.notes, new.notes))

    def _rows(self, old: list[t.Row], new: list[t.Row]) -> list[t.Row]:
        """Match rows by their first cell; a matched row is compared cell by cell."""
        rows: list[t.Row] = []
        for kind, i1, i2, j1, j2 in _spans(common_pairs([_first_cell(r) for r in old],
                                                        [_first_cell(r) for r in new]), len(old), len(new)):
            if kind == "same":
                rows.extend(self._row(before, after) for before, after in zip(old[i1:i2], new[j1:j2], strict=True))
                continue
            rows.extend(self._whole_row(row, "deleted") for row in old[i1:i2])
            rows.extend(self._whole_row(row, "inserted") for row in new[j1:j2])
        return rows

    def _row(self, old: t.Row, new: t.Row) -> t.Row:
        if len(old.cells) != len(new.cells):
            return new  # cannot happen between tables with the same columns; kept rather than guessed
        cells = [replace(after, blocks=self._cell(before.blocks, after.blocks))
                 for before, after in zip(old.cells, new.cells, strict=True)]
        return replace(new, cells=cells)

    def _cell(self, old: list[t.Block], new: list[t.Block]) -> list[t.Block]:
        """A cell of one line changes inside the line, so the cell keeps one line and its alignment."""
        if len(old) == len(new) == 1 and type(old[0]) is type(new[0]) and isinstance(new[0], t.Plain):
            return [piece.block for piece in self.edited(old[0], new[0])]
        return self.blocks(old, new)

    def _whole_row(self, row: t.Row, kind: str) -> t.Row:
        """Mark a row inserted or deleted, and the text of each of its cells."""
        source = next((source_of(b) for cell in row.cells for b in cell.blocks), "")
        change = self.marker.change(kind, source)
        inner = t.Change(change.kind, change.author, change.date)
        for cell in row.cells:
            for block in t.walk(cell.blocks):
                for group in t.block_inlines(block):
                    if group:
                        group[:] = [t.Changed(list(group), inner)]
        return replace(row, change=change)

    def _caption(self, old: list[t.Inline], new: list[t.Inline], owner: t.Block) -> list[t.Inline]:
        make = self.marker.maker(source_of(owner))
        return compare_inlines(old, new, make) or replaced_inlines(old, new, make) if old != new else new

    def _entries(self, old: list[Entry], new: list[Entry], owner: t.Block) -> list[Entry]:
        """Compare a generated list (contents, references) entry by entry: each kept, inserted or deleted whole."""
        make = self.marker.maker(source_of(owner))
        entries: list[Entry] = []
        for kind, i1, i2, j1, j2 in _spans(common_pairs([_entry_key(e) for e in old], [_entry_key(e) for e in new]),
                                           len(old), len(new)):
            if kind == "same":
                entries.extend(new[j1:j2])
                continue
            entries.extend(_marked_entry(e, make("deleted")) for e in old[i1:i2])
            entries.extend(_marked_entry(e, make("inserted")) for e in new[j1:j2])
        return entries

    # Keys ----------------------------------------------------------------------

    def _keys(self, blocks: list[t.Block], path: tuple[str, ...]) -> list[Hashable]:
        """Key each block by source file, the headings above it and its content."""
        keys: list[Hashable] = []
        headings: list[tuple[int, str]] = []
        for block in blocks:
            keys.append((source_of(block), path + tuple(text for _, text in headings), self._signature(block)))
            if isinstance(block, t.Heading):
                headings = [h for h in headings if h[0] < block.level] + [(block.level, t.plain_text(block.children))]
        return keys

    def _signature(self, block: t.Block) -> str:
        known = self._signatures.get(id(block))
        if known is None:
            known = self._signatures[id(block)] = type(block).__name__ + signature([block])
        return known

    def _signature_of(self, blocks: list[t.Block]) -> str:
        return "\n".join(self._signature(b) for b in blocks)


Entry = TypeVar("Entry", t.BibEntry, t.ContentsEntry)


def _entry_key(entry: t.BibEntry | t.ContentsEntry) -> Hashable:
    if isinstance(entry, t.BibEntry):
        return entry.key, signature(entry.children)
    return entry.target, entry.level, entry.number, signature(entry.text)


def _marked_entry(entry: Entry, change: t.Change) -> Entry:
    if isinstance(entry, t.BibEntry):
        return replace(entry, children=[t.Changed(entry.children, change)])
    return replace(entry, text=[t.Changed(entry.text, change)])


def _spans(pairs: list[tuple[int, int]], old: int, new: int) -> list[tuple[str, int, int, int, int]]:
    """Return matched pairs as runs of the same blocks and the gaps between them."""
    spans: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    for a, b in [*pairs, (old, new)]:
        if a > i or b > j:
            spans.append(("gap", i, a, j, b))
        if a < old:
            spans.append(("same", a, a + 1, b, b + 1))
        i, j = a + 1, b + 1
    return spans


def _restyled(old: t.Block, new: t.Block) -> bool:
    """Tell whether two blocks hold the same words in another kind or style of block, paragraph for
    paragraph: a paragraph made a heading, a heading's level, a box's or a styled block's class. A box made
    plain (or a plain block boxed) changes shape, not style, and blocks that hold pictures or tables are
    replaced as before (writing their shape would add parts to the file)."""
    if isinstance(old, t.Para | t.Plain | t.Heading) and isinstance(new, t.Para | t.Plain | t.Heading):
        return (type(old), getattr(old, "level", 0)) != (type(new), getattr(new, "level", 0)) and \
            signature(old.children) == signature(new.children)
    if isinstance(old, t.Div) and isinstance(new, t.Div):
        return old.attr != new.attr and old.is_callout == new.is_callout and \
            old.attr.values.get("title") == new.attr.values.get("title") and \
            signature(old.blocks) == signature(new.blocks) and \
            not any(isinstance(b, t.Figure | t.Table) for b in t.walk(old.blocks))
    return False


def _replaced(old: t.Block, new: t.Block) -> list[Piece]:
    return [Piece("deleted", old), Piece("inserted", new)]


def _same_columns(old: t.Table, new: t.Table) -> bool:
    return [(c.name, c.kind) for c in old.columns] == [(c.name, c.kind) for c in new.columns] and \
        len(old.head) == len(new.head) and [_cells_text(r) for r in old.head] == [_cells_text(r) for r in new.head]


def _first_cell(row: t.Row) -> str:
    return _cells_text(row)[0] if row.cells else ""


def _cells_text(row: t.Row) -> list[str]:
    return [" ".join(_text(b) for b in cell.blocks) for cell in row.cells]


def _text(block: t.Block) -> str:
    return " ".join(t.plain_text(group) for b in t.walk([block]) for group in t.block_inlines(b))


def _similarity(old: t.Block, new: t.Block) -> float:
    """Return the share of words two blocks have in common, as difflib measures it."""
    matcher = difflib.SequenceMatcher(None, _text(old).split(), _text(new).split(), autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()
