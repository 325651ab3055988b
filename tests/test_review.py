"""The Word review loop (issue 16): anchors in the DOCX, and `tspdocs review` mapping a reviewed file back.

The final report is built once, a reviewer is played by script (comments, a reply, a resolved comment,
tracked changes in a paragraph, a deleted paragraph, a table cell, a footnote, a printed figure, and a
deletion that took its paragraph's bookmark with it), and LibreOffice opens and saves it once for the
module, so the anchors must survive a real office suite. Pandoc's reader is the independent oracle for
what the file holds.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pypandoc
import pytest
from conftest import EPOCH, Mini, copy_project, run_cli
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from helpers import docx_part
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from tspdocs.project.projectfs import ProjectFS
from tspdocs.writers.base import WriteContext
from tspdocs.writers.docx.anchors import _Sources

pytestmark = pytest.mark.slow

W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
DATE = "2010-11-04T10:00:00Z"
GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
FINDING = "content/findings/contract-terms-burden-tsos.md"
INTRO = "content/sections/introduction.md"


# Playing the reviewer ------------------------------------------------------------------------------


def shown(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def paragraph_with(root: etree._Element, text: str, *, exact: bool = False) -> etree._Element:
    for p in root.iter(qn("w:p")):
        if shown(p) == text or (text in shown(p) and not exact):
            return p
    raise AssertionError(f"no paragraph holds {text!r}")


def split(p: etree._Element, needle: str) -> etree._Element:
    """Return a run holding exactly `needle`, cut out of the run it is in."""
    for run in p.iter(qn("w:r")):
        t = run.find(qn("w:t"))
        if t is None or needle not in (t.text or ""):
            continue
        for piece in (*(t.text or "").split(needle, 1)[:1], needle, (t.text or "").split(needle, 1)[1]):
            if piece:
                new = copy.deepcopy(run)
                new.find(qn("w:t")).text = piece
                new.find(qn("w:t")).set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                run.addprevious(new)
                if piece == needle:
                    target = new
        run.getparent().remove(run)
        return target
    raise AssertionError(f"no single run holds {needle!r}")


def tracked(tag: str, ident: int, author: str) -> etree._Element:
    node = etree.Element(qn(tag))
    for name, value in (("w:id", str(ident)), ("w:author", author), ("w:date", DATE)):
        node.set(qn(name), value)
    return node


def delete(run: etree._Element, ident: int, author: str) -> None:
    wrapper = tracked("w:del", ident, author)
    run.addprevious(wrapper)
    wrapper.append(run)
    for t in run.findall(qn("w:t")):
        t.tag = qn("w:delText")


def insert_after(run: etree._Element, text: str, ident: int, author: str) -> None:
    wrapper = tracked("w:ins", ident, author)
    new = copy.deepcopy(run)
    for t in [*new.findall(qn("w:t")), *new.findall(qn("w:delText"))]:
        t.tag, t.text = qn("w:t"), text
    wrapper.append(new)
    (run.getparent() if run.getparent().tag == qn("w:del") else run).addnext(wrapper)


def delete_paragraph(p: etree._Element, ident: int, author: str) -> None:
    for run in list(p.iter(qn("w:r"))):
        delete(run, ident, author)
    p_pr = p.find(qn("w:pPr"))
    r_pr = p_pr.find(qn("w:rPr"))
    if r_pr is None:
        r_pr = etree.SubElement(p_pr, qn("w:rPr"))
    r_pr.append(tracked("w:del", ident + 1, author))


def comment(document: DocxDocument, p: etree._Element, text: str, author: str, ident: int) -> etree._Element:
    """Comment on a paragraph with python-docx's `add_comment`, dated, with a paragraph id for replies.

    Ids start at 100: LibreOffice 7.4 empties every footnote of a file whose comments are numbered
    like its footnotes (from 0 and 1), which is not what this test is about.
    """
    made = document.add_comment(Paragraph(p, document.part).runs, text=text, author=author, initials=author[:2])
    element = made._comment_elm
    old = element.get(qn("w:id"))
    for tag in ("w:commentRangeStart", "w:commentRangeEnd", "w:commentReference"):
        for node in document.element.body.iter(qn(tag)):
            if node.get(qn("w:id")) == old:
                node.set(qn("w:id"), str(ident))
    element.set(qn("w:id"), str(ident))
    element.set(qn("w:date"), DATE)
    element.findall(qn("w:p"))[-1].set(f"{{{W14}}}paraId", f"{0x10000000 + ident:08X}")
    return element


def threads(document: DocxDocument, pairs: list[tuple[etree._Element, etree._Element | None, bool]]) -> None:
    """Write commentsExtended: each comment, the comment it replies to, and whether it is resolved."""
    root = etree.Element(f"{{{W15}}}commentsEx", nsmap={"w15": W15})
    for element, parent, done in pairs:
        entry = etree.SubElement(root, f"{{{W15}}}commentEx")
        entry.set(f"{{{W15}}}paraId", element.findall(qn("w:p"))[-1].get(f"{{{W14}}}paraId"))
        if parent is not None:
            entry.set(f"{{{W15}}}paraIdParent", parent.findall(qn("w:p"))[-1].get(f"{{{W14}}}paraId"))
        entry.set(f"{{{W15}}}done", "1" if done else "0")
    part = Part(PackURI("/word/commentsExtended.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml",
                etree.tostring(root), document.part.package)
    document.part.relate_to(part, "http://schemas.microsoft.com/office/2011/relationships/commentsExtended")


def edit_footnotes(document: DocxDocument, edit: Callable[[etree._Element], None]) -> None:
    part = document.part.part_related_by(RT.FOOTNOTES)
    element = getattr(part, "element", None)
    if element is not None:  # tspdocs's writer registered the footnotes part as XML
        edit(element)
        return
    root = etree.fromstring(part.blob)
    edit(root)
    part._blob = etree.tostring(root)


def review_by_script(source: Path, target: Path) -> None:
    """Write into a copy of `source` what a reviewer would, each remark on a line this module checks."""
    document = docx.Document(str(source))
    body = document.element.body
    evidence = paragraph_with(body, "An evidence review by")
    asked = comment(document, evidence, "Is this figure for England only?", "A. Smith (DH)", 100)
    answer = comment(document, evidence, "Yes, England only.", "B. Jones", 101)
    rename = comment(document, paragraph_with(body, "Three themes", exact=True), "Rename this heading?",
                     "C. Brown", 102)
    threads(document, [(asked, None, False), (answer, asked, False), (rename, None, True)])
    run = split(paragraph_with(body, "Seven research questions give"), "sharper")
    delete(run, 901, "A. Smith (DH)")
    insert_after(run, "clearer", 902, "A. Smith (DH)")
    delete_paragraph(paragraph_with(body, "The findings presented in this edition are illustrative"), 903, "B. Jones")
    run = split(paragraph_with(body, "170", exact=True), "170")  # the TSO respondents in Table 3
    delete(run, 905, "B. Jones")
    insert_after(run, "171", 906, "B. Jones")
    edit_footnotes(document, lambda notes: insert_after(
        split(paragraph_with(notes, "The statement read"), "statement"), " in full", 907, "C. Brown"))
    costs = paragraph_with(body, "felt partnership had limited their independence")
    delete(split(costs, "57%"), 908, "C. Brown")
    delete(split(costs, " equally"), 913, "C. Brown")  # beside a value and a cross-reference, yet applied
    delete(split(evidence, "Macmillan"), 911, "C. Brown")  # in a citation: the BibTeX entry makes it
    insert_after(split(paragraph_with(body, "Three themes"), "Three themes"), " of the study", 912, "C. Brown")
    bold = split(paragraph_with(body, "The research is organised around three themes"), "organised")
    r_pr = bold.find(qn("w:rPr"))
    if r_pr is None:
        r_pr = etree.Element(qn("w:rPr"))
        bold.insert(0, r_pr)
    r_pr.insert(0, etree.Element(qn("w:b")))
    r_pr.append(tracked("w:rPrChange", 910, "B. Jones"))
    r_pr[-1].append(etree.Element(qn("w:rPr")))
    lost = paragraph_with(body, "We first describe the policy context")
    for mark in [*lost.findall(qn("w:bookmarkStart")), *lost.findall(qn("w:bookmarkEnd"))]:
        lost.remove(mark)  # the reviewer deleted across the bookmark, and it went with the text
    delete(split(lost, "We first"), 909, "A. Smith (DH)")
    document.save(str(target))


def libreoffice_save(source: Path, folder: Path) -> Path:
    """Open and save `source` as DOCX with LibreOffice headless, in a profile of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder / 'profile'}", "--headless",
                    "--convert-to", "docx", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=180)
    return folder / source.name


# Fixtures ------------------------------------------------------------------------------------------


class Reviewed:
    def __init__(self, root: Path, built: Path, scripted: Path, saved: Path) -> None:
        self.root, self.built, self.scripted, self.saved = root, built, scripted, saved

    def review(self, *args: str) -> list[dict[str, object]]:
        run = run_cli(self.root, "review", *args, "--format", "json")
        assert run.code == 0, run.output + run.stderr
        return json.loads(run.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Reviewed:
    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice (soffice) is needed: scripts/install-system-packages installs it")
    root = copy_project(tmp_path_factory.mktemp("review") / "project")
    (root / ".gitignore").write_text("build/\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=root, check=True)
    subprocess.run([*GIT, "commit", "-qm", "the report as sent"], cwd=root, check=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        run = run_cli(root, "build", "final", "--format", "docx")
    assert run.code == 0, run.output + run.stderr
    built = root / "build/final/final.docx"
    scripted = root.parent / "returned" / "final.docx"
    scripted.parent.mkdir()
    review_by_script(built, scripted)
    return Reviewed(root, built, scripted, libreoffice_save(scripted, root.parent / "saved"))


# Anchors -------------------------------------------------------------------------------------------


def test_every_written_paragraph_is_anchored_and_the_manifest_travels_with_it(reviewed: Reviewed) -> None:
    body = docx_part(reviewed.built, "word/document.xml")
    notes = docx_part(reviewed.built, "word/footnotes.xml")
    starts = [*body.iter(qn("w:bookmarkStart")), *notes.iter(qn("w:bookmarkStart"))]
    ids = [s.get(qn("w:id")) for s in starts]
    assert len(ids) == len(set(ids)), "bookmark ids come from one counter"
    names = [s.get(qn("w:name")) for s in starts if s.get(qn("w:name")).startswith("_tsp")]
    assert all(len(n) <= 40 and n[1].isalpha() for n in names)
    archive = zipfile.ZipFile(reviewed.built)
    inside = json.loads(etree.fromstring(archive.read("customXml/item1.xml")).text)
    commit = subprocess.run(["git", "log", "-1", "--format=%h"], cwd=reviewed.root, capture_output=True,
                            text=True, check=True).stdout.strip()
    copy_ = reviewed.root / "build/anchors" / commit / f"{inside['document']}.json"
    assert json.loads(copy_.read_text(encoding="utf-8")) == inside
    assert set(inside["anchors"]) == set(names)
    texts = [(shown(p), any(b.get(qn("w:name"), "").startswith("_tsp") for b in p.iter(qn("w:bookmarkStart"))))
             for p in body.iter(qn("w:p")) if shown(p).strip()]
    first = next(index for index, (_, anchored) in enumerate(texts) if anchored)
    assert "Final report" in [text for text, _ in texts[:first]]  # the cover, made from metadata, has none
    assert all(anchored for _, anchored in texts[first:])
    intro = [a for a in inside["anchors"].values() if a["path"] == INTRO and a["block"] == "Heading"]
    assert [(a["first"], a["text"]) for a in intro][:2] == [(1, "Introduction"), (5, "Three themes")]


def test_each_anchor_hashes_the_lines_it_names_and_a_tables_cells_share_them(reviewed: Reviewed) -> None:
    """The writer works out each block's lines and their hash once, for all the paragraphs it wrote (a table
    writes one per cell): every anchor's hash is that of its own lines, recomputed here from the file."""
    archive = zipfile.ZipFile(reviewed.built)
    anchors = json.loads(etree.fromstring(archive.read("customXml/item1.xml")).text)["anchors"].values()
    files: dict[str, list[str]] = {}
    for a in anchors:
        lines = files.setdefault(a["path"], (reviewed.root / a["path"]).read_text(encoding="utf-8")
                                 .splitlines(keepends=True))
        assert a["first"] <= a["last"] <= len(lines)
        expected = hashlib.sha256("".join(lines[a["first"] - 1:a["last"]]).encode("utf-8")).hexdigest()[:16]
        assert a["source_hash"] == expected, a
    tables = [a for a in anchors if a["block"] == "Table"]
    assert len(tables) > 2 * len({(a["path"], a["first"]) for a in tables}), "tables anchor a paragraph per cell"
    assert any(g["kind"] == "data" for a in tables for g in a["generated"])


def test_lines_that_are_no_readable_project_file_have_no_hash(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content/a.md").write_text("one\r\ntwo\n", encoding="utf-8")
    (tmp_path / "content/bad.md").write_bytes(b"caf\xe9\n")
    (tmp_path / "content/out.md").symlink_to(tmp_path.parent)
    os.mkfifo(tmp_path / "content/pipe.md")  # refused unread: reading it would wait for a writer
    sources = _Sources(WriteContext(ProjectFS.at(tmp_path), 0))
    assert sources.hash("content/a.md", 1, 2) == hashlib.sha256(b"one\ntwo\n").hexdigest()[:16]  # as read: LF
    for path in ("content", "content/missing.md", "content/bad.md", "content/out.md", "content/pipe.md",
                 "../a.md", "/etc/hostname",
                 "content/a\x00.md"):
        assert sources.hash(path, 1, 1) == "", path
    assert sources.hash("", 1, 1) == sources.hash("content/a.md", None, 1) == ""


# Mapping -------------------------------------------------------------------------------------------

EXPECTED = {  # (path, line, kind, text) of every remark, once LibreOffice has saved the file
    ("content/data/tables.yaml", None, "deletion", "57%"),
    (FINDING, 17, "deletion", " equally"),
    ("content/data/tables.yaml", None, "deletion", "170"),
    ("content/data/tables.yaml", None, "insertion", "171"),
    (FINDING, 40, "comment", "Is this figure for England only?"),
    (FINDING, 40, "comment", "Yes, England only."),
    (FINDING, 42, "insertion", " in full"),
    (INTRO, 5, "comment", "Rename this heading?"),
    (INTRO, 7, "formatting", "organised"),
    ("content/references.bib", None, "deletion", "Macmillan"),
    (INTRO, 5, "insertion", " of the study"),  # in the contents: its heading makes the entry
    (INTRO, 13, "deletion", "sharper"),
    (INTRO, 13, "insertion", "clearer"),
    (INTRO, 22, "deletion", "We first"),
    (INTRO, 25, "deletion", "The findings presented in this edition are illustrative. They show how the project’s "
                            "results will be reported, and they should not be quoted as research evidence."),
}


def _keys(items: list[dict[str, object]]) -> set[tuple[object, ...]]:
    return {(i["path"], None if str(i["path"]).startswith("content/") and not str(i["path"]).endswith(".md")
             else i["line"], i["kind"], i["text"]) for i in items}


def test_review_maps_every_remark_to_its_source_line_after_libreoffice_saved_it(reviewed: Reviewed) -> None:
    items = reviewed.review(str(reviewed.saved))
    assert _keys(items) == EXPECTED
    by_text = {i["text"]: i for i in items}
    value = by_text["57%"]
    assert value["generated"]["key"] == "agree_independence_tso"  # type: ignore[index]
    assert value["generated"]["block_path"] == FINDING  # type: ignore[index]
    data_line = next(n for n, line in enumerate((reviewed.root / "content/data/tables.yaml").read_text(
        encoding="utf-8").splitlines(), 1) if line.strip().startswith("agree_independence_tso:"))
    assert value["line"] == data_line
    assert by_text["170"]["generated"]["kind"] == "data"  # type: ignore[index]
    assert by_text["170"]["generated"]["table"] == "obstacles_by_org_type"  # type: ignore[index]
    respondents = _yaml_line(reviewed.root, "      respondents: {count: rows}", "obstacles_by_org_type")
    assert by_text["170"]["line"] == respondents, "a data cell maps to its column in tables.yaml"
    assert by_text["We first"]["anchor"] is None  # found by its text: its bookmark was deleted with it
    assert by_text["Rename this heading?"]["resolved"] is True
    assert by_text[" in full"]["story"] == "footnotes"
    assert next(i for i in items if i["line"] == 25)["whole_paragraph"] is True


def _yaml_line(root: Path, text: str, after: str) -> int:
    lines = (root / "content/data/tables.yaml").read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if line.strip() == f"{after}:")
    return next(n for n, line in enumerate(lines[start:], start + 1) if line == text)


def test_key_messages_map_to_the_findings_front_matter_not_the_template(reviewed: Reviewed) -> None:
    """The final report's key messages are printed by a template from each finding's `key_message`; their
    anchors name the finding's front-matter line, and so does each field's text inside a paragraph."""
    from tspdocs.review.manifest import Manifest

    [copy] = (reviewed.root / "build/anchors").glob("*/*.json")
    anchors = Manifest.from_json(copy.read_bytes()).anchors.values()
    lines = (reviewed.root / FINDING).read_text(encoding="utf-8").splitlines()
    title, message = (lines.index(next(x for x in lines if x.startswith(k))) + 1 for k in ("title:", "key_message:"))
    listed = [a for a in anchors if "Contract terms are the obstacle they name most often." in a.text]
    assert len(listed) == 2, "the key-messages list and the finding's own key message"
    assert [(a.path, a.first, a.last) for a in listed] == [(FINDING, title, title), (FINDING, message, message)], \
        [(a.path, a.first, a.last) for a in listed]
    assert any(g.kind == "front-matter" and g.path == FINDING and g.line == message for g in listed[0].generated), \
        "inside the list's paragraph, the key message's words map to its own line"
    assert not any(a.path.startswith("templates/") and "Contract terms are the obstacle" in a.text for a in anchors)


def test_replies_are_read_from_comments_extended(reviewed: Reviewed) -> None:
    """LibreOffice 7.4 keeps a reply but not what it answers, so the threads are checked before its save."""
    items = reviewed.review(str(reviewed.scripted))
    assert _keys(items) == EXPECTED
    reply = next(i for i in items if i["text"] == "Yes, England only.")
    assert reply["reply"] is True and reply["author"] == "B. Jones"


def test_text_and_github_formats_and_several_files_merged_by_line(reviewed: Reviewed) -> None:
    run = run_cli(reviewed.root, "review", str(reviewed.saved), str(reviewed.scripted))
    assert run.code == 0, run.output + run.stderr
    lines = run.stdout.splitlines()
    assert f'{INTRO}:13: deleted by A. Smith (DH), 2010-11-04: "sharper"' in lines
    assert f'{FINDING}:40: comment by A. Smith (DH), 2010-11-04: "Is this figure for England only?"' in lines
    assert len(lines) == 2 * len(EXPECTED)
    places = [(line.split(":")[0], int(line.split(":")[1])) for line in lines]
    assert places == sorted(places)
    github = run_cli(reviewed.root, "review", str(reviewed.saved), "--format", "github")
    assert f"::notice file={INTRO},line=5::comment by C. Brown" in github.stdout


def test_pandoc_reads_the_same_comments_and_changes(reviewed: Reviewed) -> None:
    native = json.loads(subprocess.run([pypandoc.get_pandoc_path(), "--track-changes=all", "-f", "docx", "-t",
                                        "json", str(reviewed.saved)], capture_output=True, check=True).stdout)
    found: dict[str, list[str]] = {"insertion": [], "deletion": [], "comment-start": []}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("t") == "Span":
                classes = node["c"][0][1]
                for kind in set(classes) & set(found):
                    found[kind].append(pypandoc_text(node["c"][1]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(native["blocks"])
    items = reviewed.review(str(reviewed.saved))
    for kind, pandoc_kind in (("insertion", "insertion"), ("deletion", "deletion"), ("comment", "comment-start")):
        ours = sorted(" ".join(str(i["text"]).split()) for i in items if i["kind"] == kind)
        assert ours == sorted(found[pandoc_kind]), kind


def pypandoc_text(inlines: list[dict[str, object]]) -> str:
    words = []
    for node in inlines:
        if node["t"] == "Str":
            words.append(str(node["c"]))
        elif node["t"] in ("Space", "SoftBreak"):
            words.append(" ")
        elif isinstance(node.get("c"), list):
            inner = node["c"][-1] if node["t"] in ("Span", "Link") else node["c"]
            words.append(pypandoc_text(inner))  # type: ignore[arg-type]
    return " ".join("".join(words).split())


def test_a_file_that_lost_its_manifest_part_uses_the_copy_in_build(reviewed: Reviewed, tmp_path: Path) -> None:
    stripped = tmp_path / "stripped.docx"
    with zipfile.ZipFile(reviewed.saved) as source, zipfile.ZipFile(stripped, "w") as target:
        for info in source.infolist():
            if not info.filename.startswith("customXml/"):
                target.writestr(info, source.read(info))
    assert _keys(reviewed.review(str(stripped))) == EXPECTED


# Refusals ------------------------------------------------------------------------------------------


def test_a_docx_from_another_tool_is_refused(reviewed: Reviewed, tmp_path: Path) -> None:
    other = tmp_path / "other.docx"
    document = docx.Document()
    document.add_paragraph("Written by someone else.")
    document.save(str(other))
    run = run_cli(reviewed.root, "review", str(other))
    assert run.code == 1 and "[review-foreign] tspdocs did not write this file" in run.stderr


def test_a_file_that_is_not_a_docx_is_refused(reviewed: Reviewed, tmp_path: Path) -> None:
    other = tmp_path / "notes.docx"
    other.write_text("just text", encoding="utf-8")
    run = run_cli(reviewed.root, "review", str(other))
    assert run.code == 1 and "[bad-office-file] not a valid Office file" in run.stderr


def rewritten(source: Path, target: Path, part: str, change: Callable[[bytes], bytes | None]) -> Path:
    """Copy a DOCX to `target` with one part changed by `change` (None leaves the part out)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            kept = change(data) if info.filename == part else data
            if kept is not None:
                new.writestr(info, kept)
    return target


def test_a_docx_whose_document_part_is_missing_is_refused(reviewed: Reviewed, tmp_path: Path) -> None:
    broken = rewritten(reviewed.built, tmp_path / "broken.docx", "word/document.xml", lambda _: None)
    run = run_cli(reviewed.root, "review", str(broken))
    assert run.code == 1 and "[review-not-docx] not a Word document" in run.stderr


def test_a_damaged_manifest_is_refused(reviewed: Reviewed, tmp_path: Path) -> None:
    damaged = rewritten(reviewed.built, tmp_path / "damaged.docx", "customXml/item1.xml",
                        lambda data: data.replace(b"tspdocs-anchors/1", b"tspdocs-anchors/0"))
    run = run_cli(reviewed.root, "review", str(damaged))
    assert run.code == 1 and "[review-manifest]" in run.stderr


def test_a_file_built_from_a_commit_this_repository_lacks_is_refused(reviewed: Reviewed, tmp_path: Path) -> None:
    elsewhere = copy_project(tmp_path / "elsewhere")
    subprocess.run(["git", "init", "-q"], cwd=elsewhere, check=True)
    (elsewhere / "content/sections/introduction.md").write_text("# Another history\n", encoding="utf-8")
    subprocess.run([*GIT, "add", "-A"], cwd=elsewhere, check=True)
    subprocess.run([*GIT, "commit", "-qm", "another history"], cwd=elsewhere, check=True)
    run = run_cli(elsewhere, "review", str(reviewed.saved))
    assert run.code == 1 and "[review-commit]" in run.stderr and "does not have" in run.stderr


# Applying ------------------------------------------------------------------------------------------


def _project_copy(reviewed: Reviewed, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(reviewed.root, root, symlinks=True)
    return root


def _paragraphs(path: Path, *options: str) -> set[str]:
    """Return the plain text of each block Pandoc reads in a DOCX, list numbers and spacing aside."""
    text = subprocess.run([pypandoc.get_pandoc_path(), *options, "-f", "docx", "-t", "plain", "--wrap=none",
                           str(path)], capture_output=True, text=True, check=True).stdout
    blocks = (" ".join(block.split()) for block in text.split("\n\n"))
    return {re.sub(r"^\d+\.\s+", "", block) for block in blocks if block}


def test_apply_writes_the_safe_changes_whose_rebuild_is_the_accepted_file(reviewed: Reviewed, tmp_path: Path) -> None:
    root = _project_copy(reviewed, tmp_path)
    run = run_cli(root, "review", str(reviewed.saved), "--apply", "--comments", "inline")
    assert run.code == 0, run.output + run.stderr
    lines = run.stdout.splitlines()
    applied = [line.split(": applied: ")[0] for line in lines if ": applied: " in line]
    assert sorted(applied) == sorted([f"{FINDING}:17", f"{FINDING}:40", f"{FINDING}:40", f"{FINDING}:42", f"{INTRO}:5",
                                      f"{INTRO}:13", f"{INTRO}:13", f"{INTRO}:22", f"{INTRO}:25"])
    refused = [line for line in lines if ": not applied (" in line]
    assert len(refused) == 6 and sum("inside generated text" in line for line in refused) == 5
    assert any(line.startswith(f"{INTRO}:7: not applied (formatting changes") for line in refused)
    assert any(line.startswith("content/data/tables.yaml:") and "agree_independence_tso" in line for line in refused)
    intro = (root / INTRO).read_text(encoding="utf-8")
    assert "a clearer focus" in intro and "The findings presented in this edition" not in intro
    assert "costs of partnership, as @tbl:obstacles shows" in (root / FINDING).read_text(encoding="utf-8")
    assert "## Three themes {>>C. Brown (resolved), 2010-11-04: Rename this heading?<<} {#sec:" in intro
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        rebuilt = run_cli(root, "build", "final", "--format", "docx")
    assert rebuilt.code == 0, rebuilt.output + rebuilt.stderr
    accepted = _paragraphs(reviewed.saved, "--track-changes=accept")
    new = _paragraphs(root / "build/final/final.docx")
    # Only the changes to generated text, reported and not applied, keep the two apart.
    unapplied = ("far apart. of respondents", "TSO 171", "review by (2010)", "Three themes of the study")
    assert sorted(next(m for m in unapplied if m in block) for block in accepted - new) == sorted(unapplied)
    assert len(new - accepted) == len(unapplied)
    assert not any("{>>" in block for block in new), "the inline comments are notes, never printed"


def test_diff_shows_the_patch_and_writes_nothing(reviewed: Reviewed, tmp_path: Path) -> None:
    root = _project_copy(reviewed, tmp_path)
    run = run_cli(root, "review", str(reviewed.saved), "--diff")
    assert run.code == 0, run.output + run.stderr
    assert f"+++ b/{INTRO}" in run.stdout and "-Seven research questions give these themes a sharper" in run.stdout
    assert "{>>" not in run.stdout  # comments are only reported unless asked for inline
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True)
    assert status.stdout == ""
    check = subprocess.run(["git", "apply", "--check", "-"], cwd=root, input=run.stdout, text=True,
                           capture_output=True)
    assert check.returncode == 0, check.stderr


def test_apply_never_writes_over_a_file_edited_since_the_build(reviewed: Reviewed, tmp_path: Path) -> None:
    root = _project_copy(reviewed, tmp_path)
    edited = (root / INTRO).read_text(encoding="utf-8") + "\nA paragraph added after the report was sent.\n"
    (root / INTRO).write_text(edited, encoding="utf-8")
    run = run_cli(root, "review", str(reviewed.saved), "--apply")
    assert run.code == 0, run.output + run.stderr
    assert (root / INTRO).read_text(encoding="utf-8") == edited
    refused = [line for line in run.stdout.splitlines() if line.startswith(f"{INTRO}:")]
    assert not any(": applied: " in line for line in refused)
    assert sum("has changed since commit" in line for line in refused) == 4
    assert f'{INTRO}:5: not applied (comments are written into the source only with --comments inline)' in run.stdout
    assert "applied: inserted by C. Brown" in run.stdout  # the footnote's file is untouched, so it is applied


@pytest.mark.parametrize(("rendered", "source", "offsets"), [
    ("Three themes", "## Three themes {#sec:themes}\n", (3, 9)),
    ("a bold word here", "a **bold** word\nhere\n", (0, 4, 11)),
    ("see the “report”.", 'see [the "report"](https://example.org).', (0, 5, 9)),
    ("it ends here.", "it ends[^1] here.", (0, 3, 12)),
])
def test_source_map_finds_each_rendered_character_in_the_markdown(rendered: str, source: str,
                                                                    offsets: tuple[int, ...]) -> None:
    from tspdocs.review.sourcemap import source_map

    positions = source_map(rendered, source)
    assert positions is not None
    assert [positions[rendered.index(word)] for word in rendered.split()[:len(offsets)]] == list(offsets)


def test_source_map_refuses_text_the_markdown_does_not_hold() -> None:
    from tspdocs.review.sourcemap import source_map

    assert source_map("57% of respondents", "{{< value share >}} of respondents") is None
    assert source_map("as Macmillan (2010) found", "as @macmillan2010 found") is None
    assert source_map("as Macmillan (2010) found", "as @macmillan2010 found", [(0, 2)]) is None


def test_source_map_steps_over_the_shortcodes_and_citations_that_made_generated_text() -> None:
    from tspdocs.review.sourcemap import source_map

    rendered, source = "So 57% agree, as Table 3 and Macmillan (2010) show.", \
        "So {{< value share >}} agree, as @tbl:obstacles and @macmillan2010 show."
    positions = source_map(rendered, source, [(3, 6), (17, 24), (29, 45)])
    assert positions is not None
    assert positions[rendered.index("agree")] == source.index("agree")
    assert positions[rendered.index("show")] == source.index("show")


def test_criticmarkup_comments_stay_in_the_source_and_out_of_the_tree() -> None:
    from tspdocs.errors import Problems
    from tspdocs.markdown.treebuilder import build_blocks
    from tspdocs.tree import dump_tree

    text = "## Themes {>>C. Brown: rename?<<} {#sec:themes}\n\nSome *text*. {>>A: why?<<} {>>B: so<<}\n"
    assert dump_tree(build_blocks(text, "a.md", 1, Problems())) == (
        'Heading level=2 {#sec:themes}\n  Text "Themes"\nPara\n  Text "Some "\n  Emph\n    Text "text"\n'
        '  Text "."\n')


# Area briefings ------------------------------------------------------------------------------------


def test_an_area_briefing_keeps_its_manifest_copy_so_review_maps_it(mini: Mini, tmp_path: Path) -> None:
    """`brief --by area` writes each DOCX's manifest copy in build/anchors/ with the briefings, so a returned
    area briefing whose custom XML part an office suite dropped still maps to its finding's line."""
    from test_batch import with_areas

    with_areas(mini)
    subprocess.run(["git", "init", "-q"], cwd=mini.root, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=mini.root, check=True)
    subprocess.run([*GIT, "commit", "-qm", "sent"], cwd=mini.root, check=True)
    run = mini.run("brief", "--audience", "dh", "--by", "area", "--format", "docx")
    assert run.code == 0, run.output
    assert len(list((mini.root / "build/anchors").glob("*/*.json"))) == 2, "one copy per area, none overwritten"
    document = docx.Document(str(mini.root / "build/briefings/dh/areas/northbrook/briefing-dh-northbrook.docx"))
    paragraph = next(p for p in document.paragraphs if p.text == "Of 3 respondents, 67% were happy.")
    document.add_comment(paragraph.runs, text="For which year?", author="A. Smith", initials="AS")
    returned = tmp_path / "returned.docx"
    document.save(str(returned))
    stripped = tmp_path / "stripped.docx"
    with zipfile.ZipFile(returned) as source, zipfile.ZipFile(stripped, "w") as target:
        for info in source.infolist():
            if not info.filename.startswith("customXml/"):
                target.writestr(info, source.read(info))
    run = run_cli(mini.root, "review", str(stripped), "--format", "json")
    assert run.code == 0, run.output + run.stderr
    line = (mini.root / "content/findings/f01.md").read_text(encoding="utf-8").splitlines().index(
        "Of {{< value respondents >}} respondents, {{< value happy >}} were happy.") + 1
    assert [(i["path"], i["line"], i["kind"], i["text"]) for i in json.loads(run.stdout)] == \
        [("content/findings/f01.md", line, "comment", "For which year?")]


def test_tracked_changes_of_several_runs_stay_one_remark_each() -> None:
    """Each tracked change is its own remark, however lxml recycles the Python objects standing for the
    elements read: keyed by id(), a proxy let go of came back for a later change, whose text was added to
    an earlier one's (11 remarks for these 40 insertions of two runs each)."""
    from lxml import etree

    from tspdocs.review.reader import Returned, _Walker

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    changes = "".join(f'<w:ins w:id="{n}" w:author="A"><w:r><w:t>new{n}</w:t></w:r><w:r><w:t>more{n}</w:t></w:r>'
                      f"</w:ins><w:r><w:t>k</w:t></w:r>" for n in range(40))
    body = etree.fromstring(f'<w:body xmlns:w="{w}"><w:p>{changes}</w:p></w:body>')
    returned = Returned("returned.docx", None)
    _Walker(returned, {}, set()).walk(body, "document")
    assert [r.text for r in returned.remarks] == [f"new{n}more{n}" for n in range(40)]
    assert returned.paragraphs[0].text == "k" * 40
