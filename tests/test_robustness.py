"""Edge cases a review found: each a user mistake that must be a clear error, or a build that must not go stale."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import openpyxl
import pytest
from conftest import MINI_DOCUMENTS, Mini
from helpers import docx_text, html_words

from tspdocs.commands.batch import build_by_area
from tspdocs.commands.session import BuildOptions
from tspdocs.errors import BuildError


def refused(run, code: str, where: str) -> None:  # type: ignore[no-untyped-def]
    assert run.code == 1, run.output
    assert isinstance(run.result.exception, SystemExit), "no traceback"
    assert any(line.startswith(where) and f"[{code}]" in line for line in run.stderr.splitlines()), run.stderr


def test_template_reading_only_front_matter_is_rebuilt_when_it_changes(mini: Mini) -> None:
    mini.write("templates/reports/small.md.j2",
               "# Findings\n\n{% for f in findings %}\n- {{ f.title }}\n{% endfor %}\n")
    assert mini.run("build", "report", "--format", "html").code == 0
    mini.finding("F01", "A new title for the finding")
    assert mini.run("build", "report", "--format", "html").code == 0
    assert "A new title for the finding" in (mini.root / "build/report/report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "breaks", "code", "where"), [
    ("yaml-control-character", lambda m: m.write("content/documents.yaml", MINI_DOCUMENTS + "# bell \x07\n"),
     "yaml", "content/documents.yaml:8"),
    ("include-level", lambda m: m.finding("F01", "Health partnerships help",
                                          body="{{< include section:intro level=abc >}}"),
     "shortcode", "content/findings/f01.md:12"),
    ("decimal-comma", lambda m: (m.write("content/data/tables.yaml", "tables:\n  t:\n    file: t.csv\n"
                                         "    columns: {k: text, v: number}\n"),
                                 m.write("content/data/t.csv", "k,v\na,\"2,5\"\n"),
                                 m.finding("F01", "Health partnerships help", body="```{table} t\ncaption: T\n```")),
     "data-type", "content/data/t.csv:2"),
    ("mean-of-text", lambda m: (m.write("content/data/tables.yaml", "tables:\n  t:\n    file: t.csv\n"
                                        "    columns: {k: text, v: integer}\nvalues:\n  x: {table: t, mean: k}\n"),
                                m.write("content/data/t.csv", "k,v\na,1\n"),
                                m.finding("F01", "Health partnerships help", body="{{< value x >}}")),
     "data-type", "content/data/tables.yaml:6"),
    ("totals-of-text", lambda m: (m.write("content/data/tables.yaml", "tables:\n  t:\n    file: t.csv\n"
                                          "    columns: {k: text, v: integer}\n"),
                                  m.write("content/data/t.csv", "k,v\na,1\n"),
                                  m.finding("F01", "Health partnerships help",
                                            body="```{table} t\ncaption: T\ntotals: {columns: [k]}\n```")),
     "data-type", "content/findings/f01.md:12"),
    ("truncated-jpeg", lambda m: ((m.root / "content/findings/pic.jpg").write_bytes(b"\xff\xd8\xff\xe0trunc"),
                                  m.finding("F01", "Health partnerships help", body="![A picture](pic.jpg)")),
     "image-type", "content/findings/f01.md:12"),
    ("language-injection", lambda m: m.write("content/project.yaml", (m.root / "content/project.yaml").read_text()
                                             + 'language: "en-GB\\ncitation-abbreviations: /etc/hostname"\n'),
     "schema", "content/project.yaml"),
    ("css-import-without-space", lambda m: (m.root / "assets/styles/base.css").write_text(
        '@import"https://example.org/x.css";\n', encoding="utf-8"), "outside-project", "assets/styles/base.css:1"),
    ("css-image-set", lambda m: (m.root / "assets/styles/screen.css").write_text(
        'body { background: image-set("https://example.org/i.png" 1x); }\n', encoding="utf-8"),
     "outside-project", "assets/styles/screen.css:1"),
    ("layout-loads-a-script", lambda m: m.write("templates/layouts/page.html.j2",
                                                (m.root / "templates/layouts/page.html.j2").read_text().replace(
                                                    "</head>", '<script src="https://example.org/x.js"></script></head>')),
     "outside-project", "templates/layouts/page.html.j2"),
])
def test_mistake_is_an_error_not_a_traceback(mini: Mini, name: str, breaks, code: str, where: str) -> None:  # type: ignore[no-untyped-def]
    breaks(mini)
    refused(mini.run("build", "report", "--format", "html"), code, where)
    assert mini.documents() == []


def test_briefing_title_with_other_braces_is_kept_as_written(mini: Mini) -> None:
    mini.write("content/documents.yaml", MINI_DOCUMENTS.replace('"Briefing for the {audience}"',
                                                                '"{audience} in {year}"'))
    assert mini.run("brief", "--audience", "dh", "--format", "html").code == 0
    assert "<title>Department of Health in {year}" in (mini.root / "build/briefings/dh/briefing-dh.html").read_text()


def test_xlsx_with_empty_first_cells_and_a_disguised_docx(mini: Mini) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([None, "k", "v"])
    sheet.append([None, "a", 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    (mini.root / "content/data").mkdir(parents=True, exist_ok=True)
    (mini.root / "content/data/t.xlsx").write_bytes(buffer.getvalue())
    mini.write("content/data/tables.yaml", "tables:\n  t:\n    file: t.xlsx\n    columns: {k: text, v: integer}\n")
    mini.finding("F01", "Health partnerships help", body="```{table} t\ncaption: T\n```")
    refused(mini.run("build", "report", "--format", "html"), "data-column", "content/data/t.xlsx:1")
    (mini.root / "content/data/t.xlsx").write_bytes((mini.root / "assets/reference.docx").read_bytes())
    refused(mini.run("build", "report", "--format", "html"), "bad-office-file", "content/data/t.xlsx")


def test_text_columns_compare_as_text(mini: Mini) -> None:
    mini.write("content/data/tables.yaml", 'tables:\n  t:\n    file: t.csv\n    columns: {code: text, n: integer}\n'
                                           'values:\n  quoted: {table: t, where: {code: "007"}, sum: n}\n'
                                           '  unquoted: {table: t, where: {code: 007}, sum: n}\n')
    mini.write("content/data/t.csv", "code,n\n007,5\n7,3\n")
    mini.finding("F01", "Health partnerships help", body="A {{< value quoted >}} B {{< value unquoted >}}.")
    assert mini.run("build", "report", "--format", "html").code == 0
    assert "A 5 B 3." in html_words(mini.root / "build/report/report.html")


def test_captions_inside_divs_and_contents_depth(mini: Mini) -> None:
    mini.finding("F01", "Health partnerships help", body="::: {.note}\n| a |\n|---|\n| 1 |\n\n"
                                                        "Table: Inner table {#tbl:inner}\n:::\n\nSee @tbl:inner.\n")
    assert mini.run("build", "report", "--format", "docx").code == 0
    text = docx_text(mini.root / "build/report/report.docx")
    assert "Table 1: Inner table" in text and "See Table 1." in text


def test_git_configuration_cannot_run_commands(mini: Mini, tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(mini.root)], check=True)
    marker = tmp_path / "pwned"
    subprocess.run(["git", "-C", str(mini.root), "config", "core.fsmonitor", f"touch {marker}"], check=True)
    assert mini.run("build", "report", "--format", "html").code == 0
    assert not marker.exists()


def test_state_is_never_written_through_a_link_out_of_build(mini: Mini, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (mini.root / "build").mkdir()
    os.symlink(outside, mini.root / "build/.tspdocs")
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 1 and "[output-name]" in run.stderr
    assert list(outside.iterdir()) == []


AREAS = ("tables:\n  survey:\n    file: survey.csv\n    columns: {area: text, sector: text}\n"
         "values:\n  respondents: {table: survey, count: rows}\n")


def test_areas_that_would_share_a_folder_are_refused(mini: Mini) -> None:
    mini.write("content/data/tables.yaml", AREAS)
    mini.write("content/data/survey.csv", "area,sector\nAshdale,health\nASHDALE!,health\n")
    with pytest.raises(BuildError) as caught:
        build_by_area(mini.root, "dh", "area", ["html"], BuildOptions())
    assert caught.value.problems[0].code == "data-column"
    assert not (mini.root / "build").exists()


def test_a_failing_area_writes_nothing(mini: Mini) -> None:
    mini.write("content/data/tables.yaml", AREAS)
    mini.write("content/data/survey.csv", "area,sector\nNorthbrook,health\nEastmoor,health\n")
    mini.finding("F01", "Health partnerships help", body="We heard from {{< value respondents >}}. " * 40)
    mini.write("content/documents.yaml", MINI_DOCUMENTS + "  budget: {words: 150}\n")
    with pytest.raises(BuildError):
        build_by_area(mini.root, "dh", "area", ["html"], BuildOptions())
    assert not (mini.root / "build/briefings").exists()
