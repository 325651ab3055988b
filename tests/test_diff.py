"""`tspdocs diff`: a redline between two revisions, checked against Pandoc, LibreOffice and our own reading.

One small git repository is made from the shipped project with a handful of commits (a word changed, a
sentence inserted, a paragraph deleted, a finding added, a table row added, a figure changed by a data
edit, a heading renamed, a list item moved), and the interim report is diffed once between them.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import html5lib
import pypandoc
import pytest
from conftest import EPOCH, copy_project, run_cli
from helpers import NS, W, docx_part, paragraph_text, pdf_pages, squash
from lxml import etree

from tspdocs import tree as t
from tspdocs.compare import compare_documents
from tspdocs.writers.docx.ooxml import element
from tspdocs.writers.docx.revisions import track_row, track_runs

DOCUMENT = "interim"
REDLINE = f"build/{DOCUMENT}/{DOCUMENT}-changes-v1-v2"


@dataclass
class Repo:
    root: Path
    old_docx: Path
    new_docx: Path

    def redline(self, fmt: str) -> Path:
        return self.root / f"{REDLINE}.{fmt}"


def git(root: Path, *args: str, author: str = "Ada", date: str = "2010-06-01T10:00:00Z") -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": f"{author.lower()}@example.org",
           "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": f"{author.lower()}@example.org",
           "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def commit(root: Path, message: str, author: str, day: int) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, author=author, date=f"2010-07-{day:02d}T10:00:00Z")


def edit(root: Path, path: str, old: str, new: str) -> None:
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text, (path, old)
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def build_docx(root: Path, keep: Path) -> Path:
    run = run_cli(root, "build", DOCUMENT, "--format", "docx", "-q")
    assert run.code == 0, run.output
    return Path(shutil.copy(root / f"build/{DOCUMENT}/{DOCUMENT}.docx", keep))


def lower_efficiency(root: Path) -> None:
    """A data edit that redraws the benefits chart: fewer respondents agree that partnership is efficient."""
    path = root / "content/data/survey.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    column = rows[0].index("benefit_efficiency")
    for row in rows[1:41]:
        row[column] = "2" if row[column] in ("4", "5") else row[column]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    base = tmp_path_factory.mktemp("diff")
    root = copy_project(base / "repo")
    (root / ".gitignore").write_text("build/\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "v1")
    git(root, "tag", "v1")
    old_docx = build_docx(root, base / "old.docx")
    edit(root, "content/sections/introduction.md", "seldom do so alone", "rarely do so alone")
    commit(root, "A word changed", "Bea", 1)
    edit(root, "content/sections/existing-research.md", "Research on how organisations work together falls",
         "Both traditions draw on case studies. Research on how organisations work together falls")
    commit(root, "A sentence inserted", "Cy", 2)
    edit(root, "content/sections/context.md", "The present enthusiasm for collaboration", "DELETE-ME")
    text = (root / "content/sections/context.md").read_text(encoding="utf-8")
    (root / "content/sections/context.md").write_text(re.sub(r"DELETE-ME[^\n]*\n\n", "", text), encoding="utf-8")
    commit(root, "A paragraph deleted", "Dee", 3)
    finding = (root / "content/findings/collaboration-takes-many-forms.md").read_text(encoding="utf-8")
    finding = finding.replace("id: F02", "id: F99").replace(
        "title: Third sector organisations collaborate through several forms at once, from loose networks to merger",
        "title: Volunteers carry much of the work of partnership")
    (root / "content/findings/volunteers-carry-partnership.md").write_text(finding, encoding="utf-8")
    commit(root, "A finding added", "Eve", 4)
    with (root / "content/data/timetable.csv").open("a", encoding="utf-8") as stream:
        stream.write("December 2010,Dissemination seminar,1,1,0,2\n")
    commit(root, "A table row added", "Fay", 5)
    lower_efficiency(root)
    commit(root, "A figure changed by a data edit", "Gus", 6)
    edit(root, "content/sections/methodology.md", "## Online survey {", "## The online survey of partnerships {")
    commit(root, "A heading renamed", "Hal", 7)
    edit(root, "content/sections/methodology.md",
         "- an employment services partnership with at least one private sector partner; and\n"
         "- a general partnership", "- a general partnership")
    edit(root, "content/sections/methodology.md", "Total Place strategic board.\n",
         "Total Place strategic board.\n- an employment services partnership with at least one private sector "
         "partner; and\n")
    commit(root, "A list item moved", "Ivy", 8)
    edit(root, "content/sections/context.md", "## Pressures in 2010 {", "### Pressures in 2010 {")
    commit(root, "A heading made a subheading", "Kit", 9)
    git(root, "tag", "v2")
    new_docx = build_docx(root, base / "new.docx")
    run = run_cli(root, "diff", "v1", "v2", DOCUMENT)
    assert run.code == 0, run.output
    return Repo(root, old_docx, new_docx)


# Oracles ------------------------------------------------------------------------


def pandoc_text(path: Path, *extra: str) -> str:
    """Pandoc's reading of a DOCX as plain text. Pandoc ignores a row's own tracked change (w:trPr) and
    keeps the numbering of a list paragraph whose mark is deleted, so a deleted row or list item comes out
    empty where Word removes it: rows and list items with no text at all are dropped before comparing."""
    ast = json.loads(subprocess.run([pypandoc.get_pandoc_path(), "-f", "docx", *extra, "-t", "json", str(path)],
                                    check=True, capture_output=True, text=True).stdout)
    _drop_empty_rows(ast)
    return subprocess.run([pypandoc.get_pandoc_path(), "-f", "json", "-t", "plain", "--wrap=none"],
                          input=json.dumps(ast), check=True, capture_output=True, text=True).stdout


def _drop_empty_rows(node: object) -> None:
    if isinstance(node, list):
        for child in node:
            _drop_empty_rows(child)
    elif isinstance(node, dict):
        if node.get("t") == "Table":
            _, _, _, head, bodies, foot = node["c"]
            for rows in [head[1], *(b[2] for b in bodies), *(b[3] for b in bodies), foot[1]]:
                rows[:] = [row for row in rows if any(cell[4] for cell in row[1])]
        if node.get("t") in ("BulletList", "OrderedList"):
            items = node["c"] if node["t"] == "BulletList" else node["c"][1]
            items[:] = [item for item in items if any(block.get("c") for block in item)]
        for child in node.values():
            _drop_empty_rows(child)


def resolved(path: Path, *, accept: bool) -> list[str]:
    """Our own reading of Word's Accept All (or Reject All): the text of each paragraph that remains."""
    return [paragraph_text(p) for p in resolved_body(path, accept=accept).iter(f"{{{W}}}p")]


def resolved_body(path: Path, *, accept: bool) -> etree._Element:
    """The document's body after Word's Accept All (or Reject All): rejecting a style change puts the
    paragraph's old properties (`w:pPrChange/w:pPr`) back, accepting it drops the record."""
    body = copy.deepcopy(docx_part(path, "word/document.xml"))
    for change in body.xpath("//w:pPr/w:pPrChange", namespaces=NS):
        properties = change.getparent()
        if not accept:
            for child in [c for c in properties if c.tag not in (f"{{{W}}}rPr", f"{{{W}}}sectPr", change.tag)]:
                properties.remove(child)
            for index, child in enumerate(list(change[0])):
                properties.insert(index, child)
        properties.remove(change)
    drop, keep = ("del", "ins") if accept else ("ins", "del")
    for row in body.xpath(f"//w:tr[w:trPr/w:{drop}]", namespaces=NS):
        row.getparent().remove(row)
    for paragraph in body.xpath(f"//w:p[w:pPr/w:rPr/w:{drop}]", namespaces=NS):
        for mark in paragraph.xpath(f".//w:{drop}", namespaces=NS):
            mark.getparent().remove(mark)
        assert not paragraph_text(paragraph).strip(), "a removed paragraph mark left text behind"
        paragraph.getparent().remove(paragraph)
    for mark in body.xpath(f"//w:{drop}", namespaces=NS):
        mark.getparent().remove(mark)
    for mark in body.xpath(f"//w:{keep}", namespaces=NS):
        parent = mark.getparent()
        for child in list(mark):
            mark.addprevious(child)
        parent.remove(mark)
    for text in body.iter(f"{{{W}}}delText"):
        text.tag = f"{{{W}}}t"
    return body


def styled(body: etree._Element) -> list[tuple[str, str]]:
    """Each paragraph's style and text."""
    return [("".join(p.xpath("w:pPr/w:pStyle/@w:val", namespaces=NS)), paragraph_text(p))
            for p in body.iter(f"{{{W}}}p")]


def plain(path: Path) -> list[str]:
    return [paragraph_text(p) for p in docx_part(path, "word/document.xml").iter(f"{{{W}}}p")]


def marks(path: Path, kind: str) -> list[etree._Element]:
    """Every run-level insertion or deletion (not paragraph marks nor rows)."""
    return docx_part(path, "word/document.xml").xpath(f"//w:{kind}[w:r]", namespaces=NS)


def mark_text(mark: etree._Element) -> str:
    return "".join(mark.xpath(".//w:t/text() | .//w:delText/text()", namespaces=NS))


# DOCX ---------------------------------------------------------------------------


def test_pandoc_accepting_the_redline_reads_as_the_new_revision(repo: Repo) -> None:
    assert pandoc_text(repo.redline("docx"), "--track-changes=accept") == pandoc_text(repo.new_docx)


def test_pandoc_rejecting_the_redline_reads_as_the_old_revision(repo: Repo) -> None:
    assert pandoc_text(repo.redline("docx"), "--track-changes=reject") == pandoc_text(repo.old_docx)


def test_our_accept_and_reject_give_the_two_revisions(repo: Repo) -> None:
    assert resolved(repo.redline("docx"), accept=True) == plain(repo.new_docx)
    assert resolved(repo.redline("docx"), accept=False) == plain(repo.old_docx)


def test_every_w_id_is_unique_and_python_docx_opens_it(repo: Repo) -> None:
    body = docx_part(repo.redline("docx"), "word/document.xml")
    ids = [e.get(f"{{{W}}}id") for e in body.iter(f"{{{W}}}ins", f"{{{W}}}del", f"{{{W}}}bookmarkStart")]
    assert len(ids) > 10 and len(ids) == len(set(ids))
    names = body.xpath("//w:bookmarkStart/@w:name", namespaces=NS)
    assert len(names) == len(set(names))
    assert docx.Document(str(repo.redline("docx"))).paragraphs


def test_each_change_is_marked_once_with_its_author_and_date(repo: Repo) -> None:
    path = repo.redline("docx")
    inserted = {mark_text(m): m for m in marks(path, "ins")}
    deleted = {mark_text(m): m for m in marks(path, "del")}
    assert "rarely" in inserted and "seldom" in deleted
    assert inserted["rarely"].get(f"{{{W}}}author") == "Bea"
    assert inserted["rarely"].get(f"{{{W}}}date") == "2010-07-01T10:00:00Z"
    assert [text for text in inserted if "Both traditions draw on case studies." in text] == \
        ["Both traditions draw on case studies. "]
    assert any(text.startswith("The present enthusiasm for collaboration") for text in deleted)
    assert "The online survey of partnerships" in " ".join(inserted)
    assert "Dissemination seminar" in inserted
    assert any("Volunteers carry much of the work of partnership" in text for text in inserted)
    body = docx_part(path, "word/document.xml")
    assert body.xpath("//w:tr[w:trPr/w:ins]", namespaces=NS), "the new timetable row is an inserted row"
    assert body.xpath("//w:p[w:pPr/w:rPr/w:del]", namespaces=NS), "the deleted paragraph's mark is deleted"
    assert not body.xpath("//w:del//w:t", namespaces=NS), "deleted text is w:delText"


def test_a_style_change_is_a_ppr_change_that_reject_all_undoes(repo: Repo) -> None:
    """A heading made a subheading keeps its words unmarked; only its style is tracked. Rejecting every
    change gives the old document's styles, paragraph for paragraph, and accepting gives the new one's."""
    body = docx_part(repo.redline("docx"), "word/document.xml")
    heading = next(p for p in body.iter(f"{{{W}}}p") if paragraph_text(p) == "Pressures in 2010")
    assert heading.xpath("w:pPr/w:pStyle/@w:val", namespaces=NS) == ["Heading3"]
    assert heading.xpath("w:pPr/w:pPrChange/w:pPr/w:pStyle/@w:val", namespaces=NS) == ["Heading2"]
    assert heading.xpath("w:pPr/w:pPrChange/@w:author", namespaces=NS) == ["Kit"]
    assert not heading.xpath(".//w:ins | .//w:del", namespaces=NS)
    assert styled(resolved_body(repo.redline("docx"), accept=False)) == \
        styled(docx_part(repo.old_docx, "word/document.xml"))
    assert styled(resolved_body(repo.redline("docx"), accept=True)) == \
        styled(docx_part(repo.new_docx, "word/document.xml"))
    page = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(repo.redline("html").read_bytes())
    restyled = [e for e in page.iter("div") if e.get("class") == "change-restyled"]
    assert [squash("".join(e.itertext())) for e in restyled] == ["2.2.1 Pressures in 2010"]
    assert restyled[0].get("title") == "style changed by Kit" and restyled[0].find("h4") is not None


def test_a_change_is_attributed_to_the_commit_that_changed_its_lines(repo: Repo) -> None:
    """Hal renamed a heading in methodology.md, and Ivy later moved a list item in the same file: the
    renamed heading is Hal's (git blame on its lines), not the file's last author's; the moved item Ivy's.
    A deletion has no lines in the newer revision: it goes to the file's last commit, Kit's."""
    inserted = {mark_text(m): m for m in marks(repo.redline("docx"), "ins")}
    heading = next(m for text, m in inserted.items() if text.startswith("The online survey of partnerships"))
    assert heading.get(f"{{{W}}}author") == "Hal" and heading.get(f"{{{W}}}date") == "2010-07-07T10:00:00Z"
    moved = next(m for text, m in inserted.items() if text.startswith("an employment services partnership"))
    assert moved.get(f"{{{W}}}author") == "Ivy"
    deleted = {mark_text(m): m for m in marks(repo.redline("docx"), "del")}
    gone = next(m for text, m in deleted.items() if text.startswith("The present enthusiasm for collaboration"))
    assert gone.get(f"{{{W}}}author") == "Kit"


def test_a_redrawn_figure_is_deleted_and_inserted(repo: Repo) -> None:
    body = docx_part(repo.redline("docx"), "word/document.xml")
    assert body.xpath("//w:del[.//w:drawing]", namespaces=NS) and body.xpath("//w:ins[.//w:drawing]", namespaces=NS)


# HTML and PDF -------------------------------------------------------------------


def test_html_marks_never_cross_a_block_and_the_summary_links_to_them(repo: Repo) -> None:
    page = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(repo.redline("html").read_bytes())
    ins = [squash("".join(e.itertext())) for e in page.iter("ins")]
    dels = [squash("".join(e.itertext())) for e in page.iter("del")]
    assert ins.count("rarely") == 1 and dels.count("seldom") == 1
    assert ins.count("Both traditions draw on case studies.") == 1
    assert sum(text.startswith("The present enthusiasm for collaboration") for text in dels) == 1
    assert ins.count("The online survey of partnerships") == 2  # the heading and its contents entry
    rows = [squash("".join(r.itertext())) for r in page.iter("tr") if r.get("class") == "change-inserted"]
    assert any("Dissemination seminar" in row for row in rows)
    for mark in [*page.iter("ins"), *page.iter("del")]:
        assert not mark.findall(".//p") and not mark.findall(".//div") and not mark.findall(".//li")
    summary = next(e for e in page.iter("div") if "changes-summary" in (e.get("class") or ""))
    text = squash("".join(summary.itertext()))
    assert "Findings added (1)" in text and "Volunteers carry much of the work of partnership" in text
    assert "Figures changed (1)" in text
    every = [e.get("id") for e in page.iter() if e.get("id")]
    assert len(every) == len(set(every)), "a deleted heading gives its label to the new one"
    ids = set(every)
    links = [a.get("href")[1:] for a in summary.iter("a")]
    assert links and all(link in ids for link in links)


def test_pdf_shows_both_words_and_the_summary(repo: Repo) -> None:
    text = squash(" ".join(pdf_pages(repo.redline("pdf"))))
    assert "they seldomrarely do so alone" in text  # struck through, then underlined: no space between
    assert "Findings added (1)" in text


# The command --------------------------------------------------------------------


def test_identical_revisions_have_no_changes(repo: Repo) -> None:
    run = run_cli(repo.root, "diff", "v2", "v2", DOCUMENT)
    assert run.code == 0 and "no changes" in run.output
    assert not list((repo.root / "build" / DOCUMENT).glob("*-changes-v2-v2.*"))


def test_a_revision_that_does_not_build_is_named(repo: Repo) -> None:
    git(repo.root, "checkout", "-q", "-b", "broken")
    edit(repo.root, "content/sections/context.md", "\n\n", "\n\nSee @tbl:nowhere.\n\n")
    commit(repo.root, "A broken reference", "Jo", 9)
    git(repo.root, "checkout", "-q", "main")
    run = run_cli(repo.root, "diff", "v1", "broken", DOCUMENT)
    assert run.code == 1
    assert "does not build at revision 'broken'" in run.stderr
    assert "broken:content/sections/context.md" in run.stderr
    assert not (repo.root / f"build/{DOCUMENT}/{DOCUMENT}-changes-v1-broken.html").exists()


def test_an_unknown_revision_is_a_clear_error(repo: Repo) -> None:
    run = run_cli(repo.root, "diff", "v9", DOCUMENT)
    assert run.code == 1 and "git knows no revision 'v9'" in run.stderr


def test_a_mistyped_document_or_missing_arguments_are_usage_errors(repo: Repo) -> None:
    run = run_cli(repo.root, "diff", "v1", "v2", "interm")
    assert run.code == 2 and "unknown-document" in run.stderr
    assert run_cli(repo.root, "diff", "v1").code == 2
    assert run_cli(repo.root, "diff", "v1", "v2", "v2", DOCUMENT).code == 2


def test_a_document_the_old_revision_lacks_is_named(repo: Repo) -> None:
    git(repo.root, "checkout", "-q", "-b", "extra")
    edit(repo.root, "content/documents.yaml", "documents:\n", "documents:\n  extra:\n    title: Extra\n"
         "    template: reports/interim.md.j2\n")
    commit(repo.root, "A document added", "Jo", 10)
    git(repo.root, "checkout", "-q", "main")
    run = run_cli(repo.root, "diff", "v1", "extra", "extra")
    assert run.code == 1 and "extra does not exist at revision 'v1'" in run.stderr


# The comparison and the OOXML helpers, on small trees ----------------------------


def _redline(old: list[t.Block], new: list[t.Block]) -> list[t.Block]:
    meta = t.Meta(title="x")
    redline = compare_documents(t.Document(meta, old), t.Document(meta, new), lambda _: ("A", "2010-01-01T00:00:00Z"))
    return redline.doc.blocks


def _marked(blocks: list[t.Block]) -> list[tuple[str, str]]:
    return [(n.change.kind, t.plain_text(n.children)) for group in t.inline_lists(blocks) for n in group
            if isinstance(n, t.Changed)]


def test_short_unchanged_runs_fold_into_the_change() -> None:
    old = [t.Para([t.Text("The cat sat on the mat in the sun all day long.")])]
    new = [t.Para([t.Text("The dog sat on a mat in the sun all day long.")])]
    assert _marked(_redline(old, new)) == [("deleted", "cat sat on the"), ("inserted", "dog sat on a")]


def test_a_paragraph_mostly_rewritten_is_deleted_and_inserted_whole() -> None:
    old = [t.Para([t.Text("Partnership helps organisations reach people.")])]
    new = [t.Para([t.Text("Mergers rarely deliver the savings promised to boards.")])]
    blocks = _redline(old, new)
    assert [(type(b).__name__, b.change.kind) for b in blocks if isinstance(b, t.ChangedBlocks)] == \
        [("ChangedBlocks", "deleted"), ("ChangedBlocks", "inserted")]


def _table(names: list[str], rows: list[list[str]]) -> t.Table:
    return t.Table([t.Column(name=n) for n in names], [], [t.Row([t.Cell([t.Plain([t.Text(c)])]) for c in r])
                                                          for r in rows])


def test_table_rows_match_by_first_cell_and_new_columns_replace_the_table() -> None:
    old = _table(["a", "b"], [["x", "1"], ["y", "2"]])
    new = _table(["a", "b"], [["x", "1"], ["z", "9"], ["y", "3"]])
    table = _redline([old], [new])[0]
    assert isinstance(table, t.Table)
    assert [r.change.kind if r.change else "" for r in table.body] == ["", "inserted", ""]
    assert _marked([table])[-2:] == [("deleted", "2"), ("inserted", "3")]
    wider = _table(["a", "b", "c"], [["x", "1", "0"]])
    assert [b.change.kind for b in _redline([old], [wider]) if isinstance(b, t.ChangedBlocks)] == \
        ["deleted", "inserted"]


def test_same_words_in_another_style_are_restyled_not_replaced() -> None:
    words = [t.Text("Partnership helps organisations reach people.")]
    for old, new in ((t.Para(list(words)), t.Heading(2, list(words))),
                     (t.Heading(2, list(words), t.Attr("sec:x")), t.Heading(3, list(words), t.Attr("sec:x"))),
                     (t.Div([t.Para(list(words))], t.Attr(classes=["callout-note"])),
                      t.Div([t.Para(list(words))], t.Attr(classes=["callout-tip"])))):
        [block] = _redline([old], [new])
        assert isinstance(block, t.Restyled) and block.block is new and block.change.kind == "restyled"
        assert not _marked([block]) and not any(t.inline_lists([block.old])), "the old block keeps only its shape"
        assert getattr(block.old, "attr", t.Attr()).id == ""
    boxed = t.Div([t.Para(list(words))], t.Attr(classes=["callout-note"]))
    assert [b.change.kind for b in _redline([t.Para(list(words))], [boxed]) if isinstance(b, t.ChangedBlocks)] == \
        ["deleted", "inserted"], "a paragraph boxed changes shape, not style"


def test_deleted_runs_keep_their_text_as_deltext_and_field_code_as_delinstrtext() -> None:
    paragraph = element("w:p")
    for child in ("w:t", "w:instrText"):
        run = element("w:r")
        run.append(element(child))
        paragraph.append(run)
    ids = iter(range(1, 10))
    track_runs(paragraph, 0, t.Change("deleted", "A", "2010-01-01T00:00:00Z"), lambda: next(ids))
    assert [e.tag.split("}")[1] for e in paragraph.iter()] == ["p", "del", "r", "delText", "r", "delInstrText"]
    row = element("w:tr")
    track_row(row, t.Change("inserted", "A", ""), lambda: 7)
    assert row.xpath("w:trPr/w:ins/@w:id") == ["7"]


# LibreOffice (slow) --------------------------------------------------------------


@pytest.mark.slow
def test_libreoffice_sees_every_change(repo: Repo, tmp_path: Path) -> None:
    """LibreOffice reads the same changes: every deletion as one region, and every insertion too, though
    it may keep an inserted paragraph's mark as a region of its own (at the end of a list, after a picture),
    so insertions may number up to one more per inserted paragraph mark."""
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "odt", "--outdir", str(tmp_path), str(repo.redline("docx"))], check=True, capture_output=True,
                   timeout=300)
    with zipfile.ZipFile(tmp_path / f"{DOCUMENT}-changes-v1-v2.odt") as archive:
        content = etree.fromstring(archive.read("content.xml"))
    regions = content.xpath("//text:tracked-changes/text:changed-region/*[1]",
                            namespaces={"text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"})
    seen = [etree.QName(region).localname for region in regions]
    body = docx_part(repo.redline("docx"), "word/document.xml")
    ours = [kind for kind, _, _ in changes_as_read(body)]
    assert seen.count("deletion") == ours.count(f"{{{W}}}del")
    inserted_marks = len(body.xpath("//w:pPr/w:rPr/w:ins", namespaces=NS))
    assert ours.count(f"{{{W}}}ins") <= seen.count("insertion") <= ours.count(f"{{{W}}}ins") + inserted_marks


def changes_as_read(body: etree._Element) -> list[tuple[str, str, str]]:
    """Return the changes as a reader meets them: neighbouring runs and paragraph marks of one change (same
    kind, author and date) are one change, and a run that shows nothing is none."""
    marks: list[tuple[str, str, str] | None] = []
    for paragraph in body.iter(f"{{{W}}}p"):
        for run in paragraph.iter(f"{{{W}}}r"):
            if _shows_something(run):
                marks.append(_change(run.xpath("ancestor::w:ins[1] | ancestor::w:del[1]", namespaces=NS)))
        marks.append(_change(paragraph.xpath("w:pPr/w:rPr/w:ins | w:pPr/w:rPr/w:del", namespaces=NS)))
    return [mark for index, mark in enumerate(marks) if mark is not None and (index == 0 or marks[index - 1] != mark)]


def _shows_something(run: etree._Element) -> bool:
    return bool("".join(run.xpath("w:t/text() | w:delText/text()", namespaces=NS))) or \
        bool(run.xpath("w:drawing | w:tab | w:br | w:footnoteReference", namespaces=NS))


def _change(found: list[etree._Element]) -> tuple[str, str, str] | None:
    if not found:
        return None
    mark = found[0]
    return mark.tag, mark.get(f"{{{W}}}author") or "", mark.get(f"{{{W}}}date") or ""


# Revisions from git ----------------------------------------------------------------


def test_a_project_in_a_subfolder_exports_alone_and_changes_are_attributed(tmp_path: Path) -> None:
    from tspdocs.store.snapshot import Authors, Revision, export_project

    repo = tmp_path / "repo"
    (repo / "project/content").mkdir(parents=True)
    (repo / "project/content/a.md").write_text("one\n", encoding="utf-8")
    (repo / "elsewhere.txt").write_text("not the project\n", encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    (repo / "project/content/a.md").write_text("two\n", encoding="utf-8")
    commit(repo, "two", "Bea", 1)
    root = repo / "project"
    old = Revision.resolve(root, "HEAD~1")
    exported = export_project(root, old, tmp_path / "scratch")
    assert (exported / "content/a.md").read_text(encoding="utf-8") == "one\n"
    assert not (exported / "elsewhere.txt").exists()
    authors = Authors(root, old, None, ("label", "2010-12-16T00:00:00Z"))
    assert authors("content/a.md") == ("Bea", "2010-07-01T10:00:00Z")
    (root / "content/a.md").write_text("three\n", encoding="utf-8")
    assert Authors(root, old, None, ("label", "2010-12-16T00:00:00Z"))("content/a.md") == \
        ("label", "2010-12-16T00:00:00Z"), "a change not yet committed has no git author"


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_change_colours_meet_wcag_aa_and_are_not_the_only_cue() -> None:
    css = (Path(__file__).resolve().parents[1] / "assets/styles/base.css").read_text(encoding="utf-8")
    for selector, line in (("ins", "underline"), ("del", "line-through")):
        rule = re.search(rf"^{selector}, [^{{]*\{{([^}}]*)\}}", css, re.MULTILINE)
        assert rule, selector
        colour = re.search(r"(?<![-\w])color: (#[0-9a-f]{6})", rule[1])
        background = re.search(r"background: (#[0-9a-f]{6})", rule[1])
        assert colour and background and f"text-decoration: {line}" in rule[1]
        light, dark = sorted((_luminance(colour[1]), _luminance(background[1])), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, selector


@pytest.mark.slow
def test_briefings_and_the_anonymised_manuscript(repo: Repo) -> None:
    run = run_cli(repo.root, "diff", "v1", "v2", "--audience", "dh", "--format", "html")
    assert run.code == 0, run.output
    page = (repo.root / "build/briefings/dh/briefing-dh-changes-v1-v2.html").read_text(encoding="utf-8")
    assert re.search(r"<del [^>]*><data [^>]*>36%</data></del><ins [^>]*><data [^>]*>33%</data></ins>", page), \
        "a figure quoted from the data changes like a word"
    run = run_cli(repo.root, "diff", "v1", "v2", "academic", "--format", "docx")
    assert run.code == 0, run.output
    anonymised = repo.root / "build/academic/academic-anonymised-changes-v1-v2.docx"
    authors = set(docx_part(anonymised, "word/document.xml").xpath("//w:ins/@w:author | //w:del/@w:author",
                                                                   namespaces=NS))
    assert authors == {"tspdocs v1 → v2"}
    named = docx_part(repo.root / "build/academic/academic-changes-v1-v2.docx", "word/document.xml")
    assert "Bea" in named.xpath("//w:ins/@w:author | //w:del/@w:author", namespaces=NS)
