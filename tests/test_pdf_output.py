"""The PDF is tagged PDF/UA-1 with language, title, outline, alt text and a contents page that tells the truth."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import Mini
from helpers import pdf_pages, squash

pytestmark = pytest.mark.xdist_group("built")


@pytest.fixture(scope="module")
def final(built: Path) -> Path:
    return built / "build/final/final.pdf"


def _structure(element: pikepdf.Object, found: dict[str, list[pikepdf.Dictionary]]) -> None:
    if isinstance(element, pikepdf.Dictionary) and "/S" in element:
        found.setdefault(str(element.S), []).append(element)
    kids = element.get("/K") if isinstance(element, pikepdf.Dictionary) else None
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
        if isinstance(kid, pikepdf.Dictionary):
            _structure(kid, found)


def test_pdf_ua_identification_language_and_title(final: Path) -> None:
    with pikepdf.open(final) as pdf:
        assert str(pdf.Root.Lang) == "en-GB"
        assert bool(pdf.Root.MarkInfo.Marked)
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
        assert "/StructTreeRoot" in pdf.Root
        with pdf.open_metadata() as meta:
            assert meta["{http://www.aiim.org/pdfua/ns/id/}part"] == "1"
            assert meta["{http://purl.org/dc/elements/1.1/}title"] == "Third Sector Partnerships for Service Delivery"


def test_structure_tree_has_headings_tables_and_figures_with_alt(final: Path) -> None:
    with pikepdf.open(final) as pdf:
        found: dict[str, list[pikepdf.Dictionary]] = {}
        _structure(pdf.Root.StructTreeRoot, found)
        assert {"/H1", "/H2", "/H3", "/P", "/L", "/LI", "/Table", "/TH", "/TD", "/Caption"} <= found.keys()
        figures = found["/Figure"]
        assert figures and all(str(f.get("/Alt", "")).strip() for f in figures)
        assert any(str(f.Alt).startswith("Bar chart by sector") for f in figures)


def test_outline_lists_the_numbered_sections(final: Path) -> None:
    with pikepdf.open(final) as pdf:
        titles = [item.title for item in pdf.open_outline().root]
    assert "1 Introduction" in titles
    assert any(re.match(r"\d+ Findings$", title) for title in titles)
    assert "References" in titles


def test_contents_page_numbers_match_where_headings_fall(final: Path) -> None:
    pages = pdf_pages(final)
    contents_index = next(i for i, page in enumerate(pages) if page.strip().startswith("Contents") or
                          "\nContents\n" in page)
    entries = re.findall(r"^\s*(\d+(?:\.\d+)*)\s+(.+?)\s*(?:\.{3,})?\s*(\d+)\s*$", pages[contents_index], re.MULTILINE)
    assert len(entries) >= 10
    for number, title, page in entries:
        target = pages[int(page) - 1]
        heading = squash(f"{number} {title}")
        assert heading[:40] in squash(target), f"{heading!r} should be on page {page}"


def test_every_contents_number_is_the_page_its_link_lands_on(final: Path) -> None:
    assert _checked_contents_numbers(final, range(1, 4)) >= 40


def _checked_contents_numbers(path: Path, contents_pages: range) -> int:
    """Check that the number printed at the end of each contents line equals the page of the named
    destination that line links to (pikepdf), and that the leader is drawn: the line holds no dots as
    text (pdftotext), which cost a text box each. Return how many lines were checked."""
    checked = 0
    with pikepdf.open(path) as pdf:
        page_of = {page.objgen: index for index, page in enumerate(pdf.pages)}
        dests = pikepdf.NameTree(pdf.Root.Names.Dests)
        for index in contents_pages:
            links = [a for a in pdf.pages[index].obj.get("/Annots", []) if a.get("/Dest") is not None]
            words = _words(path, index + 1)
            height = float(pdf.pages[index].mediabox[3])
            for link in {str(a.Dest): a for a in links}.values():
                top, bottom = sorted(height - float(link.Rect[i]) for i in (1, 3))
                line = [w for w in words if top - 2 <= (w[1] + w[2]) / 2 <= bottom + 2]
                assert line and line[-1][0].isdigit(), f"no page number beside {link.Dest}"
                assert not [w for w in line if w[0].strip(".") == ""], "a leader of text dots"
                assert int(line[-1][0]) == page_of[dests[str(link.Dest)][0].objgen] + 1, str(link.Dest)
                checked += 1
    return checked


def _words(path: Path, page: int) -> list[tuple[str, float, float]]:
    """Return each word on a page with its top and bottom, left to right within a line (pdftotext -bbox)."""
    xml = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', xml)
    return [(text, float(top), float(bottom)) for _x, top, bottom, text in sorted(found, key=lambda w: float(w[0]))]


def test_text_and_totals_render(final: Path) -> None:
    text = squash(" ".join(pdf_pages(final)))
    assert "Total number of days 36 33 26 95" in text
    assert "Illustrative content." in text


def test_pages_have_running_footer_with_page_numbers(final: Path) -> None:
    pages = pdf_pages(final)
    assert f"Page 2 of {len(pages)}" in pages[1]


@pytest.mark.slow
def test_contents_numbers_are_laid_out_again_when_the_last_layout_is_stale(mini: Mini) -> None:
    """Page numbers come from the previous layout; a stale one (here: every entry on page 9) is found out
    after layout and the contents laid out again with the pages the headings really fell on. An entry
    that wraps has its number on its last line only."""
    mini.finding("F02", "Finding F02", body="Long text. " * 400)
    mini.finding("F03", "Finding F03, " + "with a title long enough to wrap " * 3 + "onto a second line, wrapend",
                 body="Long text. " * 400)
    assert mini.run("build", "report", "--format", "pdf").code == 0
    hints = list((mini.root / "build/.tspdocs/cache/pages").glob("*.json"))
    assert len(hints) == 1
    stale = {target: 9 for target in json.loads(hints[0].read_text())}
    assert len(stale) >= 4
    hints[0].write_text(json.dumps(stale))
    assert mini.run("build", "report", "--format", "pdf", "--force").code == 0
    pdf = next(mini.root.glob("build/report/*.pdf"))
    assert _checked_contents_numbers(pdf, range(1, 2)) == 4
    assert json.loads(hints[0].read_text()) != stale
    words = _words(pdf, 2)
    first, last = (next(w for w in words if w[0] == word) for word in ("F03,", "wrapend"))
    assert first[1] < last[1], "the long entry wraps"
    assert not [w[0] for w in words if abs(w[1] - first[1]) < 2][-1].isdigit(), "no number on its first line"
    assert [w[0] for w in words if abs(w[1] - last[1]) < 2][-1].isdigit(), "its number on its last line"
