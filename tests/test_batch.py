"""Briefings by area: one per area per audience, each in its own folder, with that area's figures."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import Mini
from helpers import docx_text

from tspdocs.commands.batch import build_by_area
from tspdocs.commands.session import BuildOptions

SPEC = """\
figures: {min_base: 1, min_count: 1}  # the batch is under test here, not the suppression of small bases
tables:
  survey:
    file: survey.csv
    columns: {area: text, sector: text, happy: likert}
values:
  respondents: {table: survey, count: rows}
  happy: {table: survey, agree: happy}
"""
CSV = "area,sector,happy\nNorthbrook,health,5\nNorthbrook,health,4\nNorthbrook,justice,1\nEastmoor,health,2\n"


def with_areas(mini: Mini) -> Mini:
    mini.write("content/data/tables.yaml", SPEC)
    mini.write("content/data/survey.csv", CSV)
    mini.finding("F01", "Health partnerships help",
                 body="Of {{< value respondents >}} respondents, {{< value happy >}} were happy.")
    mini.finding("F02", "Justice partnerships work", sectors="[justice]",
                 body="Of {{< value respondents >}} respondents here, {{< value happy >}} were happy.")
    return mini


def test_one_briefing_per_area_and_audience_in_its_own_folder(mini: Mini) -> None:
    run = with_areas(mini).run("brief", "--audience", "all", "--by", "area", "-j", "2", "--format", "docx,html")
    assert run.code == 0, run.output
    assert "Built 4 area briefings (8 files)" in run.output
    north = mini.root / "build/briefings/dh/areas/northbrook/briefing-dh-northbrook.docx"
    east = mini.root / "build/briefings/dh/areas/eastmoor/briefing-dh-eastmoor.docx"
    assert "Of 3 respondents, 67% were happy." in docx_text(north)
    assert "Of 1 respondents, 0% were happy." in docx_text(east)
    assert "Local figures for Northbrook" in docx_text(north)
    manifest = json.loads((mini.root / "build/briefings/manifest-by-area.json").read_text())
    paths = [f["path"] for f in manifest["files"]]
    assert len(paths) == len(set(paths)) == 8
    assert {f["area"] for f in manifest["files"]} == {"Northbrook", "Eastmoor"}
    assert all((mini.root / p).is_file() for p in paths)


def test_any_executor_can_run_the_batch(mini: Mini) -> None:
    """A Dask client's executor plugs in the same way; a thread pool stands in for it here."""
    with_areas(mini)
    with ThreadPoolExecutor(max_workers=2) as executor:
        files = build_by_area(mini.root, "moj", "area", ["html"], BuildOptions(), executor=executor)
    assert sorted(Path(f.path).parent.name for f in files) == ["eastmoor", "northbrook"]


def test_batch_needs_a_column_to_split_by(mini: Mini) -> None:
    run = mini.run("brief", "--audience", "dh", "--by", "area", "--format", "html")
    assert run.code == 1 and "[data-column]" in run.output
