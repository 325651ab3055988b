"""Small OOXML helpers for what python-docx has no API for: fields, bookmarks, hyperlinks, alt text.

Each helper writes the WordprocessingML that Word itself writes for the
feature, so Word's own commands (Update Field, Insert Cross-reference,
Accessibility Checker) work on the result.
"""

from __future__ import annotations

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph
from docx.text.run import Run


def element(tag: str, **attrs: str) -> BaseOxmlElement:
    """Return a new element, attribute names given without the `w:` prefix."""
    node = OxmlElement(tag)
    for name, value in attrs.items():
        node.set(qn(f"w:{name}") if ":" not in name else qn(name), value)
    return node


def add_field(paragraph: Paragraph, instruction: str, result: str, *, dirty: bool = False) -> None:
    """Append a complex field (begin, instruction, separate, cached result, end).

    The cached result is what a reader sees before any field update, so it
    must already be right: a cross-reference shows "Table 3", not "Error!".
    """
    begin_field(paragraph, instruction, dirty=dirty)
    paragraph.add_run(result)
    end_field(paragraph)


def begin_field(paragraph: Paragraph, instruction: str, *, dirty: bool = False) -> None:
    """Open a field whose cached result the caller writes as whole paragraphs (a TOC)."""
    begin = element("w:fldChar", fldCharType="begin")
    if dirty:
        begin.set(qn("w:dirty"), "true")
    _field_run(paragraph, begin)
    instr = element("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    _field_run(paragraph, instr)
    _field_run(paragraph, element("w:fldChar", fldCharType="separate"))


def end_field(paragraph: Paragraph) -> None:
    _field_run(paragraph, element("w:fldChar", fldCharType="end"))


def _field_run(paragraph: Paragraph, child: BaseOxmlElement) -> Run:
    run = paragraph.add_run()
    run._r.append(child)
    return run


def bookmark_start(paragraph: Paragraph, bookmark_id: int, name: str) -> None:
    paragraph._p.append(element("w:bookmarkStart", id=str(bookmark_id), name=name))


def bookmark_end(paragraph: Paragraph, bookmark_id: int) -> None:
    paragraph._p.append(element("w:bookmarkEnd", id=str(bookmark_id)))


def add_hyperlink(paragraph: Paragraph, *, url: str = "", anchor: str = "") -> BaseOxmlElement:
    """Append an empty `w:hyperlink` (external `url` or internal bookmark `anchor`) and return it."""
    link = element("w:hyperlink")
    if url:
        rel_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
        link.set(qn("r:id"), rel_id)
    else:
        link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    paragraph._p.append(link)
    return link


def add_break(paragraph: Paragraph, kind: str = "page") -> None:
    paragraph.add_run()._r.append(element("w:br", type=kind))


def set_alt_text(inline: BaseOxmlElement, description: str, title: str = "") -> None:
    """Set the picture's alternative text, which Word and screen readers read from `wp:docPr`."""
    doc_pr = inline.find(qn("wp:docPr"))
    doc_pr.set("descr", description)
    if title:
        doc_pr.set("title", title)


def mark_header_row(row_element: BaseOxmlElement) -> None:
    """Repeat this row at the top of each page and tell assistive technology it is a header."""
    tr_pr = row_element.get_or_add_trPr()
    tr_pr.append(element("w:tblHeader"))
    tr_pr.append(element("w:cantSplit"))


def keep_with_next(paragraph: Paragraph) -> None:
    paragraph.paragraph_format.keep_with_next = True
