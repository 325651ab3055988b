"""The DOCX writer's direct XML (writers/docx/fastxml.py) against python-docx's own insertion, which it
replaces: the same properties in the same places, so Word and the golden fixtures see no difference."""

from __future__ import annotations

import copy

import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from tspdocs.writers.docx.fastxml import ALIGN, KEEP_NEXT, VAL, paragraph_property, text_run

# A paragraph whose properties already hold children before and after the ones added: a list item's
# number and a tracked paragraph mark (`w:rPr`), as a redline's table cell has.
PARAGRAPH = (f"<w:p {nsdecls('w')}><w:pPr><w:pStyle w:val='Compact'/><w:numPr><w:ilvl w:val='0'/>"
             "<w:numId w:val='3'/></w:numPr><w:rPr><w:ins w:id='1' w:author='A'/></w:rPr></w:pPr>"
             "<w:r><w:t>x</w:t></w:r></w:p>")


@pytest.mark.parametrize("xml", [PARAGRAPH, f"<w:p {nsdecls('w')}/>",
                                 f"<w:p {nsdecls('w')}><w:pPr><w:pStyle w:val='Compact'/></w:pPr></w:p>"])
def test_paragraph_properties_go_where_python_docx_puts_them(xml: str) -> None:
    ours, theirs = parse_xml(xml), parse_xml(xml)
    paragraph_property(ours, ALIGN).set(VAL, "right")
    paragraph_property(ours, KEEP_NEXT)
    theirs.get_or_add_pPr().jc_val = WD_ALIGN_PARAGRAPH.RIGHT  # type: ignore[attr-defined]
    theirs.get_or_add_pPr().keepNext_val = True  # type: ignore[attr-defined]
    assert etree.tostring(ours) == etree.tostring(theirs)


def test_a_property_is_added_once() -> None:
    paragraph = parse_xml(PARAGRAPH)
    first = paragraph_property(paragraph, KEEP_NEXT)
    before = copy.deepcopy(paragraph)
    assert paragraph_property(paragraph, KEEP_NEXT) is first
    assert etree.tostring(paragraph) == etree.tostring(before)


@pytest.mark.parametrize("text", ["plain", " spaced ", "a\tb", "line\nbreak\r\nend", "\t", ""])
def test_run_text_is_written_as_python_docx_writes_it(text: str) -> None:
    paragraph = parse_xml(f"<w:p {nsdecls('w')}/>")
    run = paragraph.add_r()  # type: ignore[attr-defined]
    run.text = text
    assert etree.tostring(text_run(text)) == etree.tostring(run)
