"""Documents and audiences are data: each briefing takes exactly the findings its selection picks."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pikepdf
import pytest
import yaml
from conftest import Mini, copy_project
from helpers import docx_text, front_matter_titles, pdf_pages, squash

from tspdocs.prepare.directives.evidence_matrix import evidence_counts

AUDIENCE_SECTORS = {"ots": "local-partnerships", "dh": "health", "dcsf": "children-families"}


def _front(root: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    """Read every finding's front matter with PyYAML, independently of tspdocs's reader."""
    out = {}
    for path in (root / "content/findings").glob("*.md"):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
        out[front["id"]] = front
    return out


def expected_for(root: Path, audience: str) -> set[str]:
    return {ident for ident, front in _front(root).items()
            if front["status"] != "draft"
            and (audience in front.get("audiences", []) or AUDIENCE_SECTORS[audience] in front["sectors"])}


@pytest.mark.xdist_group("built")
@pytest.mark.parametrize("audience", ["ots", "dh", "dcsf"])
def test_each_briefing_has_exactly_its_findings(built: Path, audience: str) -> None:
    titles = front_matter_titles(built)
    wanted = expected_for(built, audience)
    assert wanted, "every audience has findings in the shipped content"
    folder = built / "build/briefings" / audience
    document = docx.Document(str(folder / f"briefing-{audience}.docx"))
    headings = {p.text for p in document.paragraphs if p.style.name == "Heading 2"}
    pdf_text = squash(" ".join(pdf_pages(folder / f"briefing-{audience}.pdf")))
    for ident, title in titles.items():
        if ident in wanted:
            assert title in headings
            assert squash(title) in pdf_text
        else:
            assert title not in headings
            assert squash(title) not in pdf_text


@pytest.mark.xdist_group("built")
def test_briefings_differ_in_substance(built: Path) -> None:
    texts = {a: docx_text(built / f"build/briefings/{a}/briefing-{a}.docx") for a in AUDIENCE_SECTORS}
    assert "For health commissioners" in texts["dh"] or "health" in texts["dh"].lower()
    assert len({texts[a].split("What this means", 1)[1][:400] for a in texts}) == 3
    for audience in texts:
        assert len(pdf_pages(built / f"build/briefings/{audience}/briefing-{audience}.pdf")) <= 4


@pytest.mark.xdist_group("built")
def test_audience_blocks_appear_only_for_their_audience(built: Path) -> None:
    finding = (built / "content/findings/outcomes-claimed-not-measured.md").read_text(encoding="utf-8")
    block = re.search(r'::: \{audience="dh"\}\n(.+?)\n:::', finding, re.DOTALL)[1]
    marker = squash(block)[:50]
    assert marker in squash(docx_text(built / "build/briefings/dh/briefing-dh.docx"))
    assert marker not in squash(docx_text(built / "build/final/final.docx"))


@pytest.mark.xdist_group("built")
def test_evidence_matrix_counts_match_front_matter(built: Path) -> None:
    fronts = [f for f in _front(built).values() if f["status"] != "draft"]
    document = docx.Document(str(built / "build/final/final.docx"))
    matrix = next(t for t in document.tables if t.rows[0].cells[0].text == "Research question")
    sources = ["literature", "scoping", "exploratory", "survey", "in-depth"]
    for row in matrix.rows[1:]:
        question = row.cells[0].text.split(":")[0]
        for source, cell in zip(sources, row.cells[1:], strict=False):  # the last column is the findings total
            count = sum(1 for f in fronts if question in f["questions"] and source in f["evidence"])
            assert cell.text == (str(count) if count else "–"), (question, source)


def test_evidence_counts_unit() -> None:
    class F:
        def __init__(self, questions: list[str], evidence: list[str]) -> None:
            self.meta = type("M", (), {"questions": questions, "evidence": evidence})

    counts = evidence_counts([F(["RQ1"], ["survey", "cases"]), F(["RQ1", "RQ2"], ["survey"])],
                             ["RQ1", "RQ2"], ["survey", "cases"])
    assert counts == {("RQ1", "survey"): 2, ("RQ1", "cases"): 1, ("RQ2", "survey"): 1, ("RQ2", "cases"): 0}


@pytest.mark.xdist_group("built")
def test_anonymised_manuscript_names_nobody(built: Path) -> None:
    folder = built / "build/academic"
    names = ["Bovaird", "Edwards", "Sobrina", "Tony", "Third Sector Research Centre", "Birmingham"]
    text = docx_text(folder / "academic-anonymised.docx")
    header = " ".join(docx_text(folder / "academic-anonymised.docx", f"word/header{i}.xml") for i in (1, 2)
                      if _has_part(folder / "academic-anonymised.docx", f"word/header{i}.xml"))
    props = docx.Document(str(folder / "academic-anonymised.docx")).core_properties
    pdf_text = " ".join(pdf_pages(folder / "academic-anonymised.pdf")).split("References")[0]
    with pikepdf.open(folder / "academic-anonymised.pdf") as pdf:
        metadata = str(dict(pdf.docinfo)) + str(pdf.open_metadata())
    for name in names:
        assert name not in text.split("References")[0], name
        assert name not in header and name not in pdf_text, name
        assert name not in (props.author + props.last_modified_by + props.comments), name
        assert name not in metadata, name
    assert "Author, 2004" in text or "Author (2004)" in text
    assert "Acknowledgements" not in text
    named = docx_text(folder / "academic.docx")
    assert "Bovaird" in named and "Acknowledgements" in named


def _has_part(path: Path, name: str) -> bool:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return name in archive.namelist()


@pytest.mark.xdist_group("built")
def test_manuscript_follows_its_journal_profile(built: Path) -> None:
    path = built / "build/academic/academic.docx"
    document = docx.Document(str(path))
    assert document.styles["Normal"].font.size.pt == 12
    assert document.styles["Body Text"].paragraph_format.line_spacing == 2
    assert document.sections[0]._sectPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}lnNumType") is not None
    text = docx_text(path)
    words = re.search(r"Word count: ([\d,]+)", text)
    assert words and int(words[1].replace(",", "")) > 3000
    assert "Keywords:" in text
    assert re.search(r"\(Bovaird, 2004[,;)]", text), "APA author-date from the journal profile"


def test_fourth_audience_by_configuration_alone(mini: Mini) -> None:
    """The mini project defines moj in project.yaml only; no code and no template of its own."""
    mini.finding("F02", "Justice partnerships cut reoffending", sectors="[justice]")
    run = mini.run("brief", "--audience", "moj", "--format", "docx,html")
    assert run.code == 0, run.output
    text = docx_text(mini.root / "build/briefings/moj/briefing-moj.docx")
    assert "Justice partnerships cut reoffending" in text
    assert "Health partnerships help" not in text


def test_drafts_reach_briefings_only_when_asked(mini: Mini) -> None:
    mini.finding("F02", "A draft about health", status="draft")
    assert mini.run("brief", "--audience", "dh", "--format", "html").code == 0
    html = (mini.root / "build/briefings/dh/briefing-dh.html").read_text(encoding="utf-8")
    assert "A draft about health" not in html
    assert mini.run("brief", "--audience", "dh", "--format", "html", "--include-drafts").code == 0
    html = (mini.root / "build/briefings/dh/briefing-dh.html").read_text(encoding="utf-8")
    assert "A draft about health" in html and "Draft: not for circulation" in html


def test_briefing_over_its_page_budget_fails_then_builds_when_allowed(mini: Mini) -> None:
    long_body = "\n\n".join(f"Paragraph {n}. " + "Partnership work takes time and care. " * 40 for n in range(14))
    mini.finding("F01", "Health partnerships help", body=long_body)
    mini.write("content/documents.yaml", (mini.root / "content/documents.yaml").read_text()
               + "  budget: {pages: 4, words: 20000}\n")
    run = mini.run("brief", "--audience", "dh", "--format", "pdf")
    assert run.code == 1
    message = run.stderr
    assert "briefing-dh runs to 5 pages, over its budget of 4" in message
    assert "longest sections: Health partnerships help" in message
    assert mini.outputs() == []
    run = mini.run("brief", "--audience", "dh", "--format", "pdf", "--allow-overlength")
    assert run.code == 0
    assert len(pdf_pages(mini.root / "build/briefings/dh/briefing-dh.pdf")) == 5


def test_unknown_audience_lists_the_valid_ones(mini: Mini) -> None:
    run = mini.run("brief", "--audience", "dfe")
    assert run.code == 2  # a usage error
    assert "unknown audience 'dfe'" in run.stderr and "known: dh, moj" in run.stderr


def test_list_shows_documents_audiences_and_counts(tmp_path: Path) -> None:
    from conftest import run_cli

    root = copy_project(tmp_path / "p")
    run = run_cli(root, "list")
    assert run.code == 0
    rows = {line.split()[0]: int(line.split()[1]) for line in run.output.splitlines()[1:] if line[:1].isalpha()
            and len(line.split()) > 2 and line.split()[1].isdigit()}
    assert rows["briefing-dh"] == len(expected_for(root, "dh"))
    assert {"interim", "final", "academic", "academic-anonymised", "briefing-ots"} <= rows.keys()


def test_a_finding_included_twice_is_two_trees_and_its_problems_are_reported_once(mini: Mini) -> None:
    from tspdocs import tree as t
    from tspdocs.assemble.assembly import assemble, selected_findings
    from tspdocs.commands.session import BuildSession
    from tspdocs.errors import Problems
    from tspdocs.project.targets import document_targets

    mini.finding("F01", "Health partnerships help", body="## Detail\n\nText.\n\n::: {.note}\nNever closed.\n")
    mini.write("templates/reports/small.md.j2", "# Once\n\n{{ include(findings[0], level=2) }}\n\n"
                                                "# Twice\n\n{{ include(findings[0], level=3) }}\n")
    session = BuildSession.open(mini.root)
    (target,) = document_targets(session.corpus, "report")
    problems = Problems()
    doc = assemble(session.corpus, target, selected_findings(session.corpus, target, False), problems)
    assert [h.level for h in t.walk(doc.blocks) if isinstance(h, t.Heading) and t.plain_text(h.children) == "Detail"] \
        == [2, 3]
    assert [p.message for p in problems].count(
        next(p.message for p in problems if "never closed" in p.message)) == 1
