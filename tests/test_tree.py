"""The Markdown reader builds one tree with Pandoc's syntax and every node's file and line."""

from __future__ import annotations

import datetime as dt

from tspdocs import tree as t
from tspdocs.errors import Problems
from tspdocs.markdown.treebuilder import build_blocks
from tspdocs.tree import plain_text


def blocks(text: str) -> list[t.Block]:
    problems = Problems()
    result = build_blocks(text, "x.md", 10, problems)
    assert not problems.errors
    return result


def test_heading_attributes_and_unnumbered() -> None:
    heading, other = blocks("# Context {#sec:context .wide}\n\n## Notes {-}\n")
    assert isinstance(heading, t.Heading) and heading.attr.id == "sec:context" and "wide" in heading.attr.classes
    assert plain_text(heading.children) == "Context"
    assert isinstance(other, t.Heading) and "unnumbered" in other.attr.classes


def test_every_node_knows_its_line() -> None:
    para, table = blocks("First line\nsecond @tbl:x line\n\n| a |\n|---|\n| 1 |\n")
    assert para.loc is not None and para.loc.line == 10
    ref = next(n for n in para.children if isinstance(n, t.Ref))
    assert ref.loc is not None and ref.loc.line == 11, "inline nodes count soft breaks"
    assert table.loc is not None and table.loc.line == 13


def test_pandoc_table_caption_and_label() -> None:
    (table,) = blocks("| a | b |\n|---|--:|\n| 1 | 2 |\n\nTable: Sizes {#tbl:sizes}\n")
    assert isinstance(table, t.Table) and table.attr.id == "tbl:sizes" and plain_text(table.caption) == "Sizes"
    assert [c.align for c in table.columns] == [None, "right"]


def test_lone_image_is_a_figure_with_alt_text() -> None:
    (figure,) = blocks('![A *chart* of use](use.png){#fig:use fig-alt="Bars rising to the right"}\n')
    assert isinstance(figure, t.Figure) and figure.attr.id == "fig:use"
    assert figure.image.alt == "Bars rising to the right" and plain_text(figure.caption) == "A chart of use"


def test_citations_in_every_pandoc_form() -> None:
    (para,) = blocks("See [@a, p. 3; also @b] and @c [ch. 2], [-@d], but not me@example.org.\n")
    cites = [n for n in para.children if isinstance(n, t.Cite)]
    assert [(c.key, c.mode, c.prefix, c.suffix) for cite in cites for c in cite.citations] == [
        ("a", "normal", "", "p. 3"), ("b", "normal", "also", ""), ("c", "author-in-text", "", "ch. 2"),
        ("d", "suppress-author", "", "")]
    assert "me@example.org" in plain_text(para.children)


def test_a_note_may_refer_to_a_later_note() -> None:
    (para,) = blocks("Text[^1].\n\n[^1]: Outer[^2] note.\n\n[^2]: Inner note.\n")
    outer = next(n for n in para.children if isinstance(n, t.Note))
    inner = next(n for n in outer.blocks[0].children if isinstance(n, t.Note))  # type: ignore[attr-defined]
    assert plain_text(inner.blocks[0].children) == "Inner note."  # type: ignore[attr-defined]


def test_fenced_divs_and_shortcodes() -> None:
    div, include, para = blocks('::: {.callout-note audience="dh"}\nInside.\n:::\n\n'
                                "{{< include finding:F01 level=2 >}}\n\nQuoted {{< value respondents >}}.\n")
    assert isinstance(div, t.Div) and div.attr.values["audience"] == "dh"
    assert isinstance(include, t.Include) and include.target == "finding:F01" and include.level == 2
    assert any(isinstance(n, t.Shortcode) and n.args == ["respondents"] for n in para.children)


def test_raw_html_stays_text() -> None:
    (para,) = blocks("<script>alert(1)</script> and <b>bold</b>\n")
    assert plain_text(para.children) == "<script>alert(1)</script> and <b>bold</b>"


def test_dump_tree_shows_what_the_prepare_step_fills_in() -> None:
    """The golden files show trees straight from Markdown; this covers the fields only later steps set."""
    image = t.Image("p.png", "Bars", [t.Text("Use")], mime="image/png", data=b"\x89PNG", width_px=2, height_px=1)
    cells = [t.Cell([t.Plain([t.Text("3")])], "right", 3),
             t.Cell([t.Plain([t.Text("1 May")])], value=dt.date(2010, 5, 1))]
    dumped = t.dump_tree([
        t.Contents("sections", entries=[t.ContentsEntry("sec:a", 1, "1", [t.Text("A")])]),
        t.Heading(1, [t.Text("A")], t.Attr("sec:a"), number="1"),
        t.Para([t.Ref("Sec:a", [t.Text("Section 1")], kind="sec", prefix="Section ", number="1"),
                t.Cite([t.Citation("b", mode="suppress-author")], "[-@b]", [t.Text("(2009)")])]),
        t.Table([t.Column("right", "count", "integer"), t.Column(None, "when", "date")], [], [t.Row(cells)],
                foot=[t.Row([t.Cell([], value=3.0)])], notes=[t.Para([t.Text("Source: survey.")])], row_headers=1),
        t.Figure(image, image.children, t.Attr("fig:x"), number="2"),
        t.Bibliography(entries=[t.BibEntry("b", [t.Emph([t.Text("Book")])])]),
    ])
    assert dumped == '''\
Contents kind="sections"
  ContentsEntry target="sec:a" level=1 number="1"
    Text "A"
Heading level=1 {#sec:a} number="1"
  Text "A"
Para
  Ref target="Sec:a" kind="sec" prefix="Section " number="1"
    Text "Section 1"
  Cite source="[-@b]"
    Citation key="b" mode="suppress-author"
    Text "(2009)"
Table row_headers=1
  columns:
    Column align="right" name="count" kind="integer"
    Column name="when" kind="date"
  body:
    Row
      Cell align="right" value=3
        Plain
          Text "3"
      Cell value=datetime.date(2010, 5, 1)
        Plain
          Text "1 May"
  foot:
    Row
      Cell value=3.0
  notes:
    Para
      Text "Source: survey."
Figure {#fig:x} number="2"
  image:
    Image src="p.png" alt="Bars" mime="image/png" width_px=2 height_px=1
      Text "Use"
  caption:
    Text "Use"
Bibliography
  BibEntry key="b"
    Emph
      Text "Book"
'''
    assert t.dump_tree([t.Text("inline "), t.Code("x")]) == 'Text "inline "\nCode "x"\n', "inlines alone too"
