"""Write the two elements a document is mostly made of, paragraphs and text runs, as XML directly.

python-docx adds each child by searching the parent for the place its schema
puts it (for the body, a scan of every paragraph so far, to find `w:sectPr`),
and turns run text into XML one character at a time; together that was over
half the DOCX writer's time. These helpers write the same XML python-docx
writes (so Word, the golden fixtures and every reader see no difference)
with plain lxml calls; everything else still goes through python-docx.
"""

from __future__ import annotations

import re

from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from lxml.etree import SubElement  # type: ignore[import-untyped, unused-ignore]  # no stubs installed

# Run properties in the order the schema gives them (`w:rPr` is a sequence), each as the element written.
RUN_FLAGS = (("bold", "w:b", ""), ("italic", "w:i", ""), ("small_caps", "w:smallCaps", ""),
             ("strike", "w:strike", ""), ("underline", "w:u", "single"),
             ("superscript", "w:vertAlign", "superscript"), ("subscript", "w:vertAlign", "subscript"))
SPECIAL = re.compile(r"([\t\r\n])")


def append_paragraph(container: object, style_id: str) -> BaseOxmlElement:
    """Add an empty `w:p` in paragraph style `style_id` at the end of `container`'s content.

    The body ends with its section properties, so a paragraph goes just before them; a table cell or a
    footnote ends with its content.
    """
    paragraph = OxmlElement("w:p")
    SubElement(SubElement(paragraph, qn("w:pPr")), qn("w:pStyle")).set(qn("w:val"), style_id)
    if isinstance(container, DocxDocument):
        body = container.element.body
        last = body[-1] if len(body) else None
        if last is not None and last.tag == qn("w:sectPr"):
            last.addprevious(paragraph)
        else:
            body.append(paragraph)
    else:
        container._element.append(paragraph)  # type: ignore[attr-defined]  # a cell's or a note's w:tc/w:footnote
    return paragraph


def text_run(text: str, style_id: str | None, flags: set[str]) -> BaseOxmlElement:
    """Return a `w:r` showing `text` in character style `style_id` with the direct formatting `flags`
    (names from RUN_FLAGS): a tab is `w:tab` and a line end `w:br`, as python-docx writes them."""
    run = OxmlElement("w:r")
    if style_id is not None or flags:
        properties = SubElement(run, qn("w:rPr"))
        if style_id is not None:
            SubElement(properties, qn("w:rStyle")).set(qn("w:val"), style_id)
        for flag, tag, value in RUN_FLAGS:
            if flag in flags:
                node = SubElement(properties, qn(tag))
                if value:
                    node.set(qn("w:val"), value)
    for index, piece in enumerate(SPECIAL.split(text)):
        if index % 2:
            SubElement(run, qn("w:tab" if piece == "\t" else "w:br"))
        elif piece:
            node = SubElement(run, qn("w:t"))
            node.text = piece
            if len(piece.strip()) < len(piece):
                node.set(qn("xml:space"), "preserve")
    return run
