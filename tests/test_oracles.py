"""Independent readers agree with tspdocs: Pandoc and LibreOffice read the DOCX, and the CommonMark
spec examples survive the tree and every writer with their text intact."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import docx_text, pdf_pages, squash

from tspdocs import tree as t
from tspdocs.commands.build import prepare
from tspdocs.commands.session import BuildSession
from tspdocs.errors import Problems
from tspdocs.markdown.treebuilder import build_blocks
from tspdocs.prepare.citations import pandoc_path
from tspdocs.project.projectfs import ProjectFS
from tspdocs.project.targets import document_targets
from tspdocs.tree import plain_text
from tspdocs.writers.base import WriteContext
from tspdocs.writers.docx import write_docx
from tspdocs.writers.html import page_html

REPO = Path(__file__).resolve().parents[1]
SPEC = json.loads((REPO / "tests/fixtures/commonmark-spec.json").read_text(encoding="utf-8"))


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()


def final_tree(root: Path) -> t.Document:
    session = BuildSession.open(root)
    problems = Problems()
    doc = prepare(session, document_targets(session.corpus, "final")[0], problems)
    assert not problems.errors
    return doc


def pandoc_read(path: Path) -> dict:  # type: ignore[type-arg]
    out = subprocess.run([pandoc_path(), "-f", "docx", "-t", "json", str(path)], capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out)


def pandoc_text(node: object) -> str:
    """Flatten any Pandoc JSON fragment to its words."""
    if isinstance(node, dict):
        if node.get("t") == "Str":
            return node["c"]
        if node.get("t") in ("Space", "SoftBreak", "LineBreak"):
            return " "
        return pandoc_text(node.get("c", []))
    if isinstance(node, list):
        return "".join(pandoc_text(item) for item in node)
    return ""


def pandoc_blocks(ast: dict, kind: str) -> list:  # type: ignore[type-arg]
    found = []

    def visit(node: object) -> None:
        if isinstance(node, dict):
            if node.get("t") == kind:
                found.append(node)
            visit(node.get("c"))
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(ast["blocks"])
    return found


@pytest.mark.xdist_group("built")
def test_pandoc_reads_back_headings_lists_tables_and_notes(built: Path) -> None:
    doc = final_tree(built)
    ast = pandoc_read(built / "build/final/final.docx")
    ours = [squash(plain_text(b.children)) for b in t.walk(doc.blocks) if isinstance(b, t.Heading)]
    theirs = [squash(pandoc_text(h["c"][2])) for h in pandoc_blocks(ast, "Header")]
    assert [h for h in theirs if h in ours] == ours, "every heading, in order"

    items = [squash(plain_text(item.blocks[0].children)) for b in t.walk(doc.blocks)
             if isinstance(b, t.BulletList | t.OrderedList) for item in b.items
             if item.blocks and isinstance(item.blocks[0], t.Para | t.Plain)]
    listed = {squash(pandoc_text(item)) for block in pandoc_blocks(ast, "BulletList") for item in block["c"]}
    listed |= {squash(pandoc_text(item)) for block in pandoc_blocks(ast, "OrderedList") for item in block["c"][1]}
    assert items and all(any(text in entry for entry in listed) for text in items)

    cells = {squash(plain_text(cell.blocks[0].children)) for b in t.walk(doc.blocks) if isinstance(b, t.Table)
             for row in b.body for cell in row.cells if cell.blocks}
    table_text = squash(" ".join(pandoc_text(block) for block in pandoc_blocks(ast, "Table")))
    assert all(cell in table_text for cell in cells)

    notes = [squash(plain_text(b.children)) for node in _notes(doc) for b in node.blocks
             if isinstance(b, t.Para | t.Plain)]
    theirs_notes = [squash(pandoc_text(note["c"])) for note in _pandoc_inlines(ast, "Note")]
    assert notes and all(any(n in theirs for theirs in theirs_notes) for n in notes)


def _notes(doc: t.Document) -> list[t.Note]:
    return [n for inlines in t.inline_lists(doc.blocks) for n in inlines if isinstance(n, t.Note)]


def _pandoc_inlines(ast: dict, kind: str) -> list:  # type: ignore[type-arg]
    return pandoc_blocks(ast, kind)


@pytest.mark.slow
@pytest.mark.xdist_group("built")
def test_libreoffice_opens_and_converts_the_docx(built: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is installed by `make test`"
    source = built / "build/briefings/dh/briefing-dh.docx"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   capture_output=True, check=True, timeout=180)
    text = squash(" ".join(pdf_pages(tmp_path / "briefing-dh.pdf")))
    assert "What this means for the Department of Health" in text
    assert "Key messages" in text


def _letters(text: str) -> str:
    """Return just the letters and digits, in order: spacing and typography set aside."""
    return "".join(re.findall(r"[A-Za-z0-9]", text))


def _html_letters(markup: str) -> str:
    return _letters(html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def test_commonmark_examples_survive_the_tree_and_every_writer(tmp_path: Path) -> None:
    """Each of the 652 spec examples goes through the tree, the HTML writer and the DOCX writer; every word
    markdown-it itself shows (raw HTML off) is still there, in order, in each output."""
    from markdown_it import MarkdownIt

    reference = MarkdownIt("js-default")
    fs = ProjectFS.at(REPO)
    ctx = WriteContext(fs, 0)
    failures = []
    for example in SPEC:
        problems = Problems()
        blocks = build_blocks(example["markdown"], "spec.md", 1, problems)
        doc = t.Document(t.Meta(title="Example", organisation="Spec"), blocks)
        for node in t.walk(doc.blocks):
            if isinstance(node, t.Figure):
                node.image.data, node.image.mime = PNG, "image/png"
        for inlines in t.inline_lists(doc.blocks):
            for index, node in enumerate(inlines):
                if isinstance(node, t.Image):
                    node.data, node.mime = PNG, "image/png"
                elif isinstance(node, t.Cite | t.Ref):
                    node.children = [t.Text(_source(node))]
                elif isinstance(node, t.Shortcode):
                    inlines[index] = t.Text(f"{{{{< {node.name} >}}}}")
        expected = _html_letters(reference.render(example["markdown"]))
        page = page_html(doc, ctx, print_mode=False).split('<main id="content">', 1)[1]
        docx_path = tmp_path / "example.docx"
        docx_path.write_bytes(write_docx(doc, ctx).data)
        outputs = {"html": _html_letters(page) + _letters(" ".join(re.findall(r'alt="([^"]*)"', page))),
                   "docx": _letters(docx_text(docx_path) + _footnote_text(docx_path))}
        for name, letters in outputs.items():
            if not _in_order(expected, letters):
                failures.append((example["example"], name))
    assert not failures, f"{len(failures)} examples lost text: {failures[:10]}"


def _source(node: t.Cite | t.Ref) -> str:
    return node.source if isinstance(node, t.Cite) else "@" + node.target


def _footnote_text(path: Path) -> str:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        if "word/footnotes.xml" not in archive.namelist():
            return ""
    return " " + docx_text(path, "word/footnotes.xml")


def _in_order(expected: str, letters: str) -> bool:
    """True when every character of `expected` appears in `letters`, in the same order."""
    remaining = iter(letters)
    return all(char in remaining for char in expected)
