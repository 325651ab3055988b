"""Readers for built outputs, so tests check structure: DOCX XML, PDF text and tags, parsed HTML."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}


def docx_part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def docx_text(path: Path, part: str = "word/document.xml") -> str:
    """All text a reader sees, paragraph by paragraph (tables included); tabs and breaks as spaces."""
    body = docx_part(path, part)
    return "\n".join(paragraph_text(p) for p in body.iter(f"{{{W}}}p"))


def paragraph_text(paragraph: etree._Element) -> str:
    parts = []
    for node in paragraph.iter(f"{{{W}}}t", f"{{{W}}}tab", f"{{{W}}}br", f"{{{W}}}cr"):
        parts.append(node.text or "" if node.tag == f"{{{W}}}t" else " ")
    return "".join(parts)


def pdf_pages(path: Path) -> list[str]:
    """Text of each page, by poppler's pdftotext (an independent reader)."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def html_words(path: Path) -> str:
    """Return an HTML page's text as a reader sees it (figures are <data> elements), whitespace collapsed."""
    from lxml import html

    return squash(html.fromstring(path.read_bytes()).text_content())


def squash(text: str) -> str:
    """Collapse whitespace (PDF text wraps lines and hyphenates nothing), for substring checks."""
    return re.sub(r"\s+", " ", text).strip()


def front_matter_titles(root: Path) -> dict[str, str]:
    """Return finding id -> title, read from the Markdown files independently of tspdocs."""
    titles = {}
    for path in (root / "content/findings").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        ident = re.search(r"^id: (\S+)$", text, re.MULTILINE)
        title = re.search(r"^title: (.+)$", text, re.MULTILINE)
        if ident and title:
            titles[ident[1]] = title[1].strip()
    return titles
