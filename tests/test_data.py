"""Data enters documents as typed tables, derived tables, charts and quoted values, the same in every format."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import html5lib
import openpyxl
import pandas as pd
import pytest
from conftest import REPO, Mini
from helpers import docx_text, html_words, pdf_pages, squash

from tspdocs.data.formats import format_value

XHTML = "{http://www.w3.org/1999/xhtml}"
SECTOR_NAMES = {"health": "Health and social wellbeing", "employment": "Employment services",
                "criminal-justice": "Criminal justice", "local-partnerships": "Local strategic partnerships"}


def html_table(path: Path, ident: str) -> list[list[str]]:
    root = html5lib.parse(path.read_bytes())
    table = next(t for t in root.iter(f"{XHTML}table") if t.get("id") == ident)
    return [["".join(cell.itertext()).strip() for cell in row if cell.tag in (f"{XHTML}td", f"{XHTML}th")]
            for row in table.iter(f"{XHTML}tr")]


@pytest.mark.xdist_group("built")
def test_timetable_totals_in_every_format(built: Path) -> None:
    rows = html_table(built / "build/final/final.html", "tbl:timetable")
    assert rows[-1] == ["Total number of days", "", "36", "33", "26", "95"]
    assert "Total number of days 36 33 26 95" in squash(" ".join(pdf_pages(built / "build/final/final.pdf")))
    assert "Total number of days" in docx_text(built / "build/final/final.docx")


@pytest.mark.xdist_group("built")
def test_crosstab_matches_an_independent_pandas_count(built: Path) -> None:
    survey = pd.read_csv(built / "content/data/survey.csv")
    expected = pd.crosstab(survey["sector"].map(SECTOR_NAMES), survey["org_type"])
    rows = html_table(built / "build/interim/interim.html", "tbl:respondents")
    assert rows[0] == ["Sector", "Third sector", "Public sector", "Private sector"]
    for sector, tso, public, private in rows[1:-1]:
        assert [int(tso), int(public), int(private)] == [expected.loc[sector, c] for c in ("TSO", "public", "private")]
    assert rows[-1][1:] == [f"{expected[c].sum():,}" for c in ("TSO", "public", "private")]


@pytest.mark.xdist_group("built")
def test_quoted_values_agree_with_the_data_in_report_and_briefing(built: Path) -> None:
    survey = pd.read_csv(built / "content/data/survey.csv")
    share = format_value((survey["driver_funding"] >= 4).mean(), "percent")
    report = squash(docx_text(built / "build/final/final.docx"))
    briefing = squash(docx_text(built / "build/briefings/ots/briefing-ots.docx"))
    assert f"{share} of respondents" in report
    assert f"{share} of respondents" in briefing


def test_number_formats() -> None:
    assert format_value(1234, "integer") == "1,234"
    assert format_value(0.5875, "percent") == "59%"
    assert format_value(0.5875, "percent1") == "58.8%"
    assert format_value(2.25, "decimal1") == "2.3"  # half up, as Excel and readers expect
    assert format_value(0, "integer", zero="–") == "–"
    assert format_value(None, "integer") == "–"


TYPED_SPEC = """\
tables:
  people:
    file: people.csv
    respondents: false
    columns: {code: text, name: text, score: integer, share: percent, when: date, note: {type: number, optional: true}}
  by_name:
    from: people
    group_by: name
    measures: {n: {count: rows}, mean: {mean: score}}
values:
  top_code: {table: people, where: {name: Bea}, value: code}
  people: {table: people, count: rows}
"""


def test_explicit_types_keep_codes_and_refuse_guessing(mini: Mini) -> None:
    mini.write("content/data/tables.yaml", TYPED_SPEC)
    mini.write("content/data/people.csv", "code,name,score,share,when,note\n007,Ann,3,61%,2010-07-31,\n"
                                          "010,Bea,5,0.25,2010-08-01,1.5\n")
    mini.finding("F01", "Health partnerships help",
                 body="Code {{< value top_code >}} of {{< value people >}}.\n\n```{table} people\nlabel: tbl:p\n"
                      "caption: People\n```\n\n```{table} by_name\nlabel: tbl:n\ncaption: By name\n```\n")
    run = mini.run("build", "report", "--format", "html,docx")
    assert run.code == 0, run.output
    html = mini.root / "build/report/report.html"
    assert "Code 010 of 2." in html_words(html)
    rows = html_table(html, "tbl:p")
    assert rows[1][:4] == ["007", "Ann", "3", "61%"] and rows[1][5] == "[x]"
    assert html_table(html, "tbl:n")[1:] == [["Ann", "1", "3.0"], ["Bea", "1", "5.0"]]


def test_xlsx_tables_read_cached_values(mini: Mini) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append(["area", "days"])
    sheet.append(["North", 4])
    sheet.append(["South", 6])
    buffer = io.BytesIO()
    workbook.save(buffer)
    (mini.root / "content/data").mkdir(parents=True, exist_ok=True)
    (mini.root / "content/data/days.xlsx").write_bytes(buffer.getvalue())
    mini.write("content/data/tables.yaml", "tables:\n  days:\n    file: days.xlsx\n    sheet: Data\n"
                                           "    columns: {area: text, days: integer}\n")
    mini.finding("F01", "Health partnerships help",
                 body="```{table} days\nlabel: tbl:days\ncaption: Days\ntotals: Total\n```\n")
    assert mini.run("build", "report", "--format", "html").code == 0
    assert html_table(mini.root / "build/report/report.html", "tbl:days")[-1] == ["Total", "10"]


CHART = """\
```{chart} scores
type: bar
label: fig:scores
caption: Scores
x: name
y: [score]
alt: Two bars, Bea higher than Ann.
show_data: true
```
"""


def test_charts_are_reproducible_and_accessible(mini: Mini) -> None:
    mini.write("content/data/tables.yaml", "tables:\n  scores:\n    file: s.csv\n"
                                           "    columns: {name: text, score: integer}\n")
    mini.write("content/data/s.csv", "name,score\nAnn,3\nBea,5\n")
    mini.finding("F01", "Health partnerships help", body="See @fig:scores.\n\n" + CHART)
    assert mini.run("build", "report", "--format", "html").code == 0
    first = (mini.root / "build/report/report.html").read_bytes()
    assert mini.run("build", "report", "--format", "html").code == 0
    assert (mini.root / "build/report/report.html").read_bytes() == first
    page = first.decode()
    assert 'alt="Two bars, Bea higher than Ann."' in page and "data:image/svg+xml;base64," in page
    assert "Data for <a" in page, "the chart's numbers are also given as a table"


# Missing values, date formats, totals and empty counts -----------------------------------------------------

def typed(csv: str, columns: str, extra: str = "") -> dict[str, list[object]]:
    """Read `csv` with the columns `columns` (YAML flow mapping) through the real reader and spec."""
    import yaml

    from tspdocs.data.files import _read_csv, typed_columns
    from tspdocs.data.spec import TableSpec
    from tspdocs.errors import Location

    spec = TableSpec.model_validate(yaml.safe_load(f"{{file: t.csv, columns: {columns}{extra}}}"))
    return typed_columns(_read_csv(csv.encode(), "t.csv"), spec, Location("tables.yaml", 2))


def problems_of(csv: str, columns: str, extra: str = "") -> list[str]:
    from tspdocs.errors import BuildError

    with pytest.raises(BuildError) as caught:
        typed(csv, columns, extra)
    return [str(p) for p in caught.value.problems]


def test_missing_value_markers_in_an_optional_column_are_missing() -> None:
    csv = "a,b,c\n1,NA,x\n2,n/a,NA\n3,N/A,\n4,.,y\n5,-,z\n6,\u2013,w\n7,2.5,v\n"
    columns = typed(csv, "{a: integer, b: {type: number, optional: true}, c: {type: text, optional: true}}")
    assert columns["b"] == [None, None, None, None, None, None, 2.5]
    assert columns["c"] == ["x", "", "", "y", "z", "w", "v"]


def test_missing_value_markers_are_configurable_per_table() -> None:
    columns = typed("a,b\n1,NA\n2,missing\n", "{a: integer, b: {type: text, optional: true}}",
                    ", missing: [missing]")
    assert columns["b"] == ["NA", ""]  # NA is text here: only the table's own markers count
    assert problems_of("a\nNA\n", "{a: {type: integer, optional: true}}", ", missing: [missing]") == [
        "t.csv:2: error [data-type] column 'a': expected a whole number, found 'NA'"]


def test_missing_value_in_a_column_not_optional_says_how_to_allow_it() -> None:
    assert problems_of("a,b\n1,NA\n", "{a: integer, b: number}") == [
        "t.csv:2: error [data-type] column 'b': 'NA' marks a missing value, but the number column is not optional; "
        "mark it `optional: true` in tables.yaml, or leave the cell empty"]
    assert typed("a\nNA\n", "{a: text}")["a"] == ["NA"]  # in a text column it is text: a code, perhaps


def test_dates_read_in_the_column_format() -> None:
    import datetime as dt

    columns = typed("d,e\n31/01/2012,2012-01-31\n", '{d: {type: date, format: "%d/%m/%Y"}, e: date}')
    assert columns["d"] == [dt.date(2012, 1, 31)] and columns["e"] == [dt.date(2012, 1, 31)]
    assert problems_of("d\n2012/01/01\n", "{d: date}") == [
        "t.csv:2: error [data-type] column 'd': expected a date as YYYY-MM-DD, found '2012/01/01'; for dates "
        'written another way give the column a format, e.g. {type: date, format: "%d/%m/%Y"}']
    assert problems_of("d\n2012-01-31\n", '{d: {type: date, format: "%d/%m/%Y"}}') == [
        "t.csv:2: error [data-type] column 'd': expected a date written as '%d/%m/%Y', found '2012-01-31'"]


def test_a_format_is_only_for_dates() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="`format` is for date columns"):
        typed("a\n1\n", '{a: {type: integer, format: "%d"}}')


def test_totals_sum_only_whole_number_columns_unless_columns_are_chosen(mini: Mini) -> None:
    mini.write("content/data/tables.yaml", "tables:\n  heat:\n    file: heat.csv\n    respondents: false\n"
               "    columns: {site: text, days: integer, mean_max: number, share: percent}\n")
    mini.write("content/data/heat.csv", "site,days,mean_max,share\nNorth,4,67.8,10%\nSouth,6,60.2,20%\n")
    mini.finding("F01", "Health partnerships help",
                 body="```{table} heat\nlabel: tbl:a\ncaption: Default\ntotals: Total\n```\n\n"
                      "```{table} heat\nlabel: tbl:b\ncaption: Chosen\n"
                      "totals: {label: All sites, columns: [days, mean_max]}\n```\n")
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 0, run.output
    html = mini.root / "build/report/report.html"
    assert html_table(html, "tbl:a")[-1] == ["Total", "10", "", ""]
    assert html_table(html, "tbl:b")[-1] == ["All sites", "10", "128.0", ""]


def test_check_warns_about_a_count_whose_where_selects_no_rows(mini: Mini) -> None:
    mini.write("content/data/tables.yaml", TYPED_SPEC + "  nobody: {table: people, where: {name: Zed}, count: rows}\n")
    mini.write("content/data/people.csv", "code,name,score,share,when,note\n007,Bea,3,61%,2010-07-31,\n")
    run = mini.run("check")
    assert ("tables.yaml:13: warning [no-data] value 'nobody' has no data: its `where` selects no rows, so no "
            "document can quote it (it would print 0)") in run.output
    assert "value 'people' has no data" not in run.output and " error " not in run.output


def test_a_file_with_many_bad_cells_says_how_many_are_not_shown() -> None:
    csv = "a\n" + "".join(f"x{i}\n" for i in range(25))
    problems = problems_of(csv, "{a: integer}")
    assert len(problems) == 21 and problems[19].startswith("t.csv:21: error [data-type]")
    assert problems[20] == ("t.csv:22: error [data-more] 5 more problems in this file from this line on not shown; "
                            "fix those above and run again to see them")


def _tick_labels(svg: bytes, axis: str) -> list[str]:
    """Return the tick labels matplotlib wrote on one axis of an SVG chart (its text, kept as text)."""
    from lxml import etree

    tree = etree.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    return ["".join(text.itertext()) for text in tree.xpath(f"//s:g[starts-with(@id, '{axis}tick_')]//s:text",
                                                            namespaces=ns)]


@pytest.mark.parametrize("kind", ["line", "bar", "stacked-bar"])
def test_a_date_axis_of_120_months_gets_a_few_labels(kind: str) -> None:
    import datetime as dt

    from tspdocs.data.charts import Chart, draw_chart
    from tspdocs.data.rows import Rows

    months = [dt.date(2010 + i // 12, i % 12 + 1, 1).isoformat() for i in range(120)]
    rows = Rows(["month", "n"], {"month": "date", "n": "integer"},
                [{"month": month, "n": i} for i, month in enumerate(months)], [{} for _ in months])
    svg, _png, _size = draw_chart(rows, Chart(kind, "month", {"n": "Count"}, "integer", x_kind="date"),
                                  sorted((REPO / "assets/fonts").glob("*.ttf")))
    labels = _tick_labels(svg, "x")
    assert 3 <= len(labels) <= 12, labels
    assert "2010" in labels and all(label.strip() for label in labels)


@pytest.mark.parametrize(("kind", "horizontal"), [("line", False), ("bar", False), ("bar", True)])
@pytest.mark.parametrize(("column", "values", "expected"), [
    ("integer", [str(2000 + i) for i in range(17)], ["2000", "2002", "2004", "2016"]),
    ("text", [f"{2010 + i // 12}-{i % 12 + 1:02d}" for i in range(120)], ["2010", "2015", "2019"]),
])
def test_an_ordered_category_axis_is_labelled_at_nice_steps(kind: str, horizontal: bool, column: str,
                                                            values: list[str], expected: list[str]) -> None:
    """Integer years and year-month text are ordered like dates: at most about 12 labels, at round steps;
    text categories keep one label each."""
    from tspdocs.data.charts import Chart, draw_chart
    from tspdocs.data.rows import Rows

    rows = Rows(["year", "n"], {"year": column, "n": "integer"},
                [{"year": int(v) if column == "integer" else v, "n": i} for i, v in enumerate(values)],
                [{} for _ in values])
    chart = Chart(kind, "year", {"n": "Count"}, "integer", horizontal=horizontal, x_kind=column)
    svg, _png, _size = draw_chart(rows, chart, sorted((REPO / "assets/fonts").glob("*.ttf")), raster=False)
    labels = _tick_labels(svg, "y" if horizontal and kind == "bar" else "x")
    assert 3 <= len(labels) <= 12 and set(expected) <= set(labels), labels
    steps = {int(b) - int(a) for a, b in itertools.pairwise(labels)}
    assert len(steps) == 1, labels  # evenly spaced


def test_text_categories_keep_every_label() -> None:
    from tspdocs.data.charts import Chart, draw_chart
    from tspdocs.data.rows import Rows

    names = [f"Area {chr(65 + i)}" for i in range(15)]
    rows = Rows(["area", "n"], {"area": "text", "n": "integer"},
                [{"area": name, "n": i} for i, name in enumerate(names)], [{} for _ in names])
    svg, _png, _size = draw_chart(rows, Chart("bar", "area", {"n": "Count"}, "integer", horizontal=True),
                                  sorted((REPO / "assets/fonts").glob("*.ttf")), raster=False)
    assert _tick_labels(svg, "y")[:15] == names


@pytest.mark.slow
def test_html_charts_offer_a_phone_drawing_whose_text_is_at_least_10px(mini: Mini) -> None:
    """At 390 px wide the page shows the chart drawn for a phone (a <picture> source for narrow screens),
    at its own size or smaller, and no text in it is under 10 CSS px (SVG user units are points here)."""
    import base64
    import re

    from lxml import etree

    mini.write("content/data/tables.yaml", "tables:\n  scores:\n    file: s.csv\n"
                                           "    columns: {name: text, score: integer, other: integer}\n")
    mini.write("content/data/s.csv", "name,score,other\nAnn,3,4\nBea,5,2\nCal,4,4\nDee,1,5\n")
    mini.finding("F01", "Health partnerships help",
                 body="See @fig:scores.\n\n" + CHART.replace("y: [score]", "y: [score, other]"))
    assert mini.run("build", "report", "--format", "html").code == 0
    page = html5lib.parse((mini.root / "build/report/report.html").read_text(), namespaceHTMLElements=False)
    source = page.find(".//figure/picture/source")
    assert source is not None and re.fullmatch(r"\(max-width: [\d.]+em\)", source.get("media"))
    svg = etree.fromstring(base64.b64decode(source.get("srcset").split(",", 1)[1]))
    width_px = float(svg.get("width").removesuffix("pt")) * 4 / 3
    shown = min(width_px, 390 - 2 * 1.2 * 16.8)  # the body's side padding at 390 px (screen.css)
    sizes = [float(m) for m in re.findall(r"font-size: ([\d.]+)px", etree.tostring(svg).decode())]
    assert sizes and min(sizes) * 4 / 3 * shown / width_px >= 10
    assert page.find(".//figure/picture/img").get("alt") == "Two bars, Bea higher than Ann."


PLAIN_SPEC = """\
tables:
  people:
    file: people.csv
    columns: {name: text, score: integer, share: percent, when: date, note: {type: number, optional: true},
              rank: {type: likert, optional: true}}
values:
  n: {table: people, count: rows}
  n_bea: {table: people, where: {name: [Bea, Cy]}, count: rows}
  names: {table: people, distinct: name}
  dates: {table: people, distinct: when}
  notes: {table: people, distinct: note}
  high: {table: people, agree: score}
  high_note: {table: people, agree: note}
  half: {table: people, share: {share: 0.25}}
  none: {table: people, where: {name: Zed}, share: {name: Ann}}
  total: {table: people, sum: score}
  mean: {table: people, mean: rank}
  rank_total: {table: people, sum: rank}
  note_total: {table: people, sum: note}
  note_mean: {table: people, mean: note}
  when: {table: people, where: {name: Ann}, value: when}
  ann_share: {table: people, where: {name: Ann}, value: share, format: percent1}
"""


def test_figures_of_a_file_table_are_the_same_without_pandas_as_with_it(mini: Mini,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A cold build quotes a file table's figures without importing pandas (tspdocs/data/plain.py): every
    figure, its kind, its text and its base equal those pandas computes, missing cells included."""
    from tspdocs.commands.session import BuildSession
    from tspdocs.data import plain

    mini.write("content/data/tables.yaml", PLAIN_SPEC)
    mini.write("content/data/people.csv", "name,score,share,when,note,rank\nAnn,3,61%,2010-07-31,,4\n"
                                          "Bea,5,0.25,2010-08-01,1.5,\nCy,4,25%,2010-08-01,2.25,5\n"
                                          "Di,1,0.1,2011-01-02,4.5,2\n")
    data = BuildSession.open(mini.root).data
    plainly = {name: data._compute(name, spec) for name, spec in data.spec.values.items()}
    monkeypatch.setattr(plain, "exact", lambda *_: False)
    with_pandas = {name: data._compute(name, spec) for name, spec in data.spec.values.items()}
    assert [(v.value, type(v.value), v.kind, v.text, v.base) for v in plainly.values()] == \
        [(v.value, type(v.value), v.kind, v.text, v.base) for v in with_pandas.values()]
    assert plainly["high"].text == "50%" and plainly["mean"].value == 11 / 3 and plainly["when"].text == "2010-07-31"


@pytest.mark.parametrize("operation", ["count", "distinct", "mean", "median", "sum", "agree"])
def test_every_plain_summary_equals_the_pandas_one(operation: str) -> None:
    """plain.py follows derive.py operation by operation, the median (used by grouped tables) included."""
    import pandas as pd

    from tspdocs.data import derive, plain
    from tspdocs.data.rows import Rows
    from tspdocs.errors import Location

    records = [{"score": s} for s in (5, 1, 4, None, 2, 4)]
    frame = derive.Frame(pd.DataFrame({"score": pd.array([r["score"] for r in records], dtype="Int64")}),
                         {"score": "likert"})
    at = Location("content/data/tables.yaml", 1)
    assert plain.summarise(Rows(["score"], {"score": "likert"}, records), operation, "score", at) == \
        derive.summarise(frame, operation, "score", at)
