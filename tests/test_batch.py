"""Briefings by area: one per area per audience, each in its own folder, with that area's figures."""

from __future__ import annotations

import contextlib
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from conftest import Mini
from helpers import docx_text

from tspdocs.commands import batch
from tspdocs.commands.batch import build_by_area
from tspdocs.commands.session import BuildOptions, BuildSession
from tspdocs.errors import BuildError, Problem

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


def test_a_batch_opens_the_project_once_and_renders_a_few_briefings_at_a_time(
        mini: Mini, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory per task stays flat however many areas there are: a task prepares and renders a bounded
    number of briefings, and the tasks of one batch share the session they open."""
    places = [f"Area {n:02d}" for n in range(15)]
    mini.write("content/data/tables.yaml", SPEC)
    mini.write("content/data/survey.csv", "area,sector,happy\n" + "".join(f"{p},health,4\n" for p in places))
    mini.finding("F01", "Health partnerships help", body="Of {{< value respondents >}} respondents.")
    rendered: list[int] = []
    opened: list[Path] = []
    real_render, real_open = batch.render_documents, BuildSession.open

    def counting_render(session: BuildSession, targets: list[Any], *args: Any) -> Any:
        rendered.append(len(targets))
        return real_render(session, targets, *args)

    def counting_open(root: Path, *args: Any, **kwargs: Any) -> BuildSession:
        opened.append(root)
        return real_open(root, *args, **kwargs)

    monkeypatch.setattr(batch, "render_documents", counting_render)
    monkeypatch.setattr(BuildSession, "open", counting_open)
    files = build_by_area(mini.root, "all", "area", ["html"], BuildOptions())
    assert len(files) == 15 * 2  # two audiences, dh and moj
    assert sum(rendered) == len(files) and max(rendered) <= batch.MOST_PER_CHUNK and len(rendered) > 1
    assert len(opened) == 1


def test_a_chunk_failing_after_others_were_staged_leaves_nothing_behind(
        mini: Mini, monkeypatch: pytest.MonkeyPatch) -> None:
    """Earlier chunks' files are already on disk as temporaries when a later one fails: none is renamed
    into place, and none is left behind."""
    with_areas(mini)
    (mini.root / "build/briefings/dh").mkdir(parents=True)
    real_render = batch.render_documents
    calls: list[int] = []

    def failing_second(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise BuildError([Problem("the second chunk fails", "test")])
        return real_render(*args)

    monkeypatch.setattr(batch, "render_documents", failing_second)
    with pytest.raises(BuildError, match="second chunk"):
        build_by_area(mini.root, "dh", "area", ["html"], BuildOptions())
    assert len(calls) == 2
    left = [p.relative_to(mini.root).as_posix() for p in (mini.root / "build/briefings").rglob("*") if p.is_file()]
    assert left == []


def test_briefings_laid_out_with_shared_fonts_are_the_same_bytes(mini: Mini, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch's layouts share one font configuration (Fontconfig keeps a quarter of a megabyte of each
    after it is freed, so one per layout, or per chunk, made a long batch grow): one is made per batch,
    however many chunks it has, and every PDF is the same bytes as one laid out with a configuration of
    its own."""
    from weasyprint.text import fonts

    with_areas(mini)
    made: list[object] = []
    real = fonts.FontConfiguration

    def counting() -> object:
        made.append(1)
        return real()

    monkeypatch.setattr(fonts, "FontConfiguration", counting)
    monkeypatch.setattr(batch, "MOST_PER_CHUNK", 1)  # one area a chunk: two chunks, one configuration
    shared = {f.path: (mini.root / f.path).read_bytes()
              for f in build_by_area(mini.root, "dh", "area", ["pdf"], BuildOptions())}
    assert len(shared) == 2 and len(made) == 1
    build_by_area(mini.root, "dh", "area", ["pdf"], BuildOptions())
    assert len(made) == 2  # the next batch reads the fonts again
    monkeypatch.setattr(batch, "fonts_shared", lambda configs: contextlib.nullcontext())  # each its own
    own = {f.path: (mini.root / f.path).read_bytes()
           for f in build_by_area(mini.root, "dh", "area", ["pdf"], BuildOptions())}
    assert len(made) == 4 and own == shared


def test_no_chunks_documents_outlive_it_although_the_command_collects_garbage_rarely(
        mini: Mini, monkeypatch: pytest.MonkeyPatch) -> None:
    """A python-docx package is a reference cycle holding lxml trees outside Python's heap; with the command's
    rare collections (writers/collector.py) a batch kept every briefing's, about 0.5 MB each."""
    import gc
    import weakref

    from tspdocs.writers import docx as docx_writer
    from tspdocs.writers.collector import fewer_collections

    places = [f"Area {n:02d}" for n in range(8)]
    mini.write("content/data/tables.yaml", SPEC)
    mini.write("content/data/survey.csv", "area,sector,happy\n" + "".join(f"{p},health,4\n" for p in places))
    opened: list[weakref.ref[Any]] = []
    real_open = docx_writer.open_reference

    def tracked(*args: Any) -> Any:
        document = real_open(*args)
        opened.append(weakref.ref(document.part.package))  # the cycle: package, parts, relationships
        gc.collect()  # as a long briefing's writing does: the package reaches the oldest generation alive
        return document

    monkeypatch.setattr(docx_writer, "open_reference", tracked)
    with fewer_collections():
        files = build_by_area(mini.root, "all", "area", ["docx"], BuildOptions())
    assert len(files) == 8 * 2 and len(opened) == len(files)
    assert [ref for ref in opened if ref() is not None] == []
