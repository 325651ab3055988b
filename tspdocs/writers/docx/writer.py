"""Walk the tree into a Word document made from the reference document's styles.

Everything is a real Word feature: named styles, `w:num` numbering, native
footnotes, SEQ captions with bookmarks, REF cross-references and TOC fields
whose cached text is already correct.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from docx.blkcntnr import BlockItemContainer
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Emu, Length
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from ... import tree as t
from ...labels import CAPTION_WORDS, CONTENTS_TITLES, label
from ...tree import plain_text
from ..base import Walker
from .fastxml import (
    ALIGN,
    VAL,
    P,
    W,
    append_content,
    append_paragraph,
    append_row,
    append_table,
    new,
    paragraph_property,
    text_run,
)
from .footnotes import Footnotes
from .lists import BULLET, HEADING, NUMBER, Numbering, set_numbering
from .ooxml import (
    add_break,
    add_field,
    add_hyperlink,
    begin_field,
    bookmark_end,
    bookmark_start,
    element,
    end_field,
    keep_with_next,
    set_alt_text,
)
from .revisions import count_runs, track_block, track_row, track_runs, track_style
from .styles import Styles
from .widths import column_widths

# A table row's properties. A header row repeats at the top of each page and tells assistive technology it
# is a header; no row is split across pages: a reader should not have to join a cell's two halves.
HEADER_ROW, BODY_ROW = (f"{W}tblHeader", f"{W}cantSplit"), (f"{W}cantSplit",)
# Div classes that the house style gives a paragraph style of their own (Pandoc's custom-style idea).
CLASS_STYLES = {"key-message": "Key Message", "finding-meta": "Finding Meta"}
MAX_FIGURE_WIDTH = Cm(15.5)
# Word's own names for caption sequences, which SEQ and TOC \c fields share whatever the caption's words.
SEQUENCES = {"table": "Table", "figure": "Figure"}


@dataclass(frozen=True)
class RunFormat:
    """The character formatting in force while writing a run."""

    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    link: bool = False
    superscript: bool = False
    subscript: bool = False
    small_caps: bool = False
    underline: bool = False


# Span classes citeproc (and editors) use for formatting that has a Word run property of its own.
SPAN_FORMATS = {"superscript": "superscript", "subscript": "subscript", "smallcaps": "small_caps",
                "underline": "underline"}

# Where paragraphs and tables go: the document body, or a table cell or footnote (both BlockItemContainers).
Container = DocxDocument | BlockItemContainer


@dataclass(frozen=True)
class ListNumber:
    """A list item's number. Word numbers paragraphs, not items, so the item's first paragraph carries it.

    `first` is that paragraph's serial: `State.paragraphs` when the item began. The item's later
    paragraphs written where it was (not in a table cell or a box inside it) continue it, unmarked.
    """

    style: str
    num_id: int
    level: int
    first: int
    container: Container


@dataclass(frozen=True)
class Env:
    """What is in force at one point of the walk, like Pandoc's `WriterEnv`.

    A child scope gets a changed copy (`dataclasses.replace`), so returning
    from it restores everything with no code to do it.

    Two things are for one paragraph only, the first one the scope writes: a
    list item's number and a footnote's number mark. That paragraph may be
    written anywhere below the scope (in a table cell, a callout, a nested
    quote), so a flag would have to be cleared from wherever it was used.
    Instead they name the paragraph by its serial, the count of paragraphs
    made when the scope began: only the next paragraph made has it, and
    nothing needs clearing. A list item that writes nothing leaves the
    enclosing item's number to the paragraph that follows it.
    """

    container: Container
    style: str = "Body Text"  # for new paragraphs
    list_level: int = -1
    number: ListNumber | None = None
    note_first: int | None = None  # serial of the footnote's first paragraph, which shows its number mark
    paragraph: Paragraph | None = None  # the paragraph inlines are written into
    link: BaseOxmlElement | None = None  # the `w:hyperlink` runs go into
    fmt: RunFormat = RunFormat()
    character_style: str | None = None  # a span's custom-style: the author's Word character style
    block: t.Block | None = None  # the innermost block from a known source line, which review anchors to

    def filling(self) -> Paragraph:
        """Return the paragraph being filled: inlines are only ever written inside one."""
        if self.paragraph is None:
            raise AssertionError("an inline was written outside a paragraph")
        return self.paragraph

    def formatted(self, **flags: bool) -> Env:
        """Return this scope with run formatting changed, for the children of Emph, Strong, Span..."""
        return replace(self, fmt=replace(self.fmt, **flags))


@dataclass
class State:
    """What the walk accumulates as it goes, in document order, like Pandoc's `WriterState`."""

    numbering: Numbering
    bookmarks: dict[str, str]  # label -> Word bookmark name, all named before writing
    last_id: int = 0  # the last w:id given: bookmarks and tracked changes share one counter per file
    paragraphs: int = 0  # paragraphs made so far, which is the next one's serial
    footnotes: Footnotes | None = None  # the footnotes part, added with the first note
    written: list[tuple[Paragraph, t.Block]] = field(default_factory=list)  # each paragraph and its block
    tracked: bool = False  # a redline: some changes are marked

    def new_id(self) -> int:
        """Return a `w:id` no other bookmark or tracked change in the file has."""
        self.last_id += 1
        return self.last_id


class DocxWriter(Walker):
    """Write the tree into a python-docx document.

    Every `block_*` and `inline_*` method takes the node and the `Env` it is
    written in, and passes its children a changed copy; what the walk
    accumulates is in `self.state`. Nothing else on the writer changes.
    """

    def __init__(self, document: DocxDocument, doc: t.Document) -> None:
        self.document = document
        self.styles = Styles(document)
        self.state = State(Numbering(document), _bookmark_names(doc))
        self.body = Env(container=document)  # the top level of the body: cover, abstract and text

    @contextmanager
    def bookmark(self, paragraph: Paragraph, ident: str) -> Iterator[None]:
        """Bookmark what the block writes into `paragraph`, if `ident` labels a cross-reference target."""
        name = self.state.bookmarks.get(ident)
        if name is None:
            yield
            return
        bookmark_id = self.state.new_id()
        bookmark_start(paragraph, bookmark_id, name)
        yield
        bookmark_end(paragraph, bookmark_id)

    def block(self, node: t.Block, *args: Any) -> Any:
        """Write a block, telling the paragraphs it makes which block (with a source line) they belong to."""
        env: Env = args[0]
        return super().block(node, replace(env, block=node) if node.loc and node.loc.line else env)

    def _footnotes(self) -> Footnotes:
        """Return the footnotes part, adding it with the first note: a document without notes has none."""
        if self.state.footnotes is None:
            self.state.footnotes = Footnotes(self.document, self.styles)
        return self.state.footnotes

    # Paragraph plumbing ------------------------------------------------------

    def new_paragraph(self, env: Env, style: str | None = None) -> Paragraph:
        """Add a paragraph where `env` writes, in `style` or the scope's.

        The first paragraph of a footnote starts with the note's number mark,
        and the first of a list item takes the item's list style and number.
        Every paragraph that gets content must be made here, as the serials
        count them; the empty ones that close a short row's cells are not.
        """
        serial = self.state.paragraphs
        self.state.paragraphs += 1
        number = env.number
        item = number if number is not None and number.first == serial else None  # the item's first paragraph
        style = item.style if item is not None else "Footnote Text" if env.note_first == serial else style or env.style
        p = append_paragraph(env.container, self.styles.id(style, "paragraph"))
        paragraph = Paragraph(p, env.container)
        if env.block is not None:
            self.state.written.append((paragraph, env.block))
        if env.note_first == serial:
            self._footnotes().start_note(paragraph)
        if item is not None:
            set_numbering(p, item.num_id, item.level)
        elif number is not None and env.container is number.container:
            continuation = self.state.numbering.continuation()
            if continuation is not None:
                set_numbering(p, continuation, number.level)
        return paragraph

    def fill(self, paragraph: Paragraph, inlines: list[t.Inline], env: Env) -> None:
        """Write `inlines` into `paragraph`, just made in the block scope `env`."""
        self.write_inlines(inlines, replace(env, paragraph=paragraph))

    def write_inlines(self, inlines: list[t.Inline], env: Env) -> None:
        for node in inlines:
            self.inline(node, env)

    def run(self, text: str, env: Env) -> None:
        if not text:  # markdown-it leaves empty text beside emphasis; Word needs no empty run for it
            return
        fmt = env.fmt
        # A run has one character style; what that style does not carry is set on the run itself, so
        # a link's emphasis and bold code keep their formatting.
        # An author's character style (custom-style on a span) wins, as in Pandoc.
        style = (env.character_style or ("Verbatim Char" if fmt.code else "Hyperlink" if fmt.link
                 else "Strong" if fmt.bold else "Emphasis" if fmt.italic else None))
        flags = {flag for flag in ("strike", "superscript", "subscript", "small_caps", "underline")
                 if getattr(fmt, flag)}
        if fmt.bold and (fmt.code or fmt.link or env.character_style):
            flags.add("bold")
        if fmt.italic and (fmt.code or fmt.link or fmt.bold or env.character_style):
            flags.add("italic")
        run = text_run(text, None if style is None else self.styles.id(style, "character"), flags)
        (env.link if env.link is not None else env.filling()._p).append(run)

    # Blocks ------------------------------------------------------------------

    def block_Para(self, node: t.Para, env: Env) -> None:
        self.fill(self.new_paragraph(env), node.children, env)

    def block_Plain(self, node: t.Plain, env: Env) -> None:
        self.fill(self.new_paragraph(env), node.children, env)

    def block_Heading(self, node: t.Heading, env: Env) -> None:
        paragraph = self.new_paragraph(env, f"Heading {min(node.level, 9)}")
        if node.number:
            set_numbering(paragraph._p, self.state.numbering.shared(HEADING), node.level - 1)
        with self.bookmark(paragraph, node.attr.id):
            self.fill(paragraph, node.children, env)

    def block_BulletList(self, node: t.BulletList, env: Env) -> None:
        self._list(node.items, "List Bullet", self.state.numbering.shared(BULLET), env)

    def block_OrderedList(self, node: t.OrderedList, env: Env) -> None:
        num_id = self.state.numbering.restarted(NUMBER, node.start, env.list_level + 1)
        self._list(node.items, "List Number", num_id, env)

    def _list(self, items: list[t.ListItem], base_style: str, num_id: int, env: Env) -> None:
        level = env.list_level + 1
        suffix = f" {min(level + 1, 3)}" if level else ""
        for item in items:
            number = ListNumber(base_style + suffix, num_id, level, self.state.paragraphs, env.container)
            inside = replace(env, style="List Continue" + suffix, list_level=level, number=number)
            self._item(item.blocks, inside)

    def _item(self, blocks: list[t.Block], inside: Env) -> None:
        """Write a list item's blocks, its number on the first paragraph.

        The marker goes on a paragraph of its own, not on a code block's, a box's or a table's first
        paragraph, which would lose their own style to the list's. An item a redline inserted or deleted
        whole opens with its `ChangedBlocks`; the marker's paragraph is then inside it, so it is marked
        with the item's text and accepting or rejecting leaves no empty numbered paragraph.
        """
        first = blocks[0] if blocks else None
        if isinstance(first, t.ChangedBlocks):
            self._changed(first.change, lambda: self._item(first.blocks, inside), inside)
            self.blocks(blocks[1:], inside)
            return
        if first is not None and not isinstance(first, t.Para | t.Plain):
            self.new_paragraph(inside)
        self.blocks(blocks, inside)

    def block_DefinitionList(self, node: t.DefinitionList, env: Env) -> None:
        for item in node.items:
            self.fill(self.new_paragraph(env, "Definition Term"), item.term, env)
            for definition in item.definitions:
                self.blocks(definition, replace(env, style="Definition"))

    def block_BlockQuote(self, node: t.BlockQuote, env: Env) -> None:
        self.blocks(node.blocks, replace(env, style="Quote"))

    def block_CodeBlock(self, node: t.CodeBlock, env: Env) -> None:
        paragraph = self.new_paragraph(env, "Source Code")
        for index, line in enumerate(node.text.split("\n")):
            run = paragraph.add_run(line)
            if index:
                run._r.addprevious(element("w:r"))
                run._r.getprevious().append(element("w:br"))

    def block_Rule(self, node: t.Rule, env: Env) -> None:
        self.new_paragraph(env, "Horizontal Rule")

    def block_PageBreak(self, node: t.PageBreak, env: Env) -> None:
        add_break(self.new_paragraph(env, "Body Text"))

    def block_Div(self, node: t.Div, env: Env) -> None:
        title = node.attr.values.get("title")
        if node.is_callout:
            self._callout(node.blocks, title, env)
            return
        custom = node.attr.values.get("custom-style")
        if custom is not None:
            self.styles.id(custom, "paragraph", node.loc)  # a name the author typed: a mistake is at their line
        custom = custom or next((CLASS_STYLES[c] for c in node.attr.classes if c in CLASS_STYLES), None)
        if title:
            self.new_paragraph(env, "Callout Title").add_run(title)
        self.blocks(node.blocks, env if custom is None else replace(env, style=custom))

    def _callout(self, blocks: list[t.Block], title: str | None, env: Env) -> None:
        """Box a callout as a one-cell table in the Callout Box style, with a spacer after it."""
        widths = [self._room(env)]
        # the width and look python-docx gives a new table, as callouts were always written
        look = element("w:tblLook", firstColumn="1", firstRow="1", lastColumn="0", lastRow="0", noHBand="0",
                       noVBand="1", val="04A0")
        table = self._add_table(env, "Callout Box", element("w:tblW", type="auto", w="0"), look, widths)
        inside = replace(env, container=_Cell(append_row(table._tbl, widths)[0], table), style="Callout Text")
        if title:
            self.new_paragraph(inside, "Callout Title").add_run(title)
        self.blocks(blocks, inside)
        self.new_paragraph(env, "Spacer")

    def block_Table(self, node: t.Table, env: Env) -> None:
        if node.caption:
            self._caption(node.caption, "table", node.number, node.attr.id, env, before=True)
        rows = [*node.head, *node.body, *node.foot]
        columns = max((len(r.cells) for r in rows), default=len(node.columns)) or 1
        widths = column_widths(node, columns, self._room(env))
        # Which conditional formats of the table style apply: header row, totals row, row headers.
        look = element("w:tblLook", firstRow="1", lastRow="1" if node.foot else "0",
                       firstColumn="1" if node.row_headers > 0 else "0", lastColumn="0", noHBand="0", noVBand="1")
        table = self._add_table(env, "Data Table", element("w:tblW", type="pct", w="5000"), look, widths)
        for row_index, row in enumerate(rows):
            header = row_index < len(node.head)  # repeated on each page, and kept with the first body row
            cells = append_row(table._tbl, widths, HEADER_ROW if header else BODY_ROW)
            for cell, tc in zip(row.cells, cells, strict=False):
                self._cell(_Cell(tc, table), cell, env, header_row=header)
            for tc in cells[len(row.cells):]:  # a short row leaves its last cells empty
                tc.append(new(P))
            if row.change is not None:
                track_row(cells[0].getparent(), row.change, self.state.new_id)
        if node.notes:
            self.blocks(node.notes, replace(env, style="Table Note"))
        self.new_paragraph(env, "Spacer")  # the text after a table does not touch its last rule or note

    def _add_table(self, env: Env, style: str, width: BaseOxmlElement, look: BaseOxmlElement,
                   widths: list[int]) -> DocxTable:
        """Add a table in `style`, of `width` and `look` (its `w:tblW` and `w:tblLook`) and with columns
        `widths` twips wide, to whatever holds the writing now: the body, a table cell or a footnote."""
        properties = [element("w:tblStyle", val=self.styles.id(style, "table")), width, look]
        if indent := self._item_indent(env):  # inside a list item: at its text (and the caller's room is less)
            properties.insert(2, element("w:tblInd", w=str(indent), type="dxa"))
        table = append_table(env.container, properties, widths)
        if isinstance(env.container, _Cell):  # Word requires a cell to end with a paragraph
            append_content(env.container, new(P))
        return DocxTable(table, env.container)

    def _item_indent(self, env: Env) -> int:
        """Return the indent of the list item `env` writes directly in (not in a cell inside it), or 0."""
        number = env.number
        if number is None or env.container is not number.container:
            return 0
        return self.state.numbering.text_indent(number.num_id, number.level)

    def _room(self, env: Env) -> int:
        """Return the width in twips a table has where `env` writes: its cell's, or the page's text width."""
        container = env.container
        if isinstance(container, _Cell) and container.width is not None:
            return int(container.width.twips) - self._item_indent(env)
        return int(self.document._block_width.twips) - self._item_indent(env)

    def _cell(self, docx_cell: _Cell, cell: t.Cell, env: Env, *, header_row: bool) -> None:
        """Write a table cell's blocks into `docx_cell`, aligned as the cell says; a header row's paragraphs
        are kept with the next row."""
        self.blocks(cell.blocks, replace(env, container=docx_cell, style="Compact"))
        tc = docx_cell._tc
        if tc.find(P) is None:  # Word requires a cell to end with a paragraph
            append_paragraph(docx_cell, self.styles.id("Compact", "paragraph"))
        for paragraph in tc.iterchildren(P):
            if cell.align:
                paragraph_property(paragraph, ALIGN).set(VAL, cell.align)
            if header_row:
                keep_with_next(paragraph)

    def _caption(self, caption: list[t.Inline], kind: str, number: str, ident: str, env: Env, *,
                 before: bool) -> None:
        """Write "Table 3: ..." with a SEQ field for the number, bookmarked for REF fields to point at."""
        paragraph = self.new_paragraph(env, "Caption")
        if before:
            keep_with_next(paragraph._p)
        with self.bookmark(paragraph, ident):
            paragraph.add_run(f"{label(kind)} ")
            add_field(paragraph, f"SEQ {SEQUENCES[kind]} \\* ARABIC", number)
        paragraph.add_run(": ")
        self.fill(paragraph, caption, env)

    def block_Figure(self, node: t.Figure, env: Env) -> None:
        image = node.image
        paragraph = self.new_paragraph(env, "Figure")
        keep_with_next(paragraph._p)
        data = image.raster or image.data
        if data is None:
            raise AssertionError(f"figure image {image.src} was not loaded before writing")
        width = min(MAX_FIGURE_WIDTH, _pixels(image.width_px)) if image.width_px else MAX_FIGURE_WIDTH
        picture = paragraph.add_run().add_picture(io.BytesIO(data), width=width)
        set_alt_text(picture._inline, image.alt, plain_text(node.caption))
        if node.notes:
            self.blocks(node.notes, replace(env, style="Table Note"))
        if node.caption:
            self._caption(node.caption, "figure", node.number, node.attr.id, env, before=False)

    def block_Contents(self, node: t.Contents, env: Env) -> None:
        """Write a TOC field whose cached result is already the entries, each linked to its bookmark."""
        if not node.entries:
            return
        self.new_paragraph(env, "TOC Heading").add_run(node.title or label(CONTENTS_TITLES[node.kind]))
        instruction, word = _toc_field(node)
        paragraphs: list[Paragraph] = []
        for entry in node.entries:
            style = f"TOC {min(entry.level, 9)}" if node.kind == "sections" else "Table of Figures"
            paragraph = self.new_paragraph(env, style)
            if not paragraphs:
                begin_field(paragraph, f"TOC {instruction}", dirty=True)
            paragraphs.append(paragraph)
            self._toc_entry(paragraph, entry, word, env)
        end_field(paragraphs[-1])

    def _toc_entry(self, paragraph: Paragraph, entry: t.ContentsEntry, word: str, env: Env) -> None:
        link = add_hyperlink(paragraph, anchor=self.state.bookmarks.get(entry.target, ""))
        inside = replace(env, paragraph=paragraph, link=link)
        number = f"{word} {entry.number}: " if word else (f"{entry.number}\t" if entry.number else "")
        if number:  # an entry inserted or deleted is so with its number
            changed = entry.text[0] if len(entry.text) == 1 and isinstance(entry.text[0], t.Changed) else None
            if changed is None:
                self.run(number, inside)
            else:
                self.inline(t.Changed([t.Text(number)], changed.change), inside)
        self.write_inlines(entry.text, inside)

    def block_ChangedBlocks(self, node: t.ChangedBlocks, env: Env) -> None:
        self._changed(node.change, lambda: self.blocks(node.blocks, env), env)

    def _changed(self, change: t.Change, write: Callable[[], None], env: Env) -> None:
        """Write blocks inserted or deleted whole (`write`), then mark their runs, paragraph marks and rows."""
        container = _element_of(env.container)
        before = set(container)
        write()
        self.state.tracked = True
        for top in [child for child in container if child not in before]:
            track_block(top, change, self.state.new_id)

    def block_Restyled(self, node: t.Restyled, env: Env) -> None:
        """Write the new block with each paragraph's old properties kept as a style change.

        The old block's shape (no words, no labels) is written first to learn its paragraphs' properties,
        then taken out again with the serials it used, so list numbers, notes and anchors fall on the new
        paragraphs as if the old had never been written. Both have the same paragraphs, one for one.
        """
        container = _element_of(env.container)
        serial, written, before = self.state.paragraphs, len(self.state.written), set(container)
        self.block(node.old, env)
        scratch = [child for child in container if child not in before]
        old = [paragraph.find(qn("w:pPr")) for top in scratch for paragraph in top.iter(qn("w:p"))]
        for top in scratch:
            container.remove(top)
        self.state.paragraphs = serial
        del self.state.written[written:]
        before = set(container)
        self.block(node.block, env)
        new = [paragraph for top in container if top not in before for paragraph in top.iter(qn("w:p"))]
        for paragraph, properties in zip(new, old, strict=True):
            track_style(paragraph, properties, node.change, self.state.new_id)
        self.state.tracked = True

    def block_Bibliography(self, node: t.Bibliography, env: Env) -> None:
        if not node.entries:
            return
        self.new_paragraph(env, "Heading 1").add_run(node.title or label("references"))
        for entry in node.entries:
            self.fill(self.new_paragraph(env, "Bibliography"), entry.children, env)

    # Inlines -----------------------------------------------------------------

    def inline_Text(self, node: t.Text, env: Env) -> None:
        self.run(node.text, env)

    def inline_SoftBreak(self, node: t.SoftBreak, env: Env) -> None:
        self.run(" ", env)

    def inline_LineBreak(self, node: t.LineBreak, env: Env) -> None:
        env.filling().add_run().add_break()

    def inline_Emph(self, node: t.Emph, env: Env) -> None:
        self.write_inlines(node.children, env.formatted(italic=not env.fmt.italic))

    def inline_Strong(self, node: t.Strong, env: Env) -> None:
        self.write_inlines(node.children, env.formatted(bold=True))

    def inline_Strike(self, node: t.Strike, env: Env) -> None:
        self.write_inlines(node.children, env.formatted(strike=True))

    def inline_Code(self, node: t.Code, env: Env) -> None:
        self.run(node.text, env.formatted(code=True))

    def inline_Span(self, node: t.Span, env: Env) -> None:
        flags = {SPAN_FORMATS[c]: True for c in node.attr.classes if c in SPAN_FORMATS}
        env = env.formatted(**flags)
        custom = node.attr.values.get("custom-style")
        if custom is not None:
            self.styles.id(custom, "character", node.loc)  # a name the author typed: a mistake is at their line
            env = replace(env, character_style=custom)
        self.write_inlines(node.children, env)

    def inline_Link(self, node: t.Link, env: Env) -> None:
        paragraph = env.filling()
        if node.url.startswith("#"):
            link = add_hyperlink(paragraph, anchor=self.state.bookmarks.get(node.url[1:], node.url[1:]))
        else:
            link = add_hyperlink(paragraph, url=node.url)
        self.write_inlines(node.children, replace(env.formatted(link=True), link=link))

    def inline_Image(self, node: t.Image, env: Env) -> None:
        data = node.raster or node.data
        if data is None:
            raise AssertionError(f"image {node.src} was not loaded before writing")
        width = min(MAX_FIGURE_WIDTH, _pixels(node.width_px)) if node.width_px else None
        picture = env.filling().add_run().add_picture(io.BytesIO(data), width=width)  # its own height
        set_alt_text(picture._inline, node.alt)

    def inline_Note(self, node: t.Note, env: Env) -> None:
        """Call a footnote here and write its blocks into it.

        A note is a story of its own: a fresh `Env`, so nothing of the list,
        link or formatting around the call reaches into it.
        """
        note = self._footnotes().add(env.filling())
        inside = Env(container=note, style="Footnote Text", note_first=self.state.paragraphs)
        self.blocks(node.blocks, inside)
        if self.state.paragraphs == inside.note_first:  # an empty note still needs its number mark
            self.new_paragraph(inside)

    def inline_Changed(self, node: t.Changed, env: Env) -> None:
        paragraph = env.filling()._p
        start = count_runs(paragraph)
        self.write_inlines(node.children, env)
        self.state.tracked = True
        track_runs(paragraph, start, node.change, self.state.new_id)

    def inline_Cite(self, node: t.Cite, env: Env) -> None:
        self.write_inlines(node.children, env)

    def inline_Ref(self, node: t.Ref, env: Env) -> None:
        bookmark = self.state.bookmarks.get(node.target)
        text = plain_text(node.children)
        if bookmark is None:
            self.run(text, env)
            return
        if node.kind == "sec" and node.number:
            self.run(node.prefix, env)
            add_field(env.filling(), f"REF {bookmark} \\r \\h", node.number)
        else:
            add_field(env.filling(), f"REF {bookmark} \\h", text)

    def inline_Quantity(self, node: t.Quantity, env: Env) -> None:
        self.run(node.text, env)

    def inline_Shortcode(self, node: t.Shortcode, env: Env) -> None:
        raise AssertionError(f"shortcode {node.name} reached the DOCX writer unresolved")


def _pixels(count: int) -> Length:
    """Return the length of `count` CSS pixels (1/96 inch), the size HTML shows a picture at."""
    return Emu(count * 9525)


def _element_of(container: Container) -> BaseOxmlElement:
    """Return the XML element a container adds its paragraphs and tables to."""
    if isinstance(container, DocxDocument):
        return container.element.body  # type: ignore[no-any-return]
    return container._element


def _bookmark_names(doc: t.Document) -> dict[str, str]:
    """Name a Word bookmark for every label, before writing, so forward references resolve."""
    names: dict[str, str] = {}
    for block in t.walk(doc.blocks):
        ident = getattr(getattr(block, "attr", None), "id", "")
        if ident and isinstance(block, t.Heading | t.Table | t.Figure):
            base = "_Ref_" + re.sub(r"\W", "_", ident)[:30]
            name, n = base, 1
            while name in names.values():
                n += 1
                name = f"{base[:36]}_{n}"
            names[ident] = name
    return names


def _toc_field(node: t.Contents) -> tuple[str, str]:
    """Return the TOC field's switches, and the caption word its entries start with (none for sections)."""
    if node.kind == "sections":
        return f'\\o "1-{node.depth}" \\h \\z \\u', ""
    kind = CAPTION_WORDS[node.kind]
    return f'\\h \\z \\c "{SEQUENCES[kind]}"', label(kind)
