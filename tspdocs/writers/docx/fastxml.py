"""Write the elements a document is mostly made of (paragraphs, runs, their properties, table rows and
cells) as XML directly.

python-docx adds each child by searching the parent for the place its schema
puts it (one `find` for every tag that may follow it; for the body, a scan of
every paragraph so far, to find `w:sectPr`), turns run text into XML one
character at a time, and spells every tag out from its prefix on each call;
together that was most of the DOCX writer's time. These helpers write the same
XML python-docx writes (so Word, the golden fixtures and every reader see no
difference) with plain lxml calls on tags spelled once; everything else still
goes through python-docx.
"""

from __future__ import annotations

import re

from docx.document import Document as DocxDocument
from docx.oxml.parser import oxml_parser
from docx.oxml.xmlchemy import BaseOxmlElement
from lxml.etree import SubElement  # type: ignore[import-untyped, unused-ignore]  # no stubs installed

W_URI = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{" + W_URI + "}"
VAL = f"{W}val"
P, P_PR, P_STYLE, R, R_PR, R_STYLE = f"{W}p", f"{W}pPr", f"{W}pStyle", f"{W}r", f"{W}rPr", f"{W}rStyle"
TEXT, TAB, BREAK, BODY, SECT_PR = f"{W}t", f"{W}tab", f"{W}br", f"{W}body", f"{W}sectPr"
KEEP_NEXT, ALIGN = f"{W}keepNext", f"{W}jc"
TABLE, TABLE_PR, GRID, GRID_COL = f"{W}tbl", f"{W}tblPr", f"{W}tblGrid", f"{W}gridCol"
ROW, ROW_PR, CELL, CELL_PR, CELL_WIDTH = f"{W}tr", f"{W}trPr", f"{W}tc", f"{W}tcPr", f"{W}tcW"
TYPE, WIDTH = f"{W}type", f"{W}w"
SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# The children of a `w:pPr` in the schema's order (ECMA-376 §17.3.1.26, as python-docx lists them).
PARAGRAPH_PROPERTIES = tuple(W + name for name in (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct",
    "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
    "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
    "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"))
_LATER = {tag: frozenset(PARAGRAPH_PROPERTIES[index + 1:]) for index, tag in enumerate(PARAGRAPH_PROPERTIES)}

# Run properties in the order the schema gives them (`w:rPr` is a sequence), each as the element written.
RUN_FLAGS = (("bold", f"{W}b", ""), ("italic", f"{W}i", ""), ("small_caps", f"{W}smallCaps", ""),
             ("strike", f"{W}strike", ""), ("underline", f"{W}u", "single"),
             ("superscript", f"{W}vertAlign", "superscript"), ("subscript", f"{W}vertAlign", "subscript"))
SPECIAL = re.compile(r"([\t\r\n])")


def new(tag: str) -> BaseOxmlElement:
    """Return a loose element `tag` (a `W` tag) of python-docx's class for it, as `OxmlElement` makes it."""
    return oxml_parser.makeelement(tag, nsmap={"w": W_URI})  # type: ignore[no-any-return]


def append_content(container: object, child: BaseOxmlElement) -> None:
    """Put a paragraph or table at the end of `container`'s content.

    The body ends with its section properties, so the child goes just before them; a table cell or a
    footnote ends with its content.
    """
    if isinstance(container, DocxDocument):
        body = container.element.find(BODY)
        last = body[-1] if len(body) else None
        if last is not None and last.tag == SECT_PR:
            last.addprevious(child)
        else:
            body.append(child)
    else:
        container._element.append(child)  # type: ignore[attr-defined]  # a cell's or a note's w:tc/w:footnote


def append_paragraph(container: object, style_id: str) -> BaseOxmlElement:
    """Add an empty `w:p` in paragraph style `style_id` at the end of `container`'s content."""
    paragraph = new(P)
    SubElement(SubElement(paragraph, P_PR), P_STYLE).set(VAL, style_id)
    append_content(container, paragraph)
    return paragraph


def paragraph_property(paragraph: BaseOxmlElement, tag: str) -> BaseOxmlElement:
    """Return the paragraph's property `tag` (`KEEP_NEXT`, `ALIGN`...), added where the schema puts it if
    the paragraph has none yet."""
    properties = paragraph[0] if len(paragraph) and paragraph[0].tag == P_PR else None
    if properties is None:
        properties = new(P_PR)
        paragraph.insert(0, properties)
    found = properties.find(tag)
    if found is not None:
        return found  # type: ignore[no-any-return]
    child = SubElement(properties, tag)
    later = _LATER[tag]
    after = next((node for node in properties if node.tag in later), None)
    if after is not None:
        after.addprevious(child)
    return child  # type: ignore[no-any-return]


def text_run(text: str, style_id: str | None = None, flags: frozenset[str] | set[str] = frozenset()) -> BaseOxmlElement:
    """Return a `w:r` showing `text` in character style `style_id` with the direct formatting `flags`
    (names from RUN_FLAGS): a tab is `w:tab` and a line end `w:br`, as python-docx writes them."""
    run = new(R)
    if style_id is not None or flags:
        properties = SubElement(run, R_PR)
        if style_id is not None:
            SubElement(properties, R_STYLE).set(VAL, style_id)
        for flag, tag, value in RUN_FLAGS:
            if flag in flags:
                node = SubElement(properties, tag)
                if value:
                    node.set(VAL, value)
    if text:
        add_text(run, text)
    return run


def add_text(run: BaseOxmlElement, text: str) -> None:
    """Append `text` to a run as python-docx's `Run.text` writes it: `w:t` pieces, a tab as `w:tab`, a line
    end as `w:br`, white space at either end of a piece kept with `xml:space`."""
    for index, piece in enumerate(SPECIAL.split(text)):
        if index % 2:
            SubElement(run, TAB if piece == "\t" else BREAK)
        elif piece:
            node = SubElement(run, TEXT)
            node.text = piece
            if len(piece.strip()) < len(piece):
                node.set(SPACE, "preserve")


def append_table(container: object, properties: list[BaseOxmlElement], widths: list[int]) -> BaseOxmlElement:
    """Add a `w:tbl` with `properties` (its `w:tblPr` children, in schema order) and a grid of columns
    `widths` twips wide at the end of `container`'s content; the caller adds the rows."""
    table = new(TABLE)
    table_pr = SubElement(table, TABLE_PR)
    for child in properties:
        table_pr.append(child)
    grid = SubElement(table, GRID)
    for width in widths:
        SubElement(grid, GRID_COL).set(WIDTH, str(width))
    append_content(container, table)
    return table


def append_row(table: BaseOxmlElement, widths: list[int], marks: tuple[str, ...] = ()) -> list[BaseOxmlElement]:
    """Add a row of empty cells `widths` twips wide (each as Word sizes it, `w:tcW`) and return the cells.

    `marks` are the row's properties (`w:tblHeader`, `w:cantSplit`, as `W` tags, in schema order)."""
    row = SubElement(table, ROW)
    if marks:
        row_pr = SubElement(row, ROW_PR)
        for tag in marks:
            SubElement(row_pr, tag)
    cells = []
    for width in widths:
        cell = SubElement(row, CELL)
        cell_width = SubElement(SubElement(cell, CELL_PR), CELL_WIDTH)
        cell_width.set(TYPE, "dxa")
        cell_width.set(WIDTH, str(width))
        cells.append(cell)
    return cells
