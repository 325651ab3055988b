"""Walk the tree into a Word document made from the reference document's styles.

Everything is a real Word feature: named styles, `w:num` numbering, native
footnotes, SEQ captions with bookmarks, REF cross-references and TOC fields
whose cached text is already correct.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from ... import tree as t
from ...tree import plain_text
from ..base import Walker
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
    mark_header_row,
    set_alt_text,
)
from .styles import Styles

ALIGN = {"right": WD_ALIGN_PARAGRAPH.RIGHT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "left": WD_ALIGN_PARAGRAPH.LEFT}
CALLOUT_CLASSES = ("key-messages", "callout-note", "callout-tip", "callout-important", "callout-warning",
                   "callout-caution", "callout")
# Div classes that the house style gives a paragraph style of their own (Pandoc's custom-style idea).
CLASS_STYLES = {"key-message": "Key Message", "finding-meta": "Finding Meta"}
MAX_FIGURE_WIDTH = Cm(15.5)


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


class DocxWriter(Walker):
    def __init__(self, document: DocxDocument, doc: t.Document) -> None:
        self.document = document
        self.doc = doc
        self.container = document
        self.styles = Styles(document)
        self.numbering = Numbering(document)
        self._footnotes: Footnotes | None = None
        self.paragraph_style = "Body Text"
        self.list_level = -1
        self.pending_list: tuple[str, int, int] | None = None
        self.note_start = False
        self.paragraph: Paragraph | None = None
        self.link: object | None = None
        self.bookmark_ids = 0
        self.bookmarks: dict[str, str] = {}
        self._collect_bookmarks()

    # Bookmarks ---------------------------------------------------------------

    def _collect_bookmarks(self) -> None:
        """Name a Word bookmark for every label, before writing, so forward references resolve."""
        for block in t.walk(self.doc.blocks):
            ident = getattr(getattr(block, "attr", None), "id", "")
            if ident and isinstance(block, t.Heading | t.Table | t.Figure):
                base = "_Ref_" + re.sub(r"\W", "_", ident)[:30]
                name, n = base, 1
                while name in self.bookmarks.values():
                    n += 1
                    name = f"{base[:36]}_{n}"
                self.bookmarks[ident] = name

    @contextmanager
    def bookmark(self, paragraph: Paragraph, ident: str) -> Iterator[None]:
        name = self.bookmarks.get(ident)
        if name is None:
            yield
            return
        self.bookmark_ids += 1
        bookmark_id = self.bookmark_ids
        bookmark_start(paragraph, bookmark_id, name)
        yield
        bookmark_end(paragraph, bookmark_id)

    # Paragraph plumbing ------------------------------------------------------

    def new_paragraph(self, style: str | None = None) -> Paragraph:
        paragraph = self.container.add_paragraph()
        self.styles.paragraph(paragraph, style or self.paragraph_style)
        if self.note_start:
            self._footnotes.start_note(paragraph)  # type: ignore[union-attr]
            self.note_start = False
        if self.pending_list is not None:
            list_style, num_id, level = self.pending_list
            self.styles.paragraph(paragraph, list_style)
            set_numbering(paragraph, num_id, level)
            self.pending_list = None
        return paragraph

    @contextmanager
    def context(self, *, style: str | None = None, container: object | None = None) -> Iterator[None]:
        saved = (self.paragraph_style, self.container, self.paragraph)
        if style is not None:
            self.paragraph_style = style
        if container is not None:
            self.container = container  # type: ignore[assignment]
        try:
            yield
        finally:
            self.paragraph_style, self.container, self.paragraph = saved

    def write_inlines(self, paragraph: Paragraph, inlines: list[t.Inline], fmt: RunFormat = RunFormat()) -> None:
        saved = self.paragraph
        self.paragraph = paragraph
        for node in inlines:
            self.inline_with(node, fmt)
        self.paragraph = saved

    def inline_with(self, node: t.Inline, fmt: RunFormat) -> None:
        method = getattr(self, "inline_" + type(node).__name__)
        method(node, fmt)

    def run(self, text: str, fmt: RunFormat) -> None:
        assert self.paragraph is not None
        run = self.paragraph.add_run(text)
        if fmt.code:
            self.styles.run(run, "Verbatim Char")
        elif fmt.link:
            self.styles.run(run, "Hyperlink")
        elif fmt.bold:
            self.styles.run(run, "Strong")
            run.italic = fmt.italic or None
        elif fmt.italic:
            self.styles.run(run, "Emphasis")
        if fmt.strike:
            run.font.strike = True
        for flag in ("superscript", "subscript", "small_caps", "underline"):
            if getattr(fmt, flag):
                setattr(run.font, flag, True)
        if self.link is not None:
            self.link.append(run._r)  # type: ignore[attr-defined]

    # Blocks ------------------------------------------------------------------

    def block_Para(self, node: t.Para) -> None:
        self.write_inlines(self.new_paragraph(), node.children)

    def block_Plain(self, node: t.Plain) -> None:
        self.write_inlines(self.new_paragraph(), node.children)

    def block_Heading(self, node: t.Heading) -> None:
        paragraph = self.new_paragraph(f"Heading {min(node.level, 9)}")
        if node.number:
            set_numbering(paragraph, self.numbering.shared(HEADING), node.level - 1)
        with self.bookmark(paragraph, node.attr.id):
            self.write_inlines(paragraph, node.children)

    def block_BulletList(self, node: t.BulletList) -> None:
        self._list(node.items, "List Bullet", self.numbering.shared(BULLET))

    def block_OrderedList(self, node: t.OrderedList) -> None:
        self._list(node.items, "List Number", self.numbering.restarted(NUMBER, node.start))

    def _list(self, items: list[t.ListItem], base_style: str, num_id: int) -> None:
        self.list_level += 1
        level = self.list_level
        suffix = f" {min(level + 1, 3)}" if level else ""
        try:
            for item in items:
                # An item that writes no paragraph leaves an enclosing item's number for the next one.
                outer = self.pending_list
                mine = self.pending_list = (base_style + suffix, num_id, level)
                with self.context(style="List Continue" + suffix):
                    self.blocks(item.blocks)
                self.pending_list = outer if self.pending_list is mine else None
        finally:
            self.list_level -= 1

    def block_DefinitionList(self, node: t.DefinitionList) -> None:
        for item in node.items:
            self.write_inlines(self.new_paragraph("Definition Term"), item.term)
            for definition in item.definitions:
                with self.context(style="Definition"):
                    self.blocks(definition)

    def block_BlockQuote(self, node: t.BlockQuote) -> None:
        with self.context(style="Quote"):
            self.blocks(node.blocks)

    def block_CodeBlock(self, node: t.CodeBlock) -> None:
        paragraph = self.new_paragraph("Source Code")
        for index, line in enumerate(node.text.split("\n")):
            run = paragraph.add_run(line)
            if index:
                run._r.addprevious(element("w:r"))
                run._r.getprevious().append(element("w:br"))

    def block_Rule(self, node: t.Rule) -> None:
        self.new_paragraph("Horizontal Rule")

    def block_PageBreak(self, node: t.PageBreak) -> None:
        add_break(self.new_paragraph("Body Text"))

    def block_Div(self, node: t.Div) -> None:
        custom = node.attr.values.get("custom-style") or next(
            (CLASS_STYLES[c] for c in node.attr.classes if c in CLASS_STYLES), None)
        title = node.attr.values.get("title")
        if not any(c in CALLOUT_CLASSES or c.startswith("callout") for c in node.attr.classes):
            if title:
                self.new_paragraph("Callout Title").add_run(title)
            with self.context(style=custom):
                self.blocks(node.blocks)
            return
        table = self._add_table(1, 1)
        self.styles.table(table, "Callout Box")
        cell = table.cell(0, 0)
        cell._tc.remove(cell.paragraphs[0]._p)
        with self.context(container=cell, style="Callout Text"):
            if title:
                self.new_paragraph("Callout Title").add_run(title)
            self.blocks(node.blocks)
        self.new_paragraph("Spacer")

    def block_Table(self, node: t.Table) -> None:
        if node.caption:
            self._caption(node.caption, "Table", node.number, node.attr.id, before=True)
        rows = [*node.head, *node.body, *node.foot]
        columns = max((len(r.cells) for r in rows), default=len(node.columns)) or 1
        table = self._add_table(len(rows), columns)
        self.styles.table(table, "Data Table")
        _table_look(table, foot=bool(node.foot), row_headers=node.row_headers > 0)
        for row_index, (row, docx_row) in enumerate(zip(rows, table.rows)):
            if row_index < len(node.head):
                mark_header_row(docx_row._tr)
            for cell, docx_cell in zip(row.cells, docx_row.cells):  # table.cell() rescans the whole table
                self._cell(docx_cell, cell)
        if node.notes:
            with self.context(style="Table Note"):
                self.blocks(node.notes)

    def _add_table(self, rows: int, columns: int) -> DocxTable:
        """Add a table to whatever holds the writing now: the body, a table cell or a footnote."""
        if self.container is self.document or isinstance(self.container, _Cell):
            return self.container.add_table(rows, columns)  # width: the page's, or the cell's
        return self.container.add_table(rows, columns, self.document._block_width)  # type: ignore[call-arg]

    def _cell(self, docx_cell: object, cell: t.Cell) -> None:
        tc = docx_cell._tc  # type: ignore[attr-defined]
        tc.remove(docx_cell.paragraphs[0]._p)  # type: ignore[attr-defined]
        with self.context(container=docx_cell, style="Compact"):
            self.blocks(cell.blocks)
        if not docx_cell.paragraphs:  # type: ignore[attr-defined]
            self.styles.paragraph(docx_cell.add_paragraph(), "Compact")  # type: ignore[attr-defined]
        if cell.align:
            for paragraph in docx_cell.paragraphs:  # type: ignore[attr-defined]
                paragraph.alignment = ALIGN[cell.align]

    def _caption(self, caption: list[t.Inline], word: str, number: str, ident: str, *, before: bool) -> None:
        paragraph = self.new_paragraph("Caption")
        if before:
            keep_with_next(paragraph)
        with self.bookmark(paragraph, ident):
            paragraph.add_run(f"{word} ")
            add_field(paragraph, f"SEQ {word} \\* ARABIC", number)
        paragraph.add_run(": ")
        self.write_inlines(paragraph, caption)

    def block_Figure(self, node: t.Figure) -> None:
        image = node.image
        paragraph = self.new_paragraph("Figure")
        keep_with_next(paragraph)
        data = image.raster or image.data
        if data is None:
            raise AssertionError(f"figure image {image.src} was not loaded before writing")
        width = MAX_FIGURE_WIDTH
        if image.width_px:
            width = min(MAX_FIGURE_WIDTH, Cm(image.width_px / 96 * 2.54))
        picture = paragraph.add_run().add_picture(io.BytesIO(data), width=width)
        set_alt_text(picture._inline, image.alt, plain_text(node.caption))
        if node.notes:
            with self.context(style="Table Note"):
                self.blocks(node.notes)
        if node.caption:
            self._caption(node.caption, "Figure", node.number, node.attr.id, before=False)

    def block_Contents(self, node: t.Contents) -> None:
        if not node.entries:
            return
        default_title = {"sections": "Contents", "tables": "Tables", "figures": "Figures"}[node.kind]
        self.new_paragraph("TOC Heading").add_run(node.title or default_title)
        if node.kind == "sections":
            instruction, word = f'\\o "1-{node.depth}" \\h \\z \\u', ""
        else:
            word = "Table" if node.kind == "tables" else "Figure"
            instruction = f'\\h \\z \\c "{word}"'
        first = True
        paragraph = None
        for entry in node.entries:
            style = f"TOC {min(entry.level, 9)}" if node.kind == "sections" else "Table of Figures"
            paragraph = self.new_paragraph(style)
            if first:
                begin_field(paragraph, f"TOC {instruction}", dirty=True)
                first = False
            link = add_hyperlink(paragraph, anchor=self.bookmarks.get(entry.target, ""))
            saved, self.link = self.link, link
            label = f"{word} {entry.number}: " if word else (f"{entry.number}\t" if entry.number else "")
            self.paragraph = paragraph
            if label:
                self.run(label, RunFormat())
            self.write_inlines(paragraph, entry.text)
            self.link = saved
        if paragraph is not None:
            end_field(paragraph)

    def block_Bibliography(self, node: t.Bibliography) -> None:
        if not node.entries:
            return
        self.new_paragraph("Heading 1").add_run(node.title)
        for entry in node.entries:
            self.write_inlines(self.new_paragraph("Bibliography"), entry.children)

    # Inlines -----------------------------------------------------------------

    def inline_Text(self, node: t.Text, fmt: RunFormat) -> None:
        self.run(node.text, fmt)

    def inline_SoftBreak(self, node: t.SoftBreak, fmt: RunFormat) -> None:
        self.run(" ", fmt)

    def inline_LineBreak(self, node: t.LineBreak, fmt: RunFormat) -> None:
        assert self.paragraph is not None
        self.paragraph.add_run().add_break()

    def inline_Emph(self, node: t.Emph, fmt: RunFormat) -> None:
        for child in node.children:
            self.inline_with(child, replace(fmt, italic=not fmt.italic))

    def inline_Strong(self, node: t.Strong, fmt: RunFormat) -> None:
        for child in node.children:
            self.inline_with(child, replace(fmt, bold=True))

    def inline_Strike(self, node: t.Strike, fmt: RunFormat) -> None:
        for child in node.children:
            self.inline_with(child, replace(fmt, strike=True))

    def inline_Code(self, node: t.Code, fmt: RunFormat) -> None:
        self.run(node.text, replace(fmt, code=True))

    def inline_Span(self, node: t.Span, fmt: RunFormat) -> None:
        flags = {SPAN_FORMATS[c]: True for c in node.attr.classes if c in SPAN_FORMATS}
        for child in node.children:
            self.inline_with(child, replace(fmt, **flags))

    def inline_Link(self, node: t.Link, fmt: RunFormat) -> None:
        assert self.paragraph is not None
        if node.url.startswith("#"):
            link = add_hyperlink(self.paragraph, anchor=self.bookmarks.get(node.url[1:], node.url[1:]))
        else:
            link = add_hyperlink(self.paragraph, url=node.url)
        saved, self.link = self.link, link
        for child in node.children:
            self.inline_with(child, replace(fmt, link=True))
        self.link = saved

    def inline_Image(self, node: t.Image, fmt: RunFormat) -> None:
        assert self.paragraph is not None
        data = node.raster or node.data
        if data is None:
            raise AssertionError(f"image {node.src} was not loaded before writing")
        picture = self.paragraph.add_run().add_picture(io.BytesIO(data), height=Pt(11))
        set_alt_text(picture._inline, node.alt)

    def inline_Note(self, node: t.Note, fmt: RunFormat) -> None:
        assert self.paragraph is not None
        if self._footnotes is None:
            self._footnotes = Footnotes(self.document, self.styles)
        note = self._footnotes.add(self.paragraph)
        # The note is a story of its own: a list or link around its call does not reach into it.
        pending, level, link = self.pending_list, self.list_level, self.link
        self.pending_list, self.list_level, self.link = None, -1, None
        with self.context(container=note, style="Footnote Text"):
            self.note_start = True
            self.blocks(node.blocks)
            if self.note_start:  # an empty note still needs its number mark
                self.new_paragraph()
        self.pending_list, self.list_level, self.link = pending, level, link

    def inline_Cite(self, node: t.Cite, fmt: RunFormat) -> None:
        for child in node.children:
            self.inline_with(child, fmt)

    def inline_Ref(self, node: t.Ref, fmt: RunFormat) -> None:
        assert self.paragraph is not None
        bookmark = self.bookmarks.get(node.target)
        text = plain_text(node.children)
        if bookmark is None:
            self.run(text, fmt)
            return
        if node.kind == "sec" and node.number:
            self.run(node.prefix, fmt)
            add_field(self.paragraph, f"REF {bookmark} \\r \\h", node.number)
        else:
            add_field(self.paragraph, f"REF {bookmark} \\h", text)

    def inline_Shortcode(self, node: t.Shortcode, fmt: RunFormat) -> None:
        raise AssertionError(f"shortcode {node.name} reached the DOCX writer unresolved")


def _table_look(table: DocxTable, *, foot: bool, row_headers: bool) -> None:
    """Tell the table style which conditional formats apply: header row, totals row, row headers."""
    tbl_pr = table._tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblLook")):
        tbl_pr.remove(old)
    look = element("w:tblLook", firstRow="1", lastRow="1" if foot else "0",
                   firstColumn="1" if row_headers else "0", lastColumn="0", noHBand="0", noVBand="1")
    tbl_pr.append(look)
    width = tbl_pr.find(qn("w:tblW"))
    if width is None:
        width = element("w:tblW")
        tbl_pr.append(width)
    width.set(qn("w:type"), "pct")
    width.set(qn("w:w"), "5000")
