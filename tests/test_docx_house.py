"""The DOCX as an office suite shows it (issue 13): house fonts only, tab stops and columns that fit the page
and the content, rows kept whole, nested lists numbered as in HTML.

Oracles: LibreOffice converts each shipped DOCX to PDF, once for the module, and poppler's `pdffonts` and
`pdftotext` read what it drew; the house font's own advance widths (fontTools, read from
assets/fonts) measure the words a column must hold; the HTML writer's list markup stands for how HTML and
PDF number a list.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from helpers import W, docx_part, paragraph_text
from lxml import etree, html
from test_golden import CONTEXT, prepared

from tspdocs.errors import Problems
from tspdocs.project.projectfs import ProjectFS
from tspdocs.writers.base import WriteContext
from tspdocs.writers.docx import write_docx
from tspdocs.writers.html import HtmlBody

pytestmark = pytest.mark.xdist_group("built")
REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = ["final/final", "interim/interim", "academic/academic", "academic/academic-anonymised",
             "briefings/ots/briefing-ots", "briefings/dh/briefing-dh", "briefings/dcsf/briefing-dcsf"]
# LibreOffice draws Arial and Courier New with their metric twins where they are not installed.
HOUSE_FONTS = re.compile(r"(Arial|LiberationSans|CourierNew|LiberationMono)(-|,|$)")
NESTED = """\
1. First
   1. Inner one
      1. Deepest one
      2. Deepest two
   2. Inner two
2. Second
"""
THEME_FONT_ATTRS = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def shipped(built: Path) -> Iterator[Path]:
    for name in DOCUMENTS:
        yield built / f"build/{name}.docx"


def nested_list_docx() -> bytes:
    problems = Problems()
    data = write_docx(prepared(NESTED, problems), CONTEXT).data
    assert not list(problems)
    return data


# The house reference document and the styles every output carries ---------------------------------------


def test_no_style_names_a_theme_font_and_the_theme_is_the_house_font(built: Path) -> None:
    for path in shipped(built):
        styles = docx_part(path, "word/styles.xml")
        themed = [(s.get(w("styleId")), a) for s in styles.iter(w("style")) for f in s.iter(w("rFonts"))
                  for a in THEME_FONT_ATTRS if f.get(w(a)) is not None]
        assert not themed, f"{path.name}: {themed[:5]}"
        with zipfile.ZipFile(path) as archive:
            theme = etree.fromstring(archive.read("word/theme/theme1.xml"))
        a = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
        latin = [f.get("typeface") for kind in ("majorFont", "minorFont") for f in theme.iter(a + kind)
                 for f in f.iter(a + "latin")]
        assert latin == ["Arial", "Arial"], f"{path.name}: theme fonts {latin}"


def relative_luminance(colour: str) -> float:
    """WCAG 2.2's relative luminance of an sRGB colour written as six hex digits."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(ink: str, paper: str) -> float:
    light, dark = sorted((relative_luminance(ink), relative_luminance(paper)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def themed(colour: etree._Element, slots: dict[str, str | None]) -> str:
    """Return a w:color as Word shows it: its theme colour if it names one, lightened by a tint or darkened
    by a shade (here in RGB, a close stand-in for Word's HSL), else its value."""
    ink = slots.get(colour.get(w("themeColor"), ""), None) or colour.get(w("val"))
    channels = [int(ink[i:i + 2], 16) for i in (0, 2, 4)]
    if tint := colour.get(w("themeTint")):
        channels = [round(c * int(tint, 16) / 255 + 255 * (1 - int(tint, 16) / 255)) for c in channels]
    if shade := colour.get(w("themeShade")):
        channels = [round(c * int(shade, 16) / 255) for c in channels]
    return "".join(f"{c:02X}" for c in channels)


def test_every_text_colour_in_the_styles_meets_wcag_aa(built: Path) -> None:
    """Each style's text colour, as Word resolves it (a theme colour through the document's theme), is at
    least 4.5:1 on white and on the shading the same style gives its text."""
    a = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    for path in shipped(built):
        styles = docx_part(path, "word/styles.xml")
        theme = docx_part(path, "word/theme/theme1.xml")
        slots = {slot.tag.removeprefix(a): colour.get("lastClr", colour.get("val"))
                 for scheme in theme.iter(a + "clrScheme") for slot in scheme for colour in slot}
        slots |= {"text1": slots.get("dk1"), "text2": slots.get("dk2"), "hyperlink": slots.get("hlink")}
        low = []
        for style in styles.iter(w("style")):
            papers = {"FFFFFF"} | {shd.get(w("fill")) for shd in style.iter(w("shd"))} - {None, "auto"}
            for colour in style.iter(w("color")):
                if colour.getparent().tag != w("rPr") or colour.get(w("val")) == "auto":
                    continue
                ink = themed(colour, slots)
                low += [(style.get(w("styleId")), ink, paper, round(contrast(ink, paper), 2))
                        for paper in papers if contrast(ink, paper) < 4.5]
        assert not low, f"{path.name}: {low}"


def text_width(path: Path) -> int:
    return text_width_of(docx_part(path, "word/document.xml").find(w("body")))


def text_width_of(body: etree._Element) -> int:
    section = body.find(w("sectPr"))
    margins = section.find(w("pgMar"))
    return int(section.find(w("pgSz")).get(w("w"))) - int(margins.get(w("left"))) - int(margins.get(w("right")))


def test_header_and_footer_tab_stops_fit_the_page(built: Path) -> None:
    for path in shipped(built):
        width = text_width(path)
        styles = docx_part(path, "word/styles.xml")
        with zipfile.ZipFile(path) as archive:
            stories = [etree.fromstring(archive.read(n)) for n in archive.namelist()
                       if re.fullmatch(r"word/(header|footer)\d*\.xml", n)]
        lines = [p for story in stories for p in story.iter(w("p")) if "\t" in "".join(p.itertext()) or
                 p.find(f".//{w('tab')}") is not None]
        assert lines, f"{path.name}: no header or footer line has a tab"
        for paragraph in lines:
            stops = effective_tabs(paragraph, styles)
            assert stops and max(stops) == width and stops[max(stops)] == "right", (path.name, width, stops)
            assert all(position <= width for position in stops), (path.name, width, stops)


def effective_tabs(paragraph: etree._Element, styles: etree._Element) -> dict[int, str]:
    """Return position -> alignment of the tab stops in force: the style's (and its bases'), then the
    paragraph's own, which may clear them."""
    style_id = paragraph.find(f"{w('pPr')}/{w('pStyle')}").get(w("val"))
    chain = []
    while style_id:
        style = next(s for s in styles.iter(w("style")) if s.get(w("styleId")) == style_id)
        chain.insert(0, style)
        based = style.find(w("basedOn"))
        style_id = based.get(w("val")) if based is not None else ""
    stops: dict[int, str] = {}
    for holder in [*(s.find(w("pPr")) for s in chain), paragraph.find(w("pPr"))]:
        for tab in holder.iter(w("tab")) if holder is not None else []:
            position, kind = int(tab.get(w("pos"))), tab.get(w("val"))
            if kind == "clear":
                stops.pop(position, None)
            else:
                stops[position] = kind
    return stops


# Tables ------------------------------------------------------------------------------------------------


@cache
def house_font(bold: bool) -> TTFont:
    return TTFont(REPO / f"assets/fonts/LiberationSans-{'Bold' if bold else 'Regular'}.ttf")


def advance_twips(word: str, size_pt: float, *, bold: bool) -> float:
    """Return how wide `word` is drawn in the house font, from the font's own advance widths."""
    font = house_font(bold)
    cmap, metrics = font.getBestCmap(), font["hmtx"].metrics
    units = sum(metrics[cmap.get(ord(char), ".notdef")][0] for char in word)
    return units / font["head"].unitsPerEm * size_pt * 20


def tables(path: Path) -> list[etree._Element]:
    return list(docx_part(path, "word/document.xml").iter(w("tbl")))


def data_tables(path: Path) -> list[etree._Element]:
    return [t for t in tables(path) if t.find(f"{w('tblPr')}/{w('tblStyle')}").get(w("val")) == "DataTable"]


def test_wide_tables_have_widths_that_follow_their_content(built: Path) -> None:
    """Every column holds its longest word, drawn bold at 9.5 pt with the cell margins, and a table of three
    or more columns does not share the page out equally."""
    checked = 0
    for path in shipped(built):
        width = text_width(path)
        for table in data_tables(path):
            widths = [int(c.get(w("w"))) for c in table.iter(w("gridCol"))]
            assert sum(widths) == width, (path.name, widths)
            for row in table.iter(w("tr")):
                for column, cell in enumerate(row.iter(w("tc"))):
                    assert int(cell.find(f"{w('tcPr')}/{w('tcW')}").get(w("w"))) == widths[column]
                    for word in " ".join(paragraph_text(p) for p in cell.iter(w("p"))).split():
                        need = advance_twips(word, 9.5, bold=True) + 2 * 85
                        assert need <= widths[column], (path.name, word, widths)
            if len(widths) >= 3:
                checked += 1
                assert len(set(widths)) > 1, (path.name, widths)
    assert checked >= 3, "the shipped documents have tables of three or more columns"


def test_no_row_splits_across_pages_and_headers_keep_with_the_body(built: Path) -> None:
    for path in shipped(built):
        for table in data_tables(path):
            rows = table.findall(w("tr"))
            for row in rows:
                assert row.find(f"{w('trPr')}/{w('cantSplit')}") is not None, path.name
            header = [r for r in rows if r.find(f"{w('trPr')}/{w('tblHeader')}") is not None]
            assert header and rows[:len(header)] == header, path.name
            for row in header:
                assert all(p.find(f"{w('pPr')}/{w('keepNext')}") is not None for p in row.iter(w("p")))


# Lists -------------------------------------------------------------------------------------------------

HTML_TYPES = {"1": "decimal", "a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}


def test_nested_list_numbering_is_the_htmls() -> None:
    """An `ol` without a `type`, and no house CSS giving one, is numbered 1. 2. at every depth in HTML and
    PDF; each level of the DOCX list says the same."""
    problems = Problems()
    markup = HtmlBody(print_mode=False).html(prepared(NESTED, problems).blocks)
    lists = html.fragment_fromstring(markup, create_parent="div").iter("ol")
    depths = {len([a for a in ol.iterancestors("ol")]): HTML_TYPES[ol.get("type", "1")] for ol in lists}
    assert sorted(depths) == [0, 1, 2]
    css = "".join(p.read_text(encoding="utf-8") for p in (REPO / "assets/styles").glob("*.css"))
    assert not re.search(r"(^|[\s,}])ol\b[^{]*\{[^}]*list-style(-type)?:(?!\s*none)", css), \
        "a CSS list-style on ol would change the HTML numbering this test assumes"

    archive = zipfile.ZipFile(io.BytesIO(nested_list_docx()))
    body = etree.fromstring(archive.read("word/document.xml"))
    numbering = etree.fromstring(archive.read("word/numbering.xml"))
    formats = {}
    for paragraph in body.iter(w("p")):
        num_pr = paragraph.find(f"{w('pPr')}/{w('numPr')}")
        if num_pr is not None:
            level = int(num_pr.find(w("ilvl")).get(w("val")))
            formats[level] = level_format(numbering, num_pr.find(w("numId")).get(w("val")), level)
    assert formats == depths


def level_format(numbering: etree._Element, num_id: str, level: int) -> str:
    num = next(n for n in numbering.iter(w("num")) if n.get(w("numId")) == num_id)
    abstract_id = num.find(w("abstractNumId")).get(w("val"))
    abstract = next(a for a in numbering.iter(w("abstractNum")) if a.get(w("abstractNumId")) == abstract_id)
    lvl = next(v for v in abstract.iter(w("lvl")) if int(v.get(w("ilvl"))) == level)
    return str(lvl.find(w("numFmt")).get(w("val")))


# As LibreOffice shows it ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def office_pdfs(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every shipped DOCX and the nested-list example, converted by LibreOffice in one run."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is installed by `make test`"
    folder = tmp_path_factory.mktemp("office")
    sources = list(shipped(built))
    nested = folder / "nested-list.docx"
    nested.write_bytes(nested_list_docx())
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{folder}/profile", "--convert-to",
                    "pdf", "--outdir", str(folder), *map(str, [*sources, nested])],
                   capture_output=True, check=True, timeout=300)
    pdfs = {p.stem: folder / f"{p.stem}.pdf" for p in [*sources, nested]}
    assert all(p.exists() for p in pdfs.values()), sorted(p.name for p in folder.iterdir())
    return pdfs


@pytest.mark.slow
def test_libreoffice_draws_only_the_house_fonts(office_pdfs: dict[str, Path]) -> None:
    for name, pdf in office_pdfs.items():
        listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        fonts = {line.split()[0].split("+", 1)[-1] for line in listing.splitlines()[2:] if line.strip()}
        assert fonts and all(HOUSE_FONTS.match(f) for f in fonts), f"{name}: {sorted(fonts)}"


@pytest.mark.slow
def test_libreoffice_breaks_no_word_in_a_table(built: Path, office_pdfs: dict[str, Path]) -> None:
    """Every word of every table cell is drawn whole: a column too narrow for it shows as two halves."""
    for path in shipped(built):
        text = subprocess.run(["pdftotext", str(office_pdfs[path.stem]), "-"], capture_output=True, text=True,
                              check=True).stdout
        drawn = set(re.findall(r"\w+", text))
        for table in data_tables(path):
            cells = [" ".join(paragraph_text(p) for p in cell.iter(w("p"))) for cell in table.iter(w("tc"))]
            broken = {word for cell in cells for word in re.findall(r"\w+", cell) if word not in drawn}
            assert not broken, f"{path.name}: {sorted(broken)}"


@pytest.mark.slow
def test_libreoffice_numbers_a_nested_list_as_html_does(office_pdfs: dict[str, Path]) -> None:
    text = subprocess.run(["pdftotext", "-layout", str(office_pdfs["nested-list"]), "-"], capture_output=True,
                          text=True, check=True).stdout
    markers = re.findall(r"^\s*(\S+)\s+(First|Inner one|Deepest one|Deepest two|Inner two|Second)\s*$", text,
                         re.MULTILINE)
    assert markers == [("1.", "First"), ("1.", "Inner one"), ("1.", "Deepest one"), ("2.", "Deepest two"),
                       ("2.", "Inner two"), ("2.", "Second")], text


def test_a_reference_document_without_the_continuation_list_still_writes_items(tmp_path: Path) -> None:
    """A house style made before `tspdocs-continue` existed: an item's second paragraph is written with
    the List Continue style's indent alone, and nothing fails."""
    source = zipfile.ZipFile(REPO / "assets/reference.docx")
    (tmp_path / "assets").mkdir()
    with zipfile.ZipFile(tmp_path / "assets/reference.docx", "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/numbering.xml":
                data = re.sub(rb'<w:abstractNum w:abstractNumId="\d+">(?:(?!</w:abstractNum>).)*'
                              rb'tspdocs-continue.*?</w:abstractNum>', b"", data, flags=re.DOTALL)
                assert b"tspdocs-continue" not in data
            target.writestr(item, data)
    problems = Problems()
    doc = prepared("- Item\n\n  Its second paragraph.\n", problems)
    data = write_docx(doc, WriteContext(ProjectFS.at(tmp_path), 0)).data
    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    second = next(p for p in body.iter(w("p")) if paragraph_text(p) == "Its second paragraph.")
    assert second.find(f"{w('pPr')}/{w('pStyle')}").get(w("val")) == "ListContinue"
    assert second.find(f"{w('pPr')}/{w('numPr')}") is None


INSIDE_ITEMS = """\
- An item holding a table:

  | Area | Count |
  |------|------:|
  | North | 12 |

  ::: {.callout-note}
  A box in the item.
  :::

  1. A nested item

     | Deeper | Count |
     |--------|------:|
     | South | 3 |

| Outside | Count |
|---------|------:|
| East | 4 |
"""


def test_a_table_or_callout_in_a_list_item_is_indented_to_the_items_text() -> None:
    """A table or box directly in an item starts where the item's text does (its level's `w:ind` in the
    numbering part), no wider than the room left; one outside any list stays at the margin."""
    problems = Problems()
    data = write_docx(prepared(INSIDE_ITEMS, problems), CONTEXT).data
    assert not list(problems)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = etree.fromstring(archive.read("word/document.xml")).find(w("body"))
        numbering = etree.fromstring(archive.read("word/numbering.xml"))

    def text_indent(paragraph: etree._Element) -> int:
        num_id = paragraph.find(f"{w('pPr')}/{w('numPr')}/{w('numId')}").get(w("val"))
        level = paragraph.find(f"{w('pPr')}/{w('numPr')}/{w('ilvl')}").get(w("val"))
        abstract = numbering.xpath("w:num[@w:numId=$n]/w:abstractNumId/@w:val", n=num_id, namespaces={"w": W})[0]
        return int(numbering.xpath("w:abstractNum[@w:abstractNumId=$a]/w:lvl[@w:ilvl=$l]/w:pPr/w:ind/@w:left",
                                   a=abstract, l=level, namespaces={"w": W})[0])

    items = [p for p in body.findall(w("p")) if "item" in paragraph_text(p)]
    outer, nested = (text_indent(p) for p in items)
    assert 0 < outer < nested
    tables = body.findall(w("tbl"))
    indents = [int(t.find(f"{w('tblPr')}/{w('tblInd')}").get(w("w"))) if t.find(f"{w('tblPr')}/{w('tblInd')}")
               is not None else 0 for t in tables]
    assert indents == [outer, outer, nested, 0]  # the table, the callout's box, the nested item's table, outside
    room = text_width_of(body)
    for table, indent in zip(tables, indents, strict=True):
        assert sum(int(c.get(w("w"))) for c in table.iter(w("gridCol"))) <= room - indent
    box = tables[1]
    assert "A box in the item." in "".join(box.itertext())



def test_a_column_holds_words_joined_by_a_no_break_space_on_one_line() -> None:
    """"all rows" with a no-break space cannot wrap in Word, so its column is at least that wide, drawn in
    the house font, even where twelve columns of long text compete for the page."""
    long = " ".join(["words that go on"] * 8)
    head = "| Rows |" + " Text |" * 11
    rule = "|---|" + "---|" * 11
    body = "| all\u00a0rows |" + f" {long} |" * 11
    problems = Problems()
    data = write_docx(prepared(f"{head}\n{rule}\n{body}\n| {long} |" + " x |" * 11 + "\n", problems),
                      CONTEXT).data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        grid = etree.fromstring(archive.read("word/document.xml")).find(f".//{w('tblGrid')}")
    assert int(grid[0].get(w("w"))) >= advance_twips("all\u00a0rows", 9.5, bold=False) + 2 * 85
