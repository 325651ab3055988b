"""Messages that said too little (issue 18): each mistake is reported at its file and line, in its own words."""

from __future__ import annotations

import shutil
import struct
import zlib

import pytest
from conftest import REPO, Mini
from lxml import etree

from tspdocs.ids import generated_use

F01 = "content/findings/f01.md"
BODY_LINE = 12  # the first body line of a finding written by Mini.finding


def assert_stopped_at(mini: Mini, fmt: str, where: str, says: str) -> None:
    run = mini.run("build", "report", "--format", fmt)
    assert run.code == 1, run.output
    assert f"{where}: error {says}" in run.stderr, run.stderr
    assert "Traceback" not in run.output and "(rendering)" not in run.output
    assert not mini.documents()


@pytest.mark.parametrize(("bib", "line", "says"), [
    ("@article{a, title = {A}, date = {2009}}\n\n@article{broken title = x}\n", 3,
     "[bibliography] BibTeX syntax error: unexpected 't' (column 17)"),
    ("@article{a, title = {A}, date = {2009}}\n@article{broken,\n  title = {Unclosed,\n  date = 2010\n\n", 2,
     "[bibliography] BibTeX syntax error: this entry is not closed before the end of the file"),
], ids=["unexpected", "unclosed"])
def test_a_bibtex_syntax_error_names_the_file_and_line(mini: Mini, bib: str, line: int, says: str) -> None:
    mini.write("content/references.bib", bib)
    mini.finding("F01", "Health partnerships help", body="Partnership helped [@a].\n")
    assert_stopped_at(mini, "html", f"content/references.bib:{line}", says)


def test_an_unknown_custom_style_names_the_line_that_asks_for_it(mini: Mini) -> None:
    mini.finding("F01", "Health partnerships help", body='Text.\n\n::: {custom-style="No Such Style"}\nStyled.\n:::\n')
    assert_stopped_at(mini, "docx", f"{F01}:{BODY_LINE + 2}",
                      "[reference-docx] the reference document has no paragraph style named 'No Such Style'")


def test_an_unknown_character_style_on_a_span_names_its_line(mini: Mini) -> None:
    mini.finding("F01", "Health partnerships help", body='Text.\n\nSome [styled]{custom-style="No Such Char"}.\n')
    assert_stopped_at(mini, "docx", f"{F01}:{BODY_LINE + 2}",
                      "[reference-docx] the reference document has no character style named 'No Such Char'")


def png_header(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of `width` by `height` white pixels: a few kilobytes that decode to hundreds of MB."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\0" + b"\xff" * ((width + 7) // 8)
    pixels = zlib.compress(row * height, 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_decompression_bomb_picture_is_refused_at_its_line(mini: Mini, fmt: str) -> None:
    (mini.root / "content/findings/bomb.png").write_bytes(png_header(20_000, 20_000))
    mini.finding("F01", "Health partnerships help", body="Text.\n\n![A map of the areas](bomb.png)\n")
    assert_stopped_at(mini, fmt, f"{F01}:{BODY_LINE + 2}",
                      "[image-size] image 'bomb.png' is 20,000 by 20,000 pixels, more than the 89,478,485")


def test_a_picture_with_an_accent_and_a_space_in_its_name_is_found(mini: Mini) -> None:
    shutil.copy(REPO / "assets/logos/logo.png", mini.root / "content/findings/café map.png")
    mini.finding("F01", "Health partnerships help", body="Text.\n\n![A map of the areas](<café map.png>)\n")
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 0, run.output
    page = etree.parse(str(mini.root / "build/report/report.html"), etree.HTMLParser())
    [image] = page.xpath("//img[@alt='A map of the areas']")
    assert image.get("src").startswith("data:image/png;base64,")


def test_a_chart_over_no_rows_says_there_are_no_rows(mini: Mini) -> None:
    mini.write("content/data/tables.yaml", "tables:\n  scores:\n    file: s.csv\n"
                                           "    columns: {name: text, score: integer}\n"
                                           "  nobody:\n    from: scores\n    where: {name: Zed}\n    group_by: name\n"
                                           "    measures: {n: {count: rows}}\n")
    mini.write("content/data/s.csv", "name,score\nAnn,3\nBea,5\n")
    mini.finding("F01", "Health partnerships help",
                 body="Text.\n\n```{chart} nobody\ntype: bar\nx: name\ny: [n]\nalt: No bars.\n```\n")
    assert_stopped_at(mini, "html", f"{F01}:{BODY_LINE + 2}", "[no-data] the table has no rows")


@pytest.mark.parametrize(("label", "use"), [
    ("content", "the page layout's main text"), ("fn1", "footnotes"), ("fnref2", "footnotes"),
    ("ref-smith2009", "entries in the reference list"), ("notes-title", "the titles of the lists"),
])
def test_a_label_that_is_an_id_tspdocs_makes_is_refused_at_its_line(mini: Mini, label: str, use: str) -> None:
    mini.finding("F01", "Health partnerships help", body=f"Text.\n\n## More {{#{label}}}\n\nText.\n")
    assert_stopped_at(mini, "html", f"{F01}:{BODY_LINE + 2}",
                      f"[reserved-label] label {label!r} is an id tspdocs gives {use}")


def test_every_id_tspdocs_makes_in_html_is_one_labels_may_not_take(mini: Mini) -> None:
    """The oracle for `tspdocs.ids`: every id in a page with notes, references and contents that no label
    of the content gave is one the reserved list knows, so the list cannot fall behind the writer."""
    mini.write("content/references.bib", "@article{smith2009, author = {Smith, Jane}, title = {A}, date = {2009}}\n")
    mini.finding("F01", "Health partnerships help", body="Partnership helped [@smith2009].[^1]\n\n[^1]: A note.\n")
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 0, run.output
    page = etree.parse(str(mini.root / "build/report/report.html"), etree.HTMLParser())
    ids = page.xpath("//@id")
    labels = {i for i in ids if i.startswith(("sec:", "tbl:", "fig:"))}
    assert {"fn1", "fnref1", "ref-smith2009", "content"} <= set(ids)
    assert [i for i in ids if i not in labels and generated_use(i) is None] == []
