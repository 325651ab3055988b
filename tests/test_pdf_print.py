"""What a reader sees on the printed page: every character has a glyph, lists keep their numbers.

The glyph oracle is fontTools reading the shipped font files: every character the PDF's ToUnicode maps
say was drawn must be in the character map of the house font that drew it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from conftest import REPO, Mini
from fontTools.ttLib import TTFont
from helpers import pdf_pages, squash

HEX = re.compile(r"<([0-9a-fA-F]+)>")


def house_fonts() -> dict[str, set[int]]:
    """Return each shipped font's PostScript name with the code points it has glyphs for."""
    fonts = {}
    for path in (REPO / "assets/fonts").glob("*.ttf"):
        font = TTFont(path, lazy=True)
        fonts[font_key(str(font["name"].getDebugName(6)))] = set(font.getBestCmap())
    return fonts


def font_key(name: str) -> str:
    """Return a font's name as both WeasyPrint ("Liberation-Sans-Bold") and the file ("LiberationSans-Bold")
    spell it."""
    return name.replace("-", "").replace(" ", "").lower()


def drawn_characters(path: Path) -> dict[str, set[str]]:
    """Return, for each font in the PDF (subset prefix removed), the characters its ToUnicode map lists."""
    drawn: dict[str, set[str]] = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                name = font_key(str(font.BaseFont)[1:].split("+")[-1])
                text = font.ToUnicode.read_bytes().decode("latin-1")
                for section in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
                    pairs = HEX.findall(section)
                    drawn.setdefault(name, set()).update(_utf16(u) for u in pairs[1::2])
                for section in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
                    values = HEX.findall(section)
                    for low, high, first in zip(values[::3], values[1::3], values[2::3], strict=True):
                        start, count = ord(_utf16(first)), int(high, 16) - int(low, 16) + 1
                        drawn.setdefault(name, set()).update(chr(start + i) for i in range(count))
    return drawn


def _utf16(hex_text: str) -> str:
    return bytes.fromhex(hex_text).decode("utf-16-be")


@pytest.mark.slow
@pytest.mark.xdist_group("built")
@pytest.mark.parametrize("name", ("final/final", "interim/interim", "academic/academic", "briefings/dh/briefing-dh"))
def test_every_character_is_drawn_with_a_house_font_that_has_its_glyph(built: Path, name: str) -> None:
    fonts = house_fonts()
    for font, characters in drawn_characters(built / f"build/{name}.pdf").items():
        assert font in fonts, f"{font} is not a shipped font"
        missing = sorted(c for c in characters if ord(c) not in fonts[font])
        assert not missing, f"{font} has no glyph for {missing}"


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> Mini:
    """A small project whose author writes her name in Chinese and whose finding numbers a list from 3."""
    mini = Mini(tmp_path_factory.mktemp("scripts") / "mini")
    project = (mini.root / "content/project.yaml").read_text(encoding="utf-8")
    mini.write("content/project.yaml", project.replace("{name: Ada Lovelace, family: Lovelace}",
                                                       "{name: 李小龍, family: 李}"))
    mini.finding("F01", "Health partnerships help",
                 body="Partnership helped patients.\n\n3. third step\n4. fourth step\n\nThey said 谢谢 😀.\n")
    return mini


@pytest.mark.slow
def test_an_ordered_list_prints_the_numbers_it_was_written_with(scripts: Mini) -> None:
    run = scripts.run("build", "report", "--format", "pdf")
    assert run.code == 0, run.output + run.stderr
    text = squash(" ".join(pdf_pages(scripts.root / "build/report/report.pdf")))
    assert "3. third step 4. fourth step" in text


def test_text_no_shipped_font_covers_is_a_warning_at_its_line(scripts: Mini) -> None:
    run = scripts.run("check")
    assert run.code == 0, run.output + run.stderr
    lines = [line for line in (run.output + run.stderr).splitlines() if "[missing-glyph]" in line]
    assert any(line.startswith("content/findings/f01.md:") and "U+8C22" in line and "U+1F600" in line
               for line in lines), lines
    assert any(line.startswith("content/project.yaml") and "U+674E" in line for line in lines), lines
    finding = (scripts.root / "content/findings/f01.md").read_text(encoding="utf-8").splitlines()
    line_number = int(next(line for line in lines if "f01.md" in line).split(":")[1])
    assert "谢谢" in finding[line_number - 1]


@pytest.mark.slow
@pytest.mark.xdist_group("built")
def test_a_table_split_over_pages_says_so_and_totals_once(built: Path) -> None:
    pages = pdf_pages(built / "build/final/final.pdf")
    text = "\n".join(pages)
    assert text.count("Total number of days") == 1  # Table 1's totals row, not repeated on each page
    continued = [(number, re.search(r"Table (\d+) \(continued\)", page.splitlines()[0]))
                 for number, page in enumerate(pages) if page.strip()]
    continued_on = [(number, match.group(1)) for number, match in continued if match]
    assert continued_on, "no table in the final report crosses a page"
    for number, table in continued_on:
        assert f"Table {table}:" not in pages[number]  # not the page where the table starts
        assert f"Table {table}:" in pages[number - 1] or f"Table {table} (continued)" in pages[number - 1]
    starts = [number for number, page in enumerate(pages) if re.search(r"^Table \d+: ", page, re.M)]
    assert all(number not in dict(continued_on) for number in starts)


def test_a_build_without_a_pdf_does_not_check_the_pdf_fonts(scripts: Mini) -> None:
    """The shipped fonts only set the PDF; a DOCX or HTML reader brings its own, so no warning about them."""
    run = scripts.run("build", "report", "--format", "docx,html")
    assert run.code == 0, run.output + run.stderr
    assert "[missing-glyph]" not in run.output + run.stderr
    assert list(scripts.root.glob("build/**/*.docx")), run.output  # the build did run
