"""Every figure true for the document it is in: bases, small-number suppression, claims, provenance.

A small survey where private respondents are happier than public ones across
both areas, but not in Eastmoor; with a group of two (voluntary) and a group
with no rows (mutual). The project's policy is scaled down to the data: a rate
needs 3 respondents, a count shows from 3.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import Mini
from helpers import docx_text, squash
from lxml import html as lxml_html

SPEC = """\
figures: {min_base: 3, min_count: 3, base_text: "{base} people"}
tables:
  survey:
    file: survey.csv
    columns: {area: text, org: text, happy: likert}
  happy_by_org:
    from: survey
    group_by: org
    measures: {people: {count: rows}, happy: {agree: happy}}
  people_by_org:
    from: survey
    crosstab: {rows: org, columns: area}
values:
  people: {table: survey, count: rows}
  happy_private: {table: survey, where: {org: private}, agree: happy}
  happy_public: {table: survey, where: {org: public}, agree: happy}
  happy_voluntary: {table: survey, where: {org: voluntary}, agree: happy}
  happy_mutual: {table: survey, where: {org: mutual}, agree: happy}
"""
ROWS = [("Northbrook", "private", 5), ("Northbrook", "private", 5), ("Northbrook", "private", 4),
        ("Northbrook", "private", 5), ("Northbrook", "public", 1), ("Northbrook", "public", 2),
        ("Northbrook", "public", 4), ("Northbrook", "voluntary", 4), ("Northbrook", "voluntary", 2),
        ("Eastmoor", "private", 1), ("Eastmoor", "private", 2), ("Eastmoor", "private", 5),
        ("Eastmoor", "public", 4), ("Eastmoor", "public", 5), ("Eastmoor", "public", 4)]
CSV = "area,org,happy\n" + "".join(f"{a},{o},{h}\n" for a, o, h in ROWS)
CLAIMED = ('[Private respondents were happier ({{< value happy_private base=true >}}).]'
           '{when="happy_private > happy_public"}[Private respondents were no happier than public ones.]{.otherwise}')
TABLE = "```{table} happy_by_org\nlabel: tbl:happy\ncaption: Happiness by organisation\n```\n"
COUNTS = "```{table} people_by_org\nlabel: tbl:people\ncaption: People by organisation\ntotals: Total\n```\n"
CHART = ("```{chart} happy_by_org\nlabel: fig:happy\ncaption: Happiness\nalt: Bars of happiness by organisation\n"
         "type: bar\nx: org\ny: {happy: Happy}\nformat: percent\n```\n")


def survey(mini: Mini, body: str) -> Mini:
    mini.write("content/data/tables.yaml", SPEC)
    mini.write("content/data/survey.csv", CSV)
    mini.finding("F01", "Health partnerships help", body=body)
    return mini


def page(mini: Mini, path: str) -> str:
    return squash(lxml_html.fromstring((mini.root / path).read_bytes()).text_content())


def test_a_claim_that_holds_everywhere_but_one_area_gives_that_area_its_alternative(mini: Mini) -> None:
    survey(mini, CLAIMED)
    assert mini.run("build", "report", "--format", "html").code == 0
    assert "Private respondents were happier (71% (7 people))." in page(mini, "build/report/report.html")
    run = mini.run("brief", "--audience", "dh", "--by", "area", "--format", "html")
    assert run.code == 0, run.output
    north = page(mini, "build/briefings/dh/areas/northbrook/briefing-dh-northbrook.html")
    east = page(mini, "build/briefings/dh/areas/eastmoor/briefing-dh-eastmoor.html")
    assert "Private respondents were happier (100% (4 people))." in north
    assert "Private respondents were no happier than public ones." in east and "happier (" not in east


def test_a_failing_claim_without_an_alternative_stops_the_build_naming_variant_and_figures(mini: Mini) -> None:
    survey(mini, 'Intro.\n\n[Private respondents were happier.]{when="happy_private > happy_public"}')
    run = mini.run("brief", "--audience", "dh", "--by", "area", "--format", "html")
    assert run.code == 1
    assert "content/findings/f01.md:14: error [claim-fails] the claim 'happy_private > happy_public' does not " \
           "hold in briefing-dh for Eastmoor: happy_private is 33% (base 3), happy_public is 100% (base 3)" \
           in run.stderr
    assert "Traceback" not in run.stderr and not mini.documents()


def test_a_group_of_two_is_suppressed_in_table_chart_and_prose(mini: Mini) -> None:
    survey(mini, f"{TABLE}\n{CHART}")
    assert mini.run("build", "report", "--format", "html,docx").code == 0
    tree = lxml_html.fromstring((mini.root / "build/report/report.html").read_bytes())
    cells = tree.xpath("//table[@id='tbl:happy']//tr[td[1][normalize-space()='voluntary']]/td")[1:]
    assert [c.text_content().strip() for c in cells] == ["[c]", "[c]"]
    assert cells[1].get("data-suppressed") == "[c]" and cells[1].get("data-base") == "2"
    notes = squash(tree.xpath("string((//table[@id='tbl:happy']/following::div[@class='table-notes'])[1])"))
    assert "[c] confidential: fewer than 3 respondents, so not shown." in notes
    figure = squash(tree.xpath("string(//figure[@id='fig:happy'])"))
    assert "Base: 2–7 people per bar." in figure and "[c] confidential" in figure
    assert "[c]" in docx_text(mini.root / "build/report/report.docx")
    survey(mini, "Voluntary respondents: {{< value happy_voluntary >}}.")
    run = mini.run("build", "report", "--format", "html", "--force")
    assert run.code == 1
    assert "content/findings/f01.md:12: error [low-base] value 'happy_voluntary' rests on 2 respondents" in run.stderr


def test_a_group_with_no_rows_is_never_a_dash_in_a_sentence(mini: Mini) -> None:
    survey(mini, "Mutual respondents: {{< value happy_mutual >}}.")
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 1
    assert "error [low-base] value 'happy_mutual' has no data in report" in run.stderr


def test_a_total_that_would_give_away_a_suppressed_count_is_suppressed_too(mini: Mini) -> None:
    survey(mini, COUNTS)
    assert mini.run("build", "report", "--format", "html").code == 0
    tree = lxml_html.fromstring((mini.root / "build/report/report.html").read_bytes())
    header = [c.text_content().strip() for c in tree.xpath("//table[@id='tbl:people']//thead//th")]
    body = {r[0].text_content().strip(): [c.text_content().strip() for c in r[1:]]
            for r in tree.xpath("//table[@id='tbl:people']/tbody/tr")}
    total = [c.text_content().strip() for c in tree.xpath("//table[@id='tbl:people']/tfoot/tr/*")]
    east, north = header.index("Eastmoor") - 1, header.index("Northbrook") - 1
    assert body["voluntary"][north] == "[c]"  # two people: primary suppression
    assert total[north + 1] == "[c]"  # total minus the others would give it away: secondary suppression
    assert total[east + 1] == "6"  # nothing suppressed above it


def test_a_bad_claim_is_reported_at_its_line(mini: Mini) -> None:
    survey(mini, 'First.\n\nSecond [text]{when="happy_private >> 3"}.')
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 1
    assert re.search(r"content/findings/f01\.md:14: error \[claim\] claim 'happy_private >> 3'", run.stderr)
    survey(mini, '[text]{when="happy_privat > 0.5"}')
    run = mini.run("build", "report", "--format", "html")
    assert "unknown value 'happy_privat'; did you mean 'happy_private'" in run.stderr.replace('"', "'") or \
           "happy_private" in run.stderr


def test_every_figure_in_the_html_says_where_it_came_from_and_the_manifest_lists_it(mini: Mini) -> None:
    survey(mini, CLAIMED + "\n\n" + TABLE)
    assert mini.run("build", "report", "--format", "html").code == 0
    tree = lxml_html.fromstring((mini.root / "build/report/report.html").read_bytes())
    (figure,) = tree.xpath("//data[@data-value='happy_private']")
    assert figure.get("value") == repr(5 / 7) and figure.get("data-base") == "7"
    assert figure.get("data-definition") == "share agreeing (4 or 5 of 5) with happy in survey where org = private"
    assert figure.get("data-scope") == "all rows" and "base: 7" in figure.get("title")
    manifest = json.loads((mini.root / "build/manifest.json").read_text())
    (output,) = [o for o in manifest["outputs"] if o["format"] == "html"]
    prose = [f for f in output["figures"] if f.get("value") == "happy_private"]
    assert prose and prose[0]["base"] == 7 and prose[0]["where"].startswith("content/findings/f01.md:")
    assert {f["row"] for f in output["figures"] if f.get("table") == "tbl:happy"} >= {"private", "voluntary"}


def test_check_lists_what_each_variant_suppresses_and_which_claims_fail(mini: Mini) -> None:
    survey(mini, 'Intro.\n\n[Happier.]{when="happy_private > happy_public"}\n\n' + TABLE)
    run = mini.run("check", "--by", "area", "--format", "json")
    report = json.loads(run.stdout)
    infos = [p["message"] for p in report["problems"] if p["severity"] == "info"]
    assert any("voluntary / happy shown as [c], base 2 in report" in m for m in infos)
    assert any("in briefing-dh for Northbrook" in m for m in infos)
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    assert [e["code"] for e in errors] == ["claim-fails"] * len(errors) and errors
    assert all("for Eastmoor" in e["message"] for e in errors) and run.code == 1
    assert report["counts"]["info"] == len(infos)


def test_a_table_of_percentages_can_show_each_rows_base(mini: Mini) -> None:
    survey(mini, "```{table} happy_by_org\nlabel: tbl:happy\ncaption: Happiness\ncolumns: {org: Organisation, "
                 "happy: {title: Happy, format: percent}}\nbase: column\n```\n")
    assert mini.run("build", "report", "--format", "html").code == 0
    tree = lxml_html.fromstring((mini.root / "build/report/report.html").read_bytes())
    header = [c.text_content().strip() for c in tree.xpath("//table[@id='tbl:happy']//thead//th")]
    rows = [[c.text_content().strip() for c in r] for r in tree.xpath("//table[@id='tbl:happy']/tbody/tr")]
    assert header == ["Organisation", "Happy", "Base (respondents)"]
    assert rows == [["private", "71%", "7"], ["public", "67%", "6"], ["voluntary", "[c]", "[c]"]]


def test_every_figures_error_is_reported_at_its_place(mini: Mini) -> None:
    survey(mini, "An orphan alternative.\n\n::: {.otherwise}\nNothing before me.\n:::\n\n"
                 "Odd option: {{< value happy_private colour=red >}}.\n")
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 1 and "Traceback" not in run.stderr
    assert "content/findings/f01.md:14: error [claim] an ::: {.otherwise} block must follow" in run.stderr
    assert "content/findings/f01.md:18: error [shortcode] value 'happy_private': options are base=true and " \
           "scope=all, not colour=red" in run.stderr


def test_the_figures_policy_and_respondents_flag_are_validated(mini: Mini) -> None:
    survey(mini, "Text.")
    spec = SPEC.replace('base_text: "{base} people"', 'base_text: "people"')
    derived = "    from: survey\n    group_by: org"
    spec = spec.replace(derived, "    from: survey\n    respondents: false\n    group_by: org")
    mini.write("content/data/tables.yaml", spec)
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 1 and "Traceback" not in run.stderr
    assert "base_text must say where the number goes, as {base}" in run.stderr
    assert "`respondents` belongs on the table read from a file" in run.stderr


def test_an_unwritable_build_folder_is_a_clear_error(mini: Mini, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from tspdocs.store import output

    def refuse(path: Path, data: bytes) -> Path:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(output, "_stage", refuse)
    run = survey(mini, "Text.").run("build", "report", "--format", "html")
    assert run.code == 1 and "Traceback" not in run.stderr
    assert "error [unwritable] cannot write report.html: tspdocs may not write there" in run.stderr


def test_the_appendix_never_breaks_a_condition_over_lines() -> None:
    """The Rows column is narrow: "all rows" and "area = Ashdale" hold together (no-break spaces), and a
    line may break only between conditions."""
    from tspdocs import tree as t
    from tspdocs.prepare.figures import APPENDIX_CLASS, fill_figures_appendix

    quoted = [t.Quantity("n", "320", 320, 320, "number of rows", "all rows"),
              t.Quantity("m", "12", 12, 12, "number of rows", "area = Ashdale, sector = health")]
    appendix = t.Div([], t.Attr(classes=[APPENDIX_CLASS]))
    doc = t.Document(t.Meta("Figures"), [t.Para(list(quoted)), appendix])
    fill_figures_appendix(doc)
    table = next(block for block in appendix.blocks if isinstance(block, t.Table))
    rows = [t.plain_text(row.cells[3].blocks[0].children) for row in table.body]
    assert rows == ["all\u00a0rows", "area\u00a0=\u00a0Ashdale, sector\u00a0=\u00a0health"]


def test_a_figure_one_area_leaves_out_is_an_unknown_label_naming_that_area(mini: Mini) -> None:
    # The chart is shown only where private respondents are happier; the sentence cites it everywhere.
    survey(mini, "@fig:happy shows it.\n\n::: {when=\"happy_private > happy_public\"}\n" + CHART + ":::\n")
    run = mini.run("brief", "--audience", "dh", "--by", "area", "--format", "html")
    assert run.code == 1
    assert "error [unknown-label] unknown label 'fig:happy'" in run.stderr
    assert "briefing-dh for Eastmoor" in run.stderr and "briefing-dh for Northbrook" not in run.stderr
    assert "Traceback" not in run.stderr
