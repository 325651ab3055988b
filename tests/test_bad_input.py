"""Every kind of bad input a user can cause stops the build with `path:line: error [code] message` and exit
status 1: nothing is written under build/, an earlier good build is left byte-for-byte as it was, and no
traceback is shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import openpyxl
import pytest
from conftest import Mini, Run
from PIL import Image

PROJECT = "content/project.yaml"
DOCUMENTS = "content/documents.yaml"
F01 = "content/findings/f01.md"
F02 = "content/findings/f02.md"
TABLES = "content/data/tables.yaml"
CSV = "content/data/people.csv"
TEMPLATE = "templates/reports/small.md.j2"
HTML = ("build", "report", "--format", "html")
BRIEF = ("brief", "--audience", "dh", "--format", "html")

# The conftest briefing starts its headings at level 2, which the accessibility gate rightly refuses;
# this one starts at level 1, so every document of the mini project builds before a test breaks it.
# A table of people; messages point at line 2 (`people:`) and line 6 (`age:`).
PEOPLE_SPEC = """\
tables:
  people:
    file: people.csv
    columns:
      name: text
      age: integer
      score: number
      rating: likert
"""
PEOPLE_CSV = "name,age,score,rating\nAda,36,1.5,4\nBob,41,2.0,5\n"
# The body of finding F02: the fence is on line 12 of f02.md, the first option on line 13.
PEOPLE_TABLE = "```{table} people\ncaption: People\n```\n"
XLSX_SPEC = """\
tables:
  people:
    file: people.xlsx
    sheet: People
    columns:
      name: text
      age: integer
"""
BIBLIOGRAPHY = """\
@book{bovaird2009,
  author = {Bovaird, Tony},
  title = {Public Management and Governance},
  year = {2009},
  publisher = {Routledge},
}
"""

# How a case breaks the project; the return value is ignored.
Breakage = Callable[[Mini], object]


def edit(mini: Mini, relative: str, old: str, new: str) -> None:
    """Replace the first `old` in a project file by `new`, failing loudly if `old` is not there."""
    path = mini.root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def with_data(mini: Mini, csv: str | None = PEOPLE_CSV, *, spec: str = PEOPLE_SPEC,
              body: str = PEOPLE_TABLE) -> None:
    """Add tables.yaml, its CSV (unless None) and a finding F02 whose body is `body`."""
    mini.write(TABLES, spec)
    if csv is not None:
        mini.write(CSV, csv)
    mini.finding("F02", "People were asked", body=body)


def with_workbook(mini: Mini, *, sheet: str = "People", formula: bool = False) -> None:
    """Add the people table as XLSX; a formula written by openpyxl is saved without a cached result."""
    book = openpyxl.Workbook()
    worksheet = book.active
    worksheet.title = sheet
    worksheet.append(["name", "age"])
    worksheet.append(["Ada", 36])
    if formula:
        worksheet["B2"] = "=1+1"
    (mini.root / "content/data").mkdir(parents=True, exist_ok=True)
    book.save(mini.root / "content/data/people.xlsx")
    with_data(mini, None, spec=XLSX_SPEC)


def replace(relative: str, old: str, new: str) -> Breakage:
    return lambda mini: edit(mini, relative, old, new)


def rewrite(relative: str, text: str) -> Breakage:
    return lambda mini: mini.write(relative, text)


def finding(body: str = "Partnership helped patients.", **front: str) -> Breakage:
    """Rewrite F01 with this body and these front-matter arguments of `Mini.finding`."""
    return lambda mini: mini.finding("F01", "Health partnerships help", body=body, **front)


def data(csv: str | None = PEOPLE_CSV, body: str = PEOPLE_TABLE) -> Breakage:
    """Add the people table from this CSV (None: no file) and F02 with this body."""
    return lambda mini: with_data(mini, csv, body=body)


def workbook(*, sheet: str = "People", formula: bool = False) -> Breakage:
    return lambda mini: with_workbook(mini, sheet=sheet, formula=formula)


def broken_tables(body: str) -> Breakage:
    """Add the people table and F02 with this body, then make line 6 of tables.yaml unreadable."""
    def breaks(mini: Mini) -> None:
        with_data(mini, body=body)
        edit(mini, TABLES, "age: integer", "age: integer: x")
    return breaks


def anchor_and_alias(mini: Mini) -> None:
    edit(mini, F01, "key_message: ", "key_message: &km ")
    edit(mini, F01, "---\n\n", "recommendation: *km\n---\n\n")


def windows_1252(mini: Mini) -> None:
    path = mini.root / F01
    text = path.read_text(encoding="utf-8").replace("helped patients", "saved £5")
    path.write_bytes(text.encode("cp1252"))


def unknown_citation(mini: Mini) -> None:
    mini.write("content/references.bib", BIBLIOGRAPHY)
    finding("Intro [@bovaird2009].\nAs shown [@nobody2001].\n")(mini)


def picture_without_alt(mini: Mini) -> None:
    Image.new("RGB", (4, 4), "white").save(mini.root / "content/findings/pic.png")
    finding("Before.\n\n![](pic.png)\n")(mini)


def over_budget(mini: Mini) -> None:
    """Cap the briefing at 100 words, on line 8 of documents.yaml, and give it a finding of 180."""
    edit(mini, DOCUMENTS, '  title: "Briefing for the {audience}"\n',
         '  title: "Briefing for the {audience}"\n  budget: {words: 100}\n')
    finding("Partnership helped patients. " * 60)(mini)


def unchanged(mini: Mini) -> None:
    """Break nothing: the mistake is in the command's arguments."""


class Case(NamedTuple):
    name: str
    breaks: Breakage
    args: tuple[str, ...]
    code: str
    where: str | None  # `path:line` of the mistake; None when the mistake is on the command line
    says: str = ""  # text the problem's line must also contain
    before: tuple[str, ...] | None = None  # the earlier good build, when `args` are themselves the mistake


CASES = [
    # YAML that does not parse, in each kind of file.
    Case("yaml-project", replace(PROJECT, "stream: Test stream", "stream: Test: x"),
         HTML, "yaml", f"{PROJECT}:2"),
    Case("yaml-front-matter", replace(F01, "title: Health", "title: Health: x"),
         HTML, "yaml", f"{F01}:3"),
    Case("yaml-documents", replace(DOCUMENTS, "title: Small report", "title: Small: report"),
         HTML, "yaml", f"{DOCUMENTS}:3"),
    Case("yaml-tables", broken_tables(PEOPLE_TABLE), HTML, "yaml", f"{TABLES}:6"),
    Case("yaml-tables-unused", broken_tables("No table here."), HTML, "yaml", f"{TABLES}:6"),
    Case("duplicate-key", finding(extra="status: draft\n"),
         HTML, "duplicate-key", f"{F01}:10", "first on line 7"),
    # YAML 1.1 surprises, read as written and then refused by the schema.
    Case("status-NO", replace(F01, "status: approved", "status: NO"),
         HTML, "schema", f"{F01}:7", "'NO'"),
    Case("title-number", replace(F01, "title: Health partnerships help", "title: 1.10"),
         HTML, "schema", f"{F01}:3", "put it in quotes"),
    Case("updated-sexagesimal", finding(extra="updated: 1:20\n"),
         HTML, "schema", f"{F01}:10", "not a date"),
    Case("yaml-anchor-alias", anchor_and_alias, HTML, "yaml", f"{F01}:9", "anchors"),
    Case("yaml-python-tag", finding(extra="recommendation: !!python/object/apply:os.system [echo hacked]\n"),
         HTML, "yaml", f"{F01}:10", "tag"),
    # Front matter.
    Case("front-matter-unclosed", rewrite(F01, "---\nid: F01\ntitle: Health\n\nBody.\n"),
         HTML, "front-matter", f"{F01}:1", "never closed"),
    Case("front-matter-missing", rewrite(F01, "# Health\n\nBody.\n"),
         HTML, "front-matter", f"{F01}:1", "needs front matter"),
    Case("unknown-field", replace(F01, "status:", "staus:"),
         HTML, "schema", f"{F01}:7", "did you mean 'status'"),
    Case("missing-field", replace(F01, "key_message: Health partnerships help matters.\n", ""),
         HTML, "schema", f"{F01}:2", "key_message"),
    Case("id-format", replace(F01, "id: F01", "id: 7"), HTML, "schema", f"{F01}:2", "id"),
    Case("duplicate-id", lambda mini: mini.finding("F01", "Another", slug="f02"),
         HTML, "duplicate-id", f"{F02}:2", "f01.md"),
    Case("unknown-question", finding(questions="[RQ9]"), HTML, "unknown-name", f"{F01}:4", "RQ9"),
    Case("unknown-sector", finding(sectors="[helth]"),
         HTML, "unknown-name", f"{F01}:5", "did you mean 'health'"),
    Case("unknown-evidence", replace(F01, "[survey]", "[surveys]"),
         HTML, "unknown-name", f"{F01}:6", "did you mean 'survey'"),
    Case("unknown-audience-name", finding(extra="audiences: [nobody]\n"),
         HTML, "unknown-name", f"{F01}:10", "nobody"),
    Case("windows-1252", windows_1252, HTML, "encoding", f"{F01}:12", "Windows-1252"),
    # Markdown bodies: citations, references, labels, shortcodes and directives.
    Case("unknown-citation", unknown_citation, HTML, "unknown-citation", f"{F01}:13", "nobody2001"),
    Case("citation-without-bibliography", finding("Intro.\nAs shown [@nobody2001].\n"),
         HTML, "unknown-citation", f"{F01}:13", "no content/references.bib"),
    Case("unknown-crossref", finding("See @tbl:missing for the numbers.\n"),
         HTML, "unknown-label", f"{F01}:12", "tbl:missing"),
    Case("duplicate-label", finding("# One {#sec:x}\n\nText.\n\n# Two {#sec:x}\n\nMore.\n"),
         HTML, "duplicate-label", f"{F01}:16", "sec:x"),
    Case("unknown-value", finding("We asked {{< value nope >}} people.\n"),
         HTML, "unknown-value", f"{F01}:12", "nope"),
    Case("unknown-inline-shortcode", finding("We {{< frobnicate x >}} it.\n"),
         HTML, "shortcode", f"{F01}:12", "frobnicate"),
    Case("unknown-block-shortcode", finding("Intro.\n\n{{< frobnicate >}}\n"),
         HTML, "shortcode", f"{F01}:14", "frobnicate"),
    Case("unknown-directive", finding("Intro.\n\n```{nonsense}\nx: 1\n```\n"),
         HTML, "directive", f"{F01}:14", "nonsense"),
    Case("unknown-table", data(body="```{table} nobody\ncaption: Nobody\n```\n"),
         HTML, "unknown-table", f"{F02}:12", "nobody"),
    Case("table-missing-column", data(body="```{table} people\ncolumns: {nickname: Nick}\n```\n"),
         HTML, "data-column", f"{F02}:12", "nickname"),
    Case("directive-bad-yaml", data(body="```{table} people\nlabel: tbl:people\ncaption: a: b\n```\n"),
         HTML, "yaml", f"{F02}:14"),
    Case("chart-without-alt", data(body="```{chart} people\ntype: bar\nx: name\ny: [age]\n```\n"),
         HTML, "alt-text", f"{F02}:12"),
    # Data files.
    Case("data-file-missing", data(None), HTML, "missing-file", f"{TABLES}:2", "people.csv"),
    Case("data-column-missing", data("name,age,score\nAda,36,1.5\n"),
         HTML, "data-column", f"{CSV}:1", "rating"),
    Case("data-column-undeclared", data("name,age,score,rating,city\nAda,36,1.5,4,Leeds\n"),
         HTML, "data-column", f"{CSV}:1", "city"),
    Case("data-text-in-integer", data("name,age,score,rating\nAda,36,1.5,4\nBob,forty,2,5\n"),
         HTML, "data-type", f"{CSV}:3", "forty"),
    Case("data-NA-in-number", data("name,age,score,rating\nAda,36,NA,4\n"),
         HTML, "data-type", f"{CSV}:2", "'NA' marks a missing value, but the number column is not optional; mark "
         "it `optional: true` in tables.yaml, or leave the cell empty"),
    Case("data-date-format", lambda mini: with_data(mini, "name,age,score,rating,joined\nAda,36,1.5,4,2012/01/01\n",
                                                     spec=PEOPLE_SPEC + "      joined: date\n"),
         HTML, "data-type", f"{CSV}:2", 'give the column a format, e.g. {type: date, format: "%d/%m/%Y"}'),
    Case("data-empty", data("name,age,score,rating\n"), HTML, "data-empty", f"{CSV}:1"),
    Case("data-likert-7", data("name,age,score,rating\nAda,36,1.5,7\n"),
         HTML, "data-type", f"{CSV}:2", "Likert"),
    Case("xlsx-wrong-sheet", workbook(sheet="Sheet1"),
         HTML, "data-sheet", f"{TABLES}:2", "no sheet 'People'"),
    Case("xlsx-formula-without-value", workbook(formula=True),
         HTML, "data-formula", "content/data/people.xlsx:2", "=1+1"),
    # Templates.
    Case("template-undefined", replace(TEMPLATE, "# Findings", "# Findings {{ nothing }}"),
         HTML, "template", f"{TEMPLATE}:3", "nothing"),
    Case("template-syntax", replace(TEMPLATE, "{% endfor %}", "{% endfro %}"),
         HTML, "template", f"{TEMPLATE}:9", "endfro"),
    Case("template-unsafe", replace(TEMPLATE, "# Findings", "# Findings {{ ''.__class__.__mro__ }}"),
         HTML, "template-unsafe", f"{TEMPLATE}:3"),
    Case("template-not-found", replace(DOCUMENTS, "reports/small.md.j2", "reports/nothere.md.j2"),
         HTML, "template", f"{DOCUMENTS}:4", "nothere"),
    # The command line, the briefing budget and selections.
    Case("unknown-document", unchanged, ("build", "nonsense", "--format", "html"),
         "unknown-document", None, "known: report", before=HTML),
    Case("unknown-audience", unchanged, ("brief", "--audience", "nobody", "--format", "html"),
         "unknown-audience", None, "known: dh, moj", before=BRIEF),
    Case("over-budget", over_budget, BRIEF, "over-budget", f"{DOCUMENTS}:8", "budget of 100"),
    Case("selection-unknown-field",
         replace(DOCUMENTS, "    date: 2010-06-30\n", "    date: 2010-06-30\n    findings:\n      where:\n"
                 "        colour: red\n"),
         HTML, "selection", f"{DOCUMENTS}:8", "colour"),
    Case("briefing-selection-unknown-field",
         replace(DOCUMENTS, '  title: "Briefing for the {audience}"\n',
                 '  title: "Briefing for the {audience}"\n  findings: {where: {colour: red}}\n'),
         BRIEF, "selection", f"{DOCUMENTS}:8", "colour"),
    Case("audience-selection-unknown-field", replace(PROJECT, "{sectors: health}", "{colour: red}"),
         HTML, "selection", f"{PROJECT}:22", "colour"),
    # The accessibility gate.
    Case("heading-skip", finding("# Part\n\nText.\n\n### Deep\n\nMore.\n"),
         HTML, "heading-order", f"{F01}:16"),
    Case("image-no-alt", picture_without_alt, HTML, "alt-text", f"{F01}:14"),
    Case("vague-link-text", finding("Read [click here](https://example.org).\n"),
         HTML, "link-text", f"{F01}:12", "click here"),
    Case("unclosed-div", finding("Intro.\n\n::: {.callout-note}\nInside.\n\nThe rest of the finding.\n"),
         HTML, "unclosed-div", f"{F01}:14", "the ::: opened here is never closed; add a line with ::: after"),
]


def assert_refused(run: Run, code: str, where: str | None, says: str = "") -> None:
    """Exit 1 without a traceback, naming the mistake as `where: error [code] ...` on stderr."""
    assert "Traceback" not in run.output, run.output
    assert isinstance(run.result.exception, SystemExit), repr(run.result.exception)
    assert run.code == (2 if code in ("unknown-document", "unknown-audience") else 1), run.output  # usage: 2
    located = rf"{re.escape(where)}(:\d+)?: " if where else ""  # a column may follow the line
    pattern = re.compile(rf"{located}error \[{re.escape(code)}\] .*")
    lines = [line for line in run.stderr.splitlines() if pattern.fullmatch(line)]
    assert lines, f"no `{where or ''}: error [{code}]` line in:\n{run.stderr}"
    assert any(says in line for line in lines), f"{says!r} not in {lines}"


def error_lines(run: Run) -> list[str]:
    return [line for line in run.stderr.splitlines() if " error [" in line]


def snapshot(mini: Mini) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in mini.outputs()}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_refused_with_its_line(mini: Mini, case: Case) -> None:
    case.breaks(mini)
    assert_refused(mini.run(*case.args), case.code, case.where, case.says)
    assert mini.outputs() == []


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_leaves_previous_build_unchanged(mini: Mini, case: Case) -> None:
    good = mini.run(*(case.before or case.args))
    assert good.code == 0, good.output
    before = snapshot(mini)
    assert before
    case.breaks(mini)
    assert_refused(mini.run(*case.args), case.code, case.where, case.says)
    assert snapshot(mini) == before


def test_allow_overlength_builds_the_long_briefing(mini: Mini) -> None:
    over_budget(mini)
    run = mini.run(*BRIEF, "--allow-overlength")
    assert run.code == 0, run.output
    assert mini.documents() == ["build/briefings/dh/briefing-dh.html"]


def test_intact_data_builds(mini: Mini) -> None:
    """The data the data cases break is sound as written, so each case fails for its own mistake only."""
    with_data(mini)
    run = mini.run(*HTML)
    assert run.code == 0, run.output
    with_workbook(mini)
    run = mini.run(*HTML)
    assert run.code == 0, run.output


@pytest.mark.parametrize("encode", [
    pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), id="utf-8-bom"),
    pytest.param(lambda text: text.replace("\n", "\r\n").encode("utf-8"), id="crlf"),
])
def test_bom_and_crlf_are_accepted(mini: Mini, encode: Callable[[str], bytes]) -> None:
    path = mini.finding("F01", "Health partnerships help", body="Costs fell by £5.\n\nAnd more.\n")
    path.write_bytes(encode(path.read_text(encoding="utf-8")))
    run = mini.run(*HTML)
    assert run.code == 0, run.output
    html = (mini.root / "build/report/report.html").read_text(encoding="utf-8")
    assert "Costs fell by £5." in html and "\r" not in html and "\ufeff" not in html


def test_mistakes_in_several_files_are_all_reported_at_once(mini: Mini) -> None:
    edit(mini, F01, "status: approved", "status: NO")
    mini.finding("F02", "Justice", sectors="[justice]", extra="phase: final\n")
    edit(mini, DOCUMENTS, "date: 2010-06-30", "date: 2010-13-45")
    mini.write("content/sections/intro.md", "---\ntitle: Introduction\n\nNever closed.\n")
    run = mini.run(*HTML)
    assert_refused(run, "schema", f"{F01}:7")
    assert [line.split(" error ")[0] for line in error_lines(run)] == [
        f"{DOCUMENTS}:5:", f"{F01}:7:", f"{F02}:10:", "content/sections/intro.md:1:"]
    assert "stopped, 4 problems; nothing was written" in run.stderr
    assert mini.outputs() == []


def test_mistakes_found_while_preparing_documents_are_all_reported_at_once(mini: Mini) -> None:
    mini.finding("F01", "Health", body="We asked {{< value nope >}} people.\n")
    mini.finding("F02", "More health", body="See @tbl:missing.\n")
    mini.finding("F03", "Links", body="Read [click here](https://example.org).\n")
    run = mini.run(*HTML)
    assert_refused(run, "unknown-value", f"{F01}:12")
    assert [line.split(" error ")[0] for line in error_lines(run)] == [
        f"{F01}:12:", f"{F02}:12:", "content/findings/f03.md:12:"]
    assert "stopped, 3 problems; nothing was written" in run.stderr
    assert mini.outputs() == []
