"""Golden fixtures: Markdown in; the tree, the HTML body or the DOCX body out, one small case at a time.

Each file in tests/fixtures/golden/ holds cases in markdown-it-py's fixture format: a title line, a line
holding only `.`, the Markdown, `.`, the expected output, `.` and a blank line.

- tree.md: `dump_tree` of the tree as the tree builder leaves it (nothing numbered or resolved);
- html.md: what `HtmlBody` writes for the blocks, then the screen footnotes; in print mode when the title
  starts "print mode:";
- docx.md: the `w:body` children of word/document.xml written for the blocks (not the cover before them
  nor the final `w:sectPr`), each element on one line if it fits; then the footnotes, the list
  definitions and the relationship targets the fragment uses, each after a `<!-- ... -->` line;
- pandoc-tree.md, pandoc-html.md, pandoc-docx.md: the same three, for the syntax authors bring from Pandoc
  and Quarto (grid tables, line blocks, task lists) and what tspdocs refuses of it, at its line.

The writer cases run a stand-in for the prepare step: real numbering and picture loading, but each
citation shows its keys, as "(a; b)", and a bibliography lists the keys cited, so no Pandoc is run.
Problems any step reports follow the output, one per line after `! `, with their line in the case.

To rewrite the expected sides after a deliberate change, run

    TSPDOCS_UPDATE_GOLDEN=1 python -m pytest -q -n 0 tests/test_golden.py

and read `git diff tests/fixtures/golden` line by line before committing: a golden file that freezes a
bug is worse than none. A new case can be added with empty expected lines and filled in the same way.
Cases listed in XFAIL below show a known bug: their expected side is what the output should be, written
by hand, and is never rewritten. Once a bug is fixed its case passes, which strict xfail reports as a
failure: delete its XFAIL entry.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped, unused-ignore]  # no stubs installed by the project
from markdown_it.utils import read_fixture_file

from tspdocs import tree as t
from tspdocs.errors import Problems
from tspdocs.markdown.treebuilder import build_blocks
from tspdocs.prepare.images import load_images
from tspdocs.prepare.numbering import number_document
from tspdocs.project.projectfs import ProjectFS
from tspdocs.writers.base import WriteContext
from tspdocs.writers.docx import write_docx
from tspdocs.writers.html import HtmlBody

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests/fixtures/golden"
SOURCE = "tests/fixtures/golden/case.md"  # where a case's Markdown claims to live: pictures are beside it
CONTEXT = WriteContext(ProjectFS.at(REPO), 1292457600)  # the project root, for assets/reference.docx
UPDATE = os.environ.get("TSPDOCS_UPDATE_GOLDEN") == "1"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

# Known bugs, each shown by a case whose expected side is the right output.
TIGHT = "a list's tightness is judged from every paragraph inside it, those of nested lists and divs included"
XFAIL: dict[tuple[str, str], str] = {
    ("tree.md", "tight list holding a loose list"): TIGHT,
    ("tree.md", "list item holding only a callout"): TIGHT,
}


def cases(kind: str) -> Iterator[object]:
    """Yield the cases of every file for `kind` ("tree.md", or "pandoc-tree.md" and the like beside it)."""
    for path in sorted(FIXTURES.glob(f"*{kind}")):
        for line, title, text, expected in read_fixture_file(path):
            reason = XFAIL.get((path.name, title))
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            yield pytest.param(path.name, line, title, text, expected, marks=marks,
                               id=f"{path.stem}-{line}-{title}")


def check(name: str, line: int, title: str, actual: str, expected: str) -> None:
    assert "\n.\n" not in "\n" + actual, "a line holding only '.' would end the case early"
    if UPDATE and (name, title) not in XFAIL:
        _updates.setdefault(name, {})[line] = actual
    else:
        assert actual == expected


@pytest.mark.parametrize("name,line,title,text,expected", cases("tree.md"))
def test_tree(name: str, line: int, title: str, text: str, expected: str) -> None:
    problems = Problems()
    blocks = build_blocks(text, SOURCE, 1, problems)
    check(name, line, title, t.dump_tree(blocks) + reported(problems), expected)


@pytest.mark.parametrize("name,line,title,text,expected", cases("html.md"))
def test_html(name: str, line: int, title: str, text: str, expected: str) -> None:
    problems = Problems()
    doc = prepared(text, problems)
    body = HtmlBody(print_mode=title.startswith("print mode:"))
    check(name, line, title, body.html(doc.blocks) + body.notes_html() + reported(problems), expected)


@pytest.mark.parametrize("name,line,title,text,expected", cases("docx.md"))
def test_docx(name: str, line: int, title: str, text: str, expected: str) -> None:
    problems = Problems()
    doc = prepared(text, problems)
    check(name, line, title, docx_fragment(write_docx(doc, CONTEXT).data) + reported(problems), expected)


# The stand-in for the prepare step -------------------------------------------------------------------


def prepared(text: str, problems: Problems) -> t.Document:
    doc = t.Document(t.Meta("Golden"), build_blocks(text, SOURCE, 1, problems))
    number_document(doc, problems)
    load_images(doc, CONTEXT.fs, problems)
    cites = [node for inlines in t.inline_lists(doc.blocks) for node in inlines if isinstance(node, t.Cite)]
    for cite in cites:
        cite.children = [t.Text("(" + "; ".join(c.key for c in cite.citations) + ")")]
    keys = dict.fromkeys(c.key for cite in cites for c in cite.citations)
    for block in t.walk(doc.blocks):
        if isinstance(block, t.Bibliography):
            block.entries = [t.BibEntry(key, [t.Text(f"Entry for {key}.")]) for key in keys]
    return doc


def reported(problems: Problems) -> str:
    return "".join(f"! {str(p).removeprefix(SOURCE + ':')}\n" for p in problems)


# DOCX canonical form ---------------------------------------------------------------------------------


@cache
def cover_length() -> int:
    """Return how many body elements the cover takes, from a document with no blocks."""
    archive = zipfile.ZipFile(io.BytesIO(write_docx(t.Document(t.Meta("Golden"), []), CONTEXT).data))
    return len(part(archive, "word/document.xml").find(W + "body")) - 1


def docx_fragment(data: bytes) -> str:
    archive = zipfile.ZipFile(io.BytesIO(data))
    elements = [without_anchors(node) for node in
                list(part(archive, "word/document.xml").find(W + "body"))[cover_length():-1]]
    parts = [xml(node) for node in elements]
    notes = [without_anchors(n) for n in part(archive, "word/footnotes.xml") if int(n.get(W + "id")) > 0]
    if notes:
        parts += ["<!-- footnotes -->\n", *(xml(note) for note in notes)]
    parts += numbering(archive, elements + notes)
    links = []
    for story, nodes in (("document", elements), ("footnotes", notes)):  # each part numbers its own
        targets = {rel.get("Id"): rel.get("Target") for rel in part(archive, f"word/_rels/{story}.xml.rels")}
        used = {v for node in nodes for el in node.iter() for k, v in el.attrib.items() if k.startswith(R)}
        links += [f"{story} {rid} {targets[rid]}\n" for rid in sorted(used)]
    return "".join(parts + (["<!-- relationships -->\n", *links] if links else []))


def without_anchors(node: etree._Element) -> etree._Element:
    """Drop the review anchors (`_tsp…` bookmarks, tested in test_review.py) that wrap every paragraph."""
    ids = set()
    for start in list(node.iter(W + "bookmarkStart")):
        if start.get(W + "name", "").startswith("_tsp"):
            ids.add(start.get(W + "id"))
            start.getparent().remove(start)
    for end in list(node.iter(W + "bookmarkEnd")):
        if end.get(W + "id") in ids:
            end.getparent().remove(end)
    return node


def numbering(archive: zipfile.ZipFile, elements: list[etree._Element]) -> list[str]:
    """Name each list definition the fragment uses, with the levels it restarts and where."""
    root = part(archive, "word/numbering.xml")
    names = {a.get(W + "abstractNumId"): a.find(W + "name").get(W + "val") for a in root.iter(W + "abstractNum")}
    used = {n.get(W + "val") for node in elements for n in node.iter(W + "numId")}
    lines = []
    for num in root.iter(W + "num"):
        if num.get(W + "numId") in used:
            words = [num.get(W + "numId"), names[num.find(W + "abstractNumId").get(W + "val")]]
            for override in num.iter(W + "lvlOverride"):
                words.append(f"level {override.get(W + 'ilvl')} starts at "
                             f"{override.find(W + 'startOverride').get(W + 'val')}")
            lines.append(" ".join(words) + "\n")
    return ["<!-- numbering -->\n", *lines] if lines else []


def part(archive: zipfile.ZipFile, name: str) -> etree._Element:
    return etree.fromstring(archive.read(name)) if name in archive.namelist() else etree.Element("none")


def xml(node: etree._Element, depth: int = 0) -> str:
    """Serialise an element on one line if it fits, else its children indented under its tags; the
    namespace declarations every fragment would repeat are left out."""
    flat = re.sub(r' xmlns:\w+="[^"]*"', "", etree.tostring(node, encoding="unicode", with_tail=False))
    if len(node) == 0 or len(flat) + 2 * depth <= 100:
        return "  " * depth + flat + "\n"
    inner = "".join(xml(child, depth + 1) for child in node)
    return "  " * depth + flat[:flat.index(">") + 1] + "\n" + inner + "  " * depth + flat[flat.rindex("</"):] + "\n"


# Rewriting the expected sides ------------------------------------------------------------------------

_updates: dict[str, dict[int, str]] = {}


@pytest.fixture(scope="module", autouse=True)
def _rewrite() -> Iterator[None]:
    if UPDATE and os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.fail("rewrite the golden files in one process: add -n 0")
    yield
    for name, outputs in _updates.items():
        path = FIXTURES / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for line in sorted(outputs, reverse=True):  # from the end, so earlier line numbers stay right
            dots = [i for i in range(line + 1, len(lines)) if lines[i].rstrip() == "."][:2]
            lines[dots[0] + 1:dots[1]] = [outputs[line]]
        path.write_text("".join(lines), encoding="utf-8")
    _updates.clear()
