"""The HTML is one valid, accessible, self-contained page."""

from __future__ import annotations

import itertools
from pathlib import Path

import html5lib
import pytest

pytestmark = pytest.mark.xdist_group("built")
XHTML = "{http://www.w3.org/1999/xhtml}"
DOCUMENTS = ["final/final", "interim/interim", "academic/academic", "briefings/dh/briefing-dh"]


def parse(path: Path):  # type: ignore[no-untyped-def]
    """Parse strictly: html5lib raises on any HTML5 parse error, so this doubles as a validity check."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(path.read_bytes())


@pytest.mark.parametrize("name", DOCUMENTS)
def test_page_is_valid_html5_with_language_and_title(built: Path, name: str) -> None:
    root = parse(built / f"build/{name}.html")
    assert root.get("lang") == "en-GB"
    title = root.find(f"{XHTML}head/{XHTML}title")
    assert title is not None and title.text.strip()


@pytest.mark.parametrize("name", DOCUMENTS)
def test_headings_never_skip_a_level(built: Path, name: str) -> None:
    root = parse(built / f"build/{name}.html")
    levels = [int(e.tag[-1]) for e in root.iter() if e.tag in {f"{XHTML}h{i}" for i in range(1, 7)}]
    assert levels[0] == 1 and levels.count(1) == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1


def test_tables_have_captions_and_scoped_headers(built: Path) -> None:
    root = parse(built / "build/final/final.html")
    tables = list(root.iter(f"{XHTML}table"))
    assert tables
    for table in tables:
        assert table.find(f"{XHTML}caption") is not None
        headers = list(table.iter(f"{XHTML}th"))
        assert headers and all(th.get("scope") in ("col", "row") for th in headers)
    totals = [td.text for td in tables[0].iter(f"{XHTML}td")] + \
        ["".join(td.itertext()) for t in tables for td in t.iter(f"{XHTML}td")]
    assert {"36", "33", "26", "95"} <= set(totals)


def test_footnotes_link_both_ways(built: Path) -> None:
    root = parse(built / "build/final/final.html")
    refs = [a for a in root.iter(f"{XHTML}a") if a.get("role") == "doc-noteref"]
    backs = [a for a in root.iter(f"{XHTML}a") if a.get("role") == "doc-backlink"]
    assert refs and len(refs) == len(backs)
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    for link in refs + backs:
        assert link.get("href").lstrip("#") in ids


def test_page_is_self_contained(built: Path) -> None:
    root = parse(built / "build/final/final.html")
    assert root.find(f".//{XHTML}style") is not None
    assert not [link for link in root.iter(f"{XHTML}link")], "no external stylesheets"
    images = list(root.iter(f"{XHTML}img"))
    assert images and all(img.get("src").startswith("data:") for img in images)
    assert all(img.get("alt") for img in images)
