"""The DOCX is native Word: real styles, numbering, footnotes, fields, bookmarks and properties."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
import pytest
from helpers import NS, W, docx_part, docx_text

pytestmark = pytest.mark.xdist_group("built")


@pytest.fixture(scope="module")
def final(built: Path) -> Path:
    return built / "build/final/final.docx"


def test_headings_use_word_heading_styles_with_real_numbering(final: Path) -> None:
    document = docx.Document(str(final))
    headings = [p for p in document.paragraphs if p.style.name.startswith("Heading")]
    names = {p.text for p in headings if p.style.name == "Heading 1"}
    assert {"Introduction", "Findings", "Recommendations"} <= names
    numbered = [p for p in headings if p._p.pPr is not None and p._p.pPr.numPr is not None]
    assert numbered, "numbered headings carry w:numPr"
    levels = {int(p._p.pPr.numPr.ilvl.val) for p in numbered}
    assert levels == {0, 1, 2}


def test_lists_have_numbering_definitions_and_restart(final: Path) -> None:
    document = docx.Document(str(final))
    bullets = [p for p in document.paragraphs if p.style.name.startswith("List Bullet")]
    numbers = [p for p in document.paragraphs if p.style.name.startswith("List Number")]
    assert bullets and numbers
    assert all(p._p.pPr.numPr is not None for p in bullets + numbers)
    numbering = docx_part(final, "word/numbering.xml")
    restarts = numbering.findall(".//w:num/w:lvlOverride/w:startOverride", NS)
    assert restarts, "each numbered list restarts through its own w:num"
    number_ids = {p._p.pPr.numPr.numId.val for p in numbers}
    assert len(number_ids) >= 2, "separate numbered lists do not share one running count"


def test_tables_are_styled_word_tables_with_repeating_header_rows(final: Path) -> None:
    document = docx.Document(str(final))
    assert document.tables
    for table in document.tables:
        assert table.style.name == "Data Table"
        first = table.rows[0]._tr
        assert first.find(f"{{{W}}}trPr/{{{W}}}tblHeader") is not None
    timetable = next(t for t in document.tables if t.rows[0].cells[0].text == "Time")
    totals = [cell.text for cell in timetable.rows[-1].cells]
    assert totals[-4:] == ["36", "33", "26", "95"]
    right = timetable.rows[1].cells[-1].paragraphs[0].alignment
    assert right is not None and int(right) == 2  # numbers right-aligned


def test_footnotes_are_native(final: Path, built: Path) -> None:
    source = (built / "content/findings/efficiency-gains-modest.md").read_text(encoding="utf-8")
    note = re.search(r"^\[\^1\]: (.+)$", source, re.MULTILINE)[1]
    footnotes = docx_part(final, "word/footnotes.xml")
    texts = ["".join(n.itertext()).strip() for n in footnotes.findall("w:footnote", NS)
             if n.get(f"{{{W}}}id") not in ("-1", "0")]
    assert any(note[:40] in text for text in texts)
    body = docx_part(final, "word/document.xml")
    assert body.findall(".//w:footnoteReference", NS)
    assert note[:40] not in docx_text(final), "the note is a footnote, not body text"


def test_captions_are_seq_fields_and_references_are_ref_fields(final: Path) -> None:
    body = docx_part(final, "word/document.xml")
    instructions = [i.text.strip() for i in body.iter(f"{{{W}}}instrText")]
    assert any(i.startswith("SEQ Table") for i in instructions)
    assert any(i.startswith("SEQ Figure") for i in instructions)
    bookmarks = {b.get(f"{{{W}}}name") for b in body.iter(f"{{{W}}}bookmarkStart")}
    refs = [i for i in instructions if i.startswith("REF ")]
    assert refs
    for instruction in refs:
        assert instruction.split()[1] in bookmarks, f"{instruction} points at a bookmark that exists"


def test_ref_cached_text_equals_caption_number(final: Path) -> None:
    body = docx_part(final, "word/document.xml")
    captions = {}
    for paragraph in body.iter(f"{{{W}}}p"):
        style = paragraph.find("w:pPr/w:pStyle", NS)
        start = paragraph.find("w:bookmarkStart", NS)
        if style is not None and style.get(f"{{{W}}}val") == "Caption" and start is not None:
            shown = "".join(t.text for t in paragraph.iter(f"{{{W}}}t"))
            captions[start.get(f"{{{W}}}name")] = shown.split(":")[0]
    assert captions
    references = [(i, r) for i, r in _field_results(body) if i.startswith("REF ") and "\\r" not in i]
    assert references
    for instruction, result in references:
        assert result == captions[instruction.split()[1]], instruction


def _field_results(body) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Return (instruction, cached result text) for every complex field in document order."""
    fields, state, instruction, result = [], None, "", ""
    for run in body.iter(f"{{{W}}}r"):
        char = run.find(f"{{{W}}}fldChar")
        if char is not None:
            kind = char.get(f"{{{W}}}fldCharType")
            if kind == "begin":
                state, instruction, result = "instr", "", ""
            elif kind == "separate":
                state = "result"
            elif kind == "end" and state:
                fields.append((instruction.strip(), result))
                state = None
            continue
        if state == "instr":
            instruction += "".join(t.text or "" for t in run.iter(f"{{{W}}}instrText"))
        elif state == "result":
            result += "".join(t.text or "" for t in run.iter(f"{{{W}}}t"))
    return fields


def test_contents_is_a_prefilled_toc_field(final: Path) -> None:
    body = docx_part(final, "word/document.xml")
    instructions = [i.text.strip() for i in body.iter(f"{{{W}}}instrText")]
    assert any(i.startswith("TOC \\o") for i in instructions)
    assert any(i.startswith('TOC \\h \\z \\c "Table"') for i in instructions)
    document = docx.Document(str(final))
    toc = [p.text for p in document.paragraphs if p.style.name == "TOC 1"]
    assert any("Findings" in entry for entry in toc), "readers who never update fields still see entries"


def test_charts_carry_alt_text(final: Path) -> None:
    body = docx_part(final, "word/document.xml")
    descriptions = [d.get("descr") for d in body.iter(f"{{{NS['wp']}}}docPr")]
    assert any(d and d.startswith("Bar chart by sector") for d in descriptions)
    assert all(descriptions), "every picture has alternative text"


def test_core_properties_and_language(final: Path) -> None:
    document = docx.Document(str(final))
    props = document.core_properties
    assert props.title == "Third Sector Partnerships for Service Delivery"
    assert "Tony Bovaird" in props.author
    assert props.language == "en-GB"
    styles = docx_part(final, "word/styles.xml")
    assert styles.find(".//w:docDefaults//w:lang", NS).get(f"{{{W}}}val") == "en-GB"


def test_footer_has_page_number_fields(final: Path) -> None:
    with zipfile.ZipFile(final) as archive:
        footers = [n for n in archive.namelist() if n.startswith("word/footer")]
    instructions = {i.text.strip() for name in footers for i in docx_part(final, name).iter(f"{{{W}}}instrText")}
    assert {"PAGE", "NUMPAGES"} <= instructions
