"""The DOCX says what the Markdown says: Pandoc reads both, and the two readings are compared construct by
construct (issue 14).

The corpus (tests/fixtures/fidelity/corpus.md) holds what authors write and DOCX writers drop: lists three
deep, loose items, footnotes of several paragraphs, tables with formatting, links with formatting, code in
lists, block quotes with citations, definition lists. Pandoc reads it as Markdown (the reference), reads
tspdocs' DOCX of it, and reads the DOCX Pandoc itself writes from it.

- No text is lost: the words of the two readings are the same, in the same order.
- No structure is flattened that Pandoc keeps: every construct of the Markdown reading (a block with
  the blocks around it and all its text; a word with the formatting around it) is in the reading of
  tspdocs' DOCX, unless Pandoc's own DOCX loses it too. Those are limits of Pandoc's DOCX reader, listed
  so that a change in them shows.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypandoc
import pytest
from test_golden import CONTEXT, prepared

from tspdocs.errors import Problems
from tspdocs.writers.docx import write_docx

CORPUS = Path(__file__).parent / "fixtures/fidelity/corpus.md"
Json = Any  # Pandoc's JSON AST
Construct = tuple[str, ...]

# Where a construct sits: the blocks that hold it. Plain and Para are one thing to a reader.
CONTAINERS = {"BulletList", "OrderedList", "BlockQuote", "DefinitionList", "Table", "Note", "Div"}
FORMATS = {"Emph", "Strong", "Strikeout", "Superscript", "Subscript", "SmallCaps", "Underline", "Code",
           "Link"}


@pytest.fixture(scope="module")
def readings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Json]:
    """Pandoc's readings of the Markdown, of tspdocs' DOCX and of Pandoc's own DOCX of it."""
    folder = tmp_path_factory.mktemp("fidelity")
    problems = Problems()
    ours = folder / "tspdocs.docx"
    ours.write_bytes(write_docx(prepared(CORPUS.read_text(encoding="utf-8"), problems), CONTEXT).data)
    assert not list(problems), list(problems)
    theirs = folder / "pandoc.docx"
    pandoc(["-f", "markdown", "-t", "docx", "-o", str(theirs), str(CORPUS)])
    return {"markdown": read(CORPUS, "markdown"), "tspdocs": read(ours, "docx"), "pandoc": read(theirs, "docx")}


def pandoc(args: list[str]) -> str:
    return subprocess.run([pypandoc.get_pandoc_path(), *args], capture_output=True, text=True, check=True,
                          timeout=60).stdout


def read(path: Path, kind: str) -> Json:
    return json.loads(pandoc(["-f", kind, "-t", "json", str(path)]))["blocks"]


def test_no_text_is_lost(readings: dict[str, Json]) -> None:
    assert words(readings["tspdocs"]) == words(readings["markdown"])


def test_no_structure_is_flattened_that_pandoc_keeps(readings: dict[str, Json]) -> None:
    markdown = Counter(constructs(readings["markdown"]))
    ours = markdown - Counter(constructs(readings["tspdocs"]))
    pandocs = markdown - Counter(constructs(readings["pandoc"]))
    assert not ours - pandocs, "lost in tspdocs' DOCX, kept in Pandoc's:\n" + "\n".join(map(str, ours - pandocs))


def test_what_no_docx_keeps_is_only_pandocs_known_limits(readings: dict[str, Json]) -> None:
    """Name what neither DOCX brings back, so a fix in Pandoc's reader (or a new loss) shows here."""
    markdown = Counter(constructs(readings["markdown"]))
    lost = markdown - Counter(constructs(readings["tspdocs"]))
    assert {path_kind(c) for c in lost} <= KNOWN_READER_LIMITS, sorted(path_kind(c) for c in lost)


# What Pandoc's DOCX reader brings back from no DOCX, Pandoc's own included: a list item's later blocks
# (it reads them as a list of their own, so the item and the list around them lose their text), and
# bold or italic around inline code (it reads a run in the code style as code only; the DOCX has both,
# see tests/fixtures/golden/docx.md).
KNOWN_READER_LIMITS = {("", "BulletList"), ("BulletList/item", "item"), ("Code/Strong", "word"),
                       ("Code/Emph", "word")}


def path_kind(construct: Construct) -> tuple[str, str]:
    """Return where a construct is and what it is, without its text."""
    return (construct[1], "word") if construct[0] == "word" else (construct[0], construct[1])


# Reading Pandoc's JSON -----------------------------------------------------------------------------------


def words(blocks: Json) -> list[str]:
    """Return every word a reader sees, in order; a citation as the writer's stand-in prints it."""
    return "".join(text(blocks)).split()


def text(node: Json) -> Iterator[str]:
    """Yield the text of any part of the AST, notes where they are called."""
    if isinstance(node, list):
        for child in node:
            yield from text(child)
    elif isinstance(node, dict) and "t" in node:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            yield content
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            yield " "
        elif kind in ("Code", "CodeBlock"):
            yield f" {content[1]} "
        elif kind == "Cite":  # tests/test_golden.py's stand-in for citeproc prints "(key)"
            yield "(" + "; ".join(c["citationId"] for c in content[0]) + ")"
        elif kind == "Link":
            yield from text(content[1])
        elif kind == "Image":
            yield from text(content[1])
        elif kind in ("Header", "Div", "Span"):
            yield " "
            yield from text(content[-1])
            yield " "
        elif kind in ("Para", "Plain"):
            yield " "
            yield from text(content)
            yield " "
        else:
            yield from text(content)


def constructs(blocks: Json, path: str = "") -> Iterator[Construct]:
    """Yield each block with where it is and all its text, and each word with the formatting around it."""
    for block in blocks:
        kind, content = block["t"], block.get("c")
        kind = "Para" if kind == "Plain" else kind
        yield path, kind, squash(text(block))
        inner = f"{path}/{kind}" if path else kind
        if kind in ("BulletList", "OrderedList"):
            items = content if kind == "BulletList" else content[1]
            for item in items:
                yield f"{inner}/item", "item", squash(text(item))
                yield from constructs(item, f"{inner}/item")
        elif kind == "BlockQuote":
            yield from constructs(content, inner)
        elif kind == "DefinitionList":
            for term, definitions in content:
                yield inner, "term", squash(text(term))
                for definition in definitions:
                    yield from constructs(definition, inner)
        elif kind == "Table":
            for cell in table_cells(content):
                yield from constructs(cell, inner)
        elif kind in ("Para", "Header"):
            yield from formatted_words(content if kind == "Para" else content[2], ())


def formatted_words(inlines: Json, around: tuple[str, ...]) -> Iterator[Construct]:
    """Yield ("word", formatting, word) for each word, formatting named in a fixed order (Pandoc reads
    `*[a](u)*` back as a link holding emphasis: the same thing), punctuation set aside (a reader may
    split "(key)." in two)."""
    for node in inlines:
        kind, content = node["t"], node.get("c")
        name = "/".join(sorted(around)) or "plain"
        if kind == "Str" and letters(content):
            yield "word", name, letters(content)
        elif kind == "Cite":
            for citation in content[0]:
                yield "word", name, letters(citation["citationId"])
        elif kind == "Code":
            for word in content[1].split():
                yield "word", "/".join(sorted({*around, "Code"})), word
        elif kind == "Link":
            yield from formatted_words(content[1], (*around, f"Link {content[2][0]}"))
        elif kind in FORMATS:
            yield from formatted_words(content, (*around, kind))
        elif kind == "Note":
            for block in content:
                yield from constructs([block], "Note")
        elif kind in ("Span", "Quoted"):
            yield from formatted_words(content[-1], around)


def table_cells(content: Json) -> Iterator[Json]:
    """Yield each cell's blocks: head, bodies (their head rows and rows), foot."""
    _attr, _caption, _specs, head, bodies, foot = content
    rows = [*head[1]]
    for body in bodies:
        rows += [*body[2], *body[3]]
    rows += foot[1]
    for row in rows:
        for cell in row[1]:
            yield cell[4]


def letters(word: str) -> str:
    return "".join(char for char in word if char.isalnum())


def squash(parts: Iterator[str]) -> str:
    return " ".join("".join(parts).split())


def test_a_spans_custom_style_is_a_word_character_style_as_pandoc_reads_it(tmp_path: Path) -> None:
    """`[text]{custom-style="Quote Char"}` is written in that character style, with the span's emphasis
    kept as direct formatting; Pandoc's `docx+styles` reader reports the style of each run."""
    text = 'Before [quoted *words*]{custom-style="Quote Char"} after.\n'
    problems = Problems()
    docx = tmp_path / "styled.docx"
    docx.write_bytes(write_docx(prepared(text, problems), CONTEXT).data)
    assert not list(problems)
    blocks = json.loads(pandoc(["-f", "docx+styles", "-t", "json", str(docx)]))["blocks"]
    spans = [n for n in nodes(blocks) if n["t"] == "Span"]
    assert [(dict(n["c"][0][2]).get("custom-style"), words(n["c"][1])) for n in spans] == [
        ("Quote Char", ["quoted", "words"])]
    assert [words(n["c"]) for n in nodes(blocks) if n["t"] == "Emph"] == [["words"]]


def nodes(node: Json) -> Iterator[Json]:
    """Yield every element of the AST, depth first."""
    if isinstance(node, list):
        for child in node:
            yield from nodes(child)
    elif isinstance(node, dict) and "t" in node:
        yield node
        yield from nodes(node.get("c"))
