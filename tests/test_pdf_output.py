"""The PDF is tagged PDF/UA-1 with language, title, outline, alt text and a contents page that tells the truth."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
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
    entries = re.findall(r"^\s*(\d+(?:\.\d+)*)\s+(.+?)\s*\.{3,}\s*(\d+)\s*$", pages[contents_index], re.MULTILINE)
    assert len(entries) >= 10
    for number, title, page in entries:
        target = pages[int(page) - 1]
        heading = squash(f"{number} {title}")
        assert heading[:40] in squash(target), f"{heading!r} should be on page {page}"


def test_text_and_totals_render(final: Path) -> None:
    text = squash(" ".join(pdf_pages(final)))
    assert "Total number of days 36 33 26 95" in text
    assert "Illustrative content." in text


def test_pages_have_running_footer_with_page_numbers(final: Path) -> None:
    pages = pdf_pages(final)
    assert f"Page 2 of {len(pages)}" in pages[1]
