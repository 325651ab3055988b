"""Citations and references come from Pandoc's citeproc, the same in HTML, PDF and DOCX."""

from __future__ import annotations

import pytest
from conftest import Mini
from helpers import docx_text, pdf_pages, squash

BIB = r"""
@book{smith2009a, author = {Smith, Jane}, title = {Partners in Care}, publisher = {Policy Press},
  location = {Bristol}, date = {2009}}
@article{smith2009b, author = {Smith, Jane}, title = {Mergers in the Voluntary Sector},
  journaltitle = {Voluntary Sector Review}, volume = {1}, pages = {1--20}, date = {2009}}
@report{audit2007, author = {{Audit Commission}}, title = {Hearts and Minds}, institution = {Audit Commission},
  location = {London}, date = {2007}}
@book{loffler2009, author = {Löffler, Elke and Bovaird, Tony}, title = {Governance in {Åland} and {Zürich}},
  publisher = {Routledge}, location = {London}, date = {2009}}
@book{lovelace1843, author = {Lovelace, Ada}, title = {Notes on the Analytical Engine},
  publisher = {Taylor}, location = {London}, date = {1843}}
"""

BODY = """\
Narrative @smith2009a said so, and others agree [@smith2009b, p. 4; @audit2007].
Author suppressed [-@loffler2009]. Our own earlier work [@lovelace1843].
"""


def outputs(mini: Mini, *formats: str) -> dict[str, str]:
    folder = mini.root / "build/report"
    texts = {}
    if "html" in formats:
        import re

        page = (folder / "report.html").read_text(encoding="utf-8").split('<main id="content">')[1]
        texts["html"] = squash(re.sub(r"<[^>]+>", "", page))
    if "docx" in formats:
        texts["docx"] = squash(docx_text(folder / "report.docx"))
    if "pdf" in formats:
        texts["pdf"] = squash(" ".join(pdf_pages(folder / "report.pdf")))
    return texts


@pytest.fixture
def cited(mini: Mini) -> Mini:
    mini.write("content/references.bib", BIB)
    mini.finding("F01", "Health partnerships help", body=BODY)
    return mini


def test_citations_and_bibliography_in_every_format(cited: Mini) -> None:
    run = cited.run("build", "report")
    assert run.code == 0, run.output
    for name, text in outputs(cited, "html", "docx", "pdf").items():
        # Two 2009 works by Smith: the style orders them by title, so "Mergers" is 2009a.
        assert "Narrative Smith (2009b) said so" in text, name
        assert "(Audit Commission, 2007; Smith, 2009a, p. 4)" in text, name
        assert "Author suppressed (2009)" in text, name
        assert "Smith, J. (2009b) Partners in care. Bristol: Policy Press." in text, name
        assert "Smith, J. (2009a) ‘Mergers in the voluntary sector’" in text, name
        assert "Audit Commission (2007) Hearts and minds." in text, name
        assert "Löffler, E. and Bovaird, T. (2009) Governance in Åland and Zürich." in text, name


def test_another_csl_style_per_document(cited: Mini) -> None:
    documents = (cited.root / "content/documents.yaml").read_text()
    cited.write("content/documents.yaml", documents.replace("    date: 2010-06-30\n",
                                                            "    date: 2010-06-30\n    csl: apa\n"))
    assert cited.run("build", "report", "--format", "docx").code == 0
    text = outputs(cited, "docx")["docx"]
    assert "(Audit Commission, 2007; Smith, 2009a, p. 4)" in text, "APA sorts a cluster by author"
    assert "Smith, J. (2009b). Partners in care. Policy Press." in text


def test_anonymised_variant_hides_self_citations(cited: Mini) -> None:
    documents = (cited.root / "content/documents.yaml").read_text()
    cited.write("content/documents.yaml", documents.replace(
        "    date: 2010-06-30\n", "    date: 2010-06-30\n    variants:\n      blind: {anonymise: true}\n"))
    assert cited.run("build", "report", "--format", "docx").code == 0
    text = squash(docx_text(cited.root / "build/report/report-blind.docx"))
    assert "(Author, 1843)" in text
    assert "Lovelace" not in text and "Analytical Engine" not in text
    assert "Smith, J. (2009b) Partners in care" in text, "other authors' works stay in the reference list"


def test_unknown_key_is_an_error_at_its_line(mini: Mini) -> None:
    mini.write("content/references.bib", BIB)
    path = mini.finding("F01", "Health partnerships help", body="Fine.\n\nBut [@smith2010] is not in the list.")
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 1
    assert f"content/findings/{path.name}:14: error [unknown-citation] unknown citation key 'smith2010'" in run.stderr
    assert "did you mean 'smith2009" in run.stderr


CYRILLIC_KEY = "пункт3"  # noqa: RUF001  # "item 3": Pandoc allows a key to start with any letter


def test_unknown_key_starting_with_a_non_ascii_letter_is_an_error_at_its_line(mini: Mini) -> None:
    mini.write("content/references.bib", BIB)
    body = f"Fine.\n\nBut [@{CYRILLIC_KEY}, p. 12] is not in the list."
    path = mini.finding("F01", "Health partnerships help", body=body)
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 1 and "Traceback" not in run.stderr
    expected = f"content/findings/{path.name}:14: error [unknown-citation] unknown citation key '{CYRILLIC_KEY}'"
    assert expected in run.stderr


def test_quarto_cross_reference_is_reported_with_the_tspdocs_way(mini: Mini) -> None:
    mini.write("content/references.bib", BIB)
    path = mini.finding("F01", "Health partnerships help", body="Fine.\n\nAs @tbl-obstacles and @Fig-x show.")
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 1 and "Traceback" not in run.stderr
    assert (f"content/findings/{path.name}:14: error [unknown-citation] unknown citation key 'tbl-obstacles'"
            in run.stderr)
    assert "tspdocs writes cross-references as @tbl:obstacles, not Quarto's @tbl-obstacles" in run.stderr
    assert "tspdocs writes cross-references as @Fig:x, not Quarto's @Fig-x" in run.stderr


def test_unknown_style_is_an_error(cited: Mini) -> None:
    documents = (cited.root / "content/documents.yaml").read_text()
    cited.write("content/documents.yaml", documents.replace("    date: 2010-06-30\n",
                                                            "    date: 2010-06-30\n    csl: no-such-style\n"))
    run = cited.run("build", "report", "--format", "html")
    assert run.code == 1 and "[csl] unknown citation style 'no-such-style'" in run.stderr


def test_cross_references_read_the_same_in_every_format(mini: Mini) -> None:
    mini.finding("F01", "Health partnerships help", body="""\
        See @tbl:small and @sec:detail, and @Sec:detail starts a sentence.

        | a | b |
        |---|--:|
        | 1 | 2 |

        Table: A small table {#tbl:small}

        ## Detail {#sec:detail}

        Text.
        """)
    assert mini.run("build", "report").code == 0
    for name, text in outputs(mini, "html", "docx", "pdf").items():
        assert "See Table 1 and section 1.1.1, and Section 1.1.1 starts a sentence." in text, name
