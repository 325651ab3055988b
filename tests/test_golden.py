"""Golden fixtures: Markdown in; the tree, the HTML body or the DOCX body out, one small case at a time.

Each file in tests/fixtures/golden/ holds cases in markdown-it-py's fixture format: a title line, a line
holding only `.`, the Markdown, `.`, the expected output, `.` and a blank line.

- tree.md: `dump_tree` of the tree as the tree builder leaves it (nothing numbered or resolved);
- html.md: what `HtmlBody` writes for the blocks, then the screen footnotes; in print mode when the title
  starts "print mode:";

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

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from tspdocs import tree as t
from tspdocs.errors import Problems
from tspdocs.markdown.treebuilder import build_blocks
from tspdocs.prepare.images import load_images
from tspdocs.prepare.numbering import number_document
from tspdocs.project.projectfs import ProjectFS
from tspdocs.writers.base import WriteContext
from tspdocs.writers.html import HtmlBody

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests/fixtures/golden"
SOURCE = "tests/fixtures/golden/case.md"  # where a case's Markdown claims to live: pictures are beside it
CONTEXT = WriteContext(ProjectFS.at(REPO), 1292457600)  # the project root, for assets/reference.docx
UPDATE = os.environ.get("TSPDOCS_UPDATE_GOLDEN") == "1"

# Known bugs, each shown by a case whose expected side is the right output.
TIGHT = "a list's tightness is judged from every paragraph inside it, those of nested lists and divs included"
XFAIL: dict[tuple[str, str], str] = {
    ("tree.md", "heading attribute with a quoted value"):
        "the typographer curls the quotes in a trailing {...} before the tree builder reads it as attributes",
    ("tree.md", "tight list holding a loose list"): TIGHT,
    ("tree.md", "list item holding only a callout"): TIGHT,
    ("tree.md", "fenced code with Pandoc's class syntax for the language"):
        "```{.python} is read as the language '{.python}', not the class python",
    ("tree.md", "table caption with classes"): "a table caption's classes and key=value attributes are dropped",
}


def cases(name: str) -> Iterator[object]:
    for line, title, text, expected in read_fixture_file(FIXTURES / name):
        reason = XFAIL.get((name, title))
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        yield pytest.param(line, title, text, expected, marks=marks, id=f"{line}-{title}")


def check(name: str, line: int, title: str, actual: str, expected: str) -> None:
    assert "\n.\n" not in "\n" + actual, "a line holding only '.' would end the case early"
    if UPDATE and (name, title) not in XFAIL:
        _updates.setdefault(name, {})[line] = actual
    else:
        assert actual == expected


@pytest.mark.parametrize("line,title,text,expected", cases("tree.md"))
def test_tree(line: int, title: str, text: str, expected: str) -> None:
    problems = Problems()
    blocks = build_blocks(text, SOURCE, 1, problems)
    check("tree.md", line, title, t.dump_tree(blocks) + reported(problems), expected)


@pytest.mark.parametrize("line,title,text,expected", cases("html.md"))
def test_html(line: int, title: str, text: str, expected: str) -> None:
    problems = Problems()
    doc = prepared(text, problems)
    body = HtmlBody(print_mode=title.startswith("print mode:"))
    check("html.md", line, title, body.html(doc.blocks) + body.notes_html() + reported(problems), expected)


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
