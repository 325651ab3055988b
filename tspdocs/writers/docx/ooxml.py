"""Small OOXML helpers for what python-docx has no API for: fields, bookmarks, hyperlinks, alt text,
keeping with the next paragraph, tab stops.

Each helper writes the WordprocessingML that Word itself writes for the
feature, so Word's own commands (Update Field, Insert Cross-reference,
Accessibility Checker) work on the result.
"""

from __future__ import annotations

from functools import cache

from docx.enum.text import WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import nsmap, qn
from docx.oxml.parser import oxml_parser
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Length
from docx.text.paragraph import Paragraph
from lxml.etree import SubElement  # type: ignore[import-untyped, unused-ignore]  # no stubs installed

from .fastxml import KEEP_NEXT, R, paragraph_property, text_run


def element(tag: str, **attrs: str) -> BaseOxmlElement:
    """Return a new element, attribute names given without the `w:` prefix, as `OxmlElement` makes it."""
    clark, namespaces = _tag(tag)
    node: BaseOxmlElement = oxml_parser.makeelement(clark, nsmap=namespaces)
    for name, value in attrs.items():
        node.set(_attribute(name), value)
    return node


@cache
def _tag(tag: str) -> tuple[str, dict[str, str]]:
    """Return the tag's Clark name and the one namespace `OxmlElement` declares on it: the writer makes
    elements of a few dozen names thousands of times, and spelling each out again cost more than making it."""
    prefix = tag.split(":")[0]
    return qn(tag), {prefix: nsmap[prefix]}


@cache
def _attribute(name: str) -> str:
    return qn(f"w:{name}") if ":" not in name else qn(name)


def add_field(paragraph: Paragraph, instruction: str, result: str, *, dirty: bool = False) -> None:
    """Append a complex field (begin, instruction, separate, cached result, end).

    The cached result is what a reader sees before any field update, so it
    must already be right: a cross-reference shows "Table 3", not "Error!".
    """
    begin_field(paragraph, instruction, dirty=dirty)
    paragraph._p.append(text_run(result))
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


def _field_run(paragraph: Paragraph, child: BaseOxmlElement) -> None:
    SubElement(paragraph._p, R).append(child)


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


def keep_with_next(paragraph: BaseOxmlElement) -> None:
    paragraph_property(paragraph, KEEP_NEXT)


def set_right_tab(paragraph: Paragraph, position: Length, style_tabs: list[Length]) -> None:
    """Give the paragraph one right-aligned tab stop at `position`, clearing the stops of its style.

    A header's "title <tab> DRAFT" needs its one tab at the text's right edge, wherever the page puts it,
    whatever stops the reference document's style was saved with.
    """
    stops = paragraph.paragraph_format.tab_stops
    for old in style_tabs:
        if old.twips != position.twips:
            stops.add_tab_stop(old, WD_TAB_ALIGNMENT.CLEAR)
    stops.add_tab_stop(position, WD_TAB_ALIGNMENT.RIGHT)
