"""What authors bring from Pandoc, Quarto and real projects comes out as written, or stops at its line.

Markdown constructs have golden cases in tests/fixtures/golden/pandoc-*.md; these tests need a project.
"""

from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser

import pytest
from conftest import MINI_DOCUMENTS, REPO, Mini

from tspdocs import tree as t
from tspdocs.errors import Problems
from tspdocs.markdown.treebuilder import build_blocks
from tspdocs.prepare.citations import pandoc_path

FINDING = "content/findings/f01.md"


def body_line(n: int) -> int:
    """Return the file line of body line `n` of a finding written by `mini.finding` without `extra`."""
    return 11 + n  # nine front-matter lines between two `---`, then a blank line


class Links(HTMLParser):
    """Collect each link's href and each image's src, as a browser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.hrefs.append(str(values["href"]))
        if tag == "img" and values.get("src"):
            self.srcs.append(str(values["src"]))


def test_shortcode_as_link_target(mini: Mini) -> None:
    mini.finding("F01", "Health partnerships help",
                 body='See [the centre]({{< meta centre.web >}} "Our site") or '
                      "[write](mailto:{{< meta contact.email >}}).\n")
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 0, run.output
    links = Links()
    links.feed((mini.root / "build/report/report.html").read_text(encoding="utf-8"))
    assert "https://example.org" in links.hrefs and "mailto:ada@example.org" in links.hrefs, links.hrefs
    check = mini.run("check")
    assert check.code == 0 and "{{<" not in check.output, check.output


def test_unknown_shortcode_in_link_target_or_image_source_is_an_error_at_its_line(mini: Mini) -> None:
    mini.finding("F01", "Health partnerships help",
                 body="Text.\n\nSee [the centre]({{< meta centre.nowhere >}}).\n\n![A logo]({{< meta logo >}})\n")
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 1, run.output
    for line in (body_line(3), body_line(5)):
        assert f"{FINDING}:{line}: " in run.output, run.output
    assert run.output.count("[shortcode]") == 2, run.output


# Grid tables, read by Pandoc and by tspdocs ------------------------------------------------------------

GRID_TABLES = """\
+----------+--------:+:-------------------+
| Sector   | Partners| What helped        |
+==========+========:+:==================:+
| Health   |   12    | - shared targets   |
|          |         | - one budget       |
+----------+---------+--------------------+
| Justice  |   3     | Trust.             |
|          |         |                    |
|          |         | *Time*, and a      |
|          |         | named **contact**. |
+----------+---------+--------------------+
| Housing  |         | ```                |
|          |         | code | in a cell   |
|          |         | ```                |
+----------+---------+--------------------+

+:----:+-----+
| one  | 1.  |
|      |     |
|      | 2.  |
+------+-----+
| > q  | `x` |
+------+-----+
"""

PANDOC_ALIGN = {"AlignLeft": "left", "AlignRight": "right", "AlignCenter": "center", "AlignDefault": None}


def pandoc_inline_text(node: object) -> str:
    """Return the words of Pandoc JSON inlines as tspdocs' plain_text gives them (notes left out)."""
    if isinstance(node, list):
        return "".join(pandoc_inline_text(item) for item in node)
    if not isinstance(node, dict):
        return ""
    kind, content = node["t"], node.get("c")
    if kind == "Str":
        return str(content)
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind == "Code":
        return str(content[1])  # type: ignore[index]
    return "" if kind == "Note" else pandoc_inline_text(content)


def pandoc_cell(blocks: list[dict]) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    """Return each block of a Pandoc cell as (kind, words), lists and quotes by their items' words."""
    out = []
    for block in blocks:
        kind, content = block["t"], block.get("c")
        if kind in ("Plain", "Para"):
            out.append((kind, pandoc_inline_text(content)))
        elif kind == "CodeBlock":
            out.append((kind, content[1]))
        elif kind in ("BulletList", "OrderedList"):
            items = content if kind == "BulletList" else content[1]
            out.append((kind, " | ".join(w for item in items for _k, w in pandoc_cell(item))))
        elif kind == "BlockQuote":
            out.append((kind, " | ".join(w for _k, w in pandoc_cell(content))))
    return out


def our_cell(blocks: list[t.Block]) -> list[tuple[str, str]]:
    out = []
    for block in blocks:
        if isinstance(block, t.Plain | t.Para):
            out.append((type(block).__name__, t.plain_text(block.children)))
        elif isinstance(block, t.CodeBlock):
            out.append(("CodeBlock", block.text))
        elif isinstance(block, t.BulletList | t.OrderedList):
            words = " | ".join(w for item in block.items for _k, w in our_cell(item.blocks))
            out.append((type(block).__name__, words))
        elif isinstance(block, t.BlockQuote):
            out.append(("BlockQuote", " | ".join(w for _k, w in our_cell(block.blocks))))
    return out


def test_grid_tables_read_as_pandoc_reads_them() -> None:
    """Pandoc is the oracle: every cell's blocks, their kinds and words, each column's alignment, which
    rows are the header. (One difference is deliberate and left out: a cell's text indented four spaces,
    a number pushed right, is text to tspdocs and code to Pandoc; see grid_table_syntax.py.)"""
    ast = json.loads(subprocess.run([pandoc_path(), "-f", "markdown", "-t", "json"], input=GRID_TABLES,
                                    capture_output=True, text=True, check=True).stdout)
    theirs = []
    for table in (b["c"] for b in ast["blocks"] if b["t"] == "Table"):
        _attr, _caption, specs, head, bodies, _foot = table
        rows = [("head", row) for row in head[1]] + [("body", row) for body in bodies for row in body[3]]
        theirs.append(([PANDOC_ALIGN[spec[0]["t"]] for spec in specs],
                       [(part, [pandoc_cell(cell[4]) for cell in row[1]]) for part, row in rows]))
    problems = Problems()
    ours = []
    for table in build_blocks(GRID_TABLES, "grid.md", 1, problems):
        assert isinstance(table, t.Table)
        rows = [("head", row) for row in table.head] + [("body", row) for row in table.body]
        ours.append(([c.align for c in table.columns],
                     [(part, [our_cell(cell.blocks) for cell in row.cells]) for part, row in rows]))
    assert not list(problems)
    assert len(theirs) == 2 and ours == theirs


# Footnotes -----------------------------------------------------------------------------------------------

FOOTNOTES = """A note[^a] and a missing one[^nope], with brackets written as such: \\[^b] and [^c](https://x.org).

[^a]: First definition.

[^a]: Second definition.

[^unused]: Never referred to.
"""


def test_footnote_mistakes_are_reported_at_their_line_as_pandoc_warns() -> None:
    """An undefined reference is an error (it would print as `[^nope]`); a duplicate and an unused
    definition are warnings at the definition's line, the lines Pandoc's own warnings name, and the note
    printed is the later definition, as in Pandoc."""
    problems = Problems()
    blocks = build_blocks(FOOTNOTES, "notes.md", 1, problems)
    ours = sorted((p.severity.name.lower(), p.location.line if p.location else None, p.message.split(";")[0])
                  for p in problems)
    assert ours == [("error", 1, "footnote [^nope] is not defined"),
                    ("warning", 5, "footnote [^a] is defined twice"),
                    ("warning", 7, "footnote [^unused] is defined but never referred to, so it is not printed")]
    para = blocks[0]
    assert isinstance(para, t.Para)
    notes = [n for n in para.children if isinstance(n, t.Note)]
    assert [t.plain_text(n.blocks[0].children) for n in notes] == ["Second definition."]  # type: ignore[attr-defined]
    assert "[^nope]" in t.plain_text(para.children) and "[^b]" in t.plain_text(para.children)
    warned = subprocess.run([pandoc_path(), "-f", "markdown", "-t", "plain"], input=FOOTNOTES,
                            capture_output=True, text=True, check=True).stderr
    assert sorted(int(n) for n in re.findall(r"at line (\d+)", warned)) == [5, 7]
    assert "Second definition." in subprocess.run([pandoc_path(), "-f", "markdown", "-t", "plain"],
                                                  input=FOOTNOTES, capture_output=True, text=True).stdout


# Errors and builds ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_check_and_build_count_a_briefings_words_alike(mini: Mini) -> None:
    """check formats no citation, build does: a budget must not count them, or a briefing passing check
    fails the build (1,046 words against 1,068)."""
    mini.write("content/references.bib", (REPO / "content/references.bib").read_text(encoding="utf-8"))
    mini.write("content/documents.yaml", MINI_DOCUMENTS + "  budget: {words: 100}\n")
    mini.finding("F01", "Health partnerships help",
                 body="Partnership helped *patients [@bovaird2004]* [@bovaird2004; @bovaird2009]. " * 40 + "\n")
    counts = []
    for args in (("check",), ("brief", "--audience", "dh", "--format", "html")):
        run = mini.run(*args)
        found = re.search(r"briefing-dh has (\d+) words, over its budget of 100", run.output)
        assert run.code == 1 and found, run.output
        counts.append(int(found[1]))
    assert counts[0] == counts[1], counts


def test_unknown_label_is_reported_once_naming_its_documents(mini: Mini) -> None:
    # In the report and in briefing-dh, whose sections differ, so the labels the message suggests do too
    mini.finding("F01", "Health partnerships help", body="See @sec:missing.\n")
    for args in (("check",), ("build", "all")):
        run = mini.run(*args)
        lines = [line for line in run.output.splitlines() if "[unknown-label]" in line]
        assert run.code == 1 and len(lines) == 1, run.output
        assert lines[0].startswith(f"{FINDING}:{body_line(1)}: ") and "in report and briefing-dh" in lines[0], lines


def test_plain_english_warning_on_a_key_message_points_at_the_finding(mini: Mini) -> None:
    mini.finding("F01", "Health partnerships help", extra="")
    path = mini.root / FINDING
    path.write_text(path.read_text(encoding="utf-8").replace(
        "key_message: Health partnerships help matters.",
        "key_message: Partners should leverage what the 'other side' knows."), encoding="utf-8")
    run = mini.run("check")
    lines = [line for line in run.output.splitlines() if "[avoid-word]" in line]
    assert lines and all(line.startswith(f"{FINDING}:9:") for line in lines), run.output


def broken_front_matter(mini: Mini) -> None:
    """Give F02 a sector the project does not define, at line 5 of its file."""
    mini.finding("F02", "Justice partnerships help", sectors="[helth]")


def test_front_matter_errors_do_not_hide_data_errors(mini: Mini) -> None:
    broken_front_matter(mini)
    mini.write("content/data/tables.yaml", "tables:\n  scores:\n    file: s.csv\n"
                                           "    columns: {name: text, score: integer}\n")
    mini.write("content/data/s.csv", "name,score\nAnn,3\nBea,lots\n")
    mini.finding("F01", "Health partnerships help", body="Scores.\n\n```{table} scores\n```\n")
    for args in (("check",), ("build", "report", "--format", "html")):
        run = mini.run(*args)
        assert run.code == 1, run.output
        assert "content/findings/f02.md:5: " in run.output and "s.csv:3: " in run.output, run.output


def test_front_matter_errors_do_not_hide_template_errors(mini: Mini) -> None:
    broken_front_matter(mini)
    template = mini.root / "templates/reports/small.md.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\n{{ no_such_function() }}\n", encoding="utf-8")
    for args in (("check",), ("build", "report", "--format", "html")):
        run = mini.run(*args)
        assert run.code == 1, run.output
        assert "content/findings/f02.md:5: " in run.output and "[template]" in run.output, run.output
        assert not (mini.root / "build/report/report.html").exists()


def test_a_renamed_document_leaves_no_stale_outputs(mini: Mini) -> None:
    assert mini.run("build", "report", "--format", "html").code == 0
    assert (mini.root / "build/report/report.html").is_file()
    documents = mini.root / "content/documents.yaml"
    documents.write_text(documents.read_text(encoding="utf-8").replace("  report:\n", "  summary:\n"),
                         encoding="utf-8")
    run = mini.run("build", "summary", "--format", "html")
    assert run.code == 0, run.output
    assert (mini.root / "build/summary/summary.html").is_file()
    assert not (mini.root / "build/report").exists(), mini.outputs()
    manifest = json.loads((mini.root / "build/manifest.json").read_text(encoding="utf-8"))
    assert [o["target"] for o in manifest["outputs"]] == ["summary"], manifest["outputs"]
