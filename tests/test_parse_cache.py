"""Parsed Markdown kept in the build cache (store/trees.py): a tree read back is the tree the parser made.

The oracle is the parser itself: every golden case and every fuzzed document is parsed, stored as JSON and
rebuilt, and the rebuilt tree must equal the parsed one node for node, locations included (`dump_tree`
leaves them out, the encoding does not), with the same problems. Builds from a warm pack must write the
same bytes as builds that parsed everything, without loading the parser.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Mini
from hypothesis import given
from test_fuzz import ANY_DOCUMENT, Doc, fuzz_settings
from test_golden import SOURCE, cases

from tspdocs import tree as t
from tspdocs.errors import Problems
from tspdocs.markdown.treebuilder import build_blocks
from tspdocs.store import trees
from tspdocs.store.cache import Cache

PACK = "build/.tspdocs/cache/blocks/pack.json"


def _round_trip(text: str) -> None:
    problems = Problems()
    blocks = build_blocks(text, SOURCE, 3, problems)
    stored = trees.encode(blocks, problems.items)
    assert stored is not None
    written = json.dumps(stored, ensure_ascii=False)
    rebuilt = trees.decode(json.loads(written))
    assert rebuilt is not None
    again, reported = rebuilt
    assert again == blocks and reported == problems.items
    assert t.dump_tree(again) == t.dump_tree(blocks)
    assert json.dumps(trees.encode(again, reported), ensure_ascii=False) == written  # locations too


# Every case of tree.md and pandoc-tree.md, the known bugs too: whatever the parser makes comes back.
@pytest.mark.parametrize("name,line,title,text,expected", [pytest.param(*case.values, id=case.id)
                                                             for case in cases("tree.md")])
def test_every_golden_tree_comes_back_from_the_pack_as_parsed(name: str, line: int, title: str, text: str,
                                                              expected: str) -> None:
    _round_trip(text)


@given(ANY_DOCUMENT)
@fuzz_settings(150)
def test_every_fuzzed_document_comes_back_from_the_pack_as_parsed(doc: Doc) -> None:
    _round_trip(doc.markdown)


def test_a_footnote_called_twice_comes_back_as_one_list_of_blocks() -> None:
    blocks = build_blocks("One[^a] and two[^a].\n\n[^a]: The note.\n", SOURCE, 1, Problems())
    first, second = (node for node in t.walk_inlines(blocks[0].children) if isinstance(node, t.Note))
    assert first.blocks is second.blocks
    stored = trees.encode(blocks, [])
    rebuilt = trees.decode(json.loads(json.dumps(stored)))
    assert rebuilt is not None
    notes = [node for node in t.walk_inlines(rebuilt[0][0].children) if isinstance(node, t.Note)]
    assert notes[0].blocks is notes[1].blocks and notes[0].blocks == first.blocks


@pytest.mark.parametrize("damage", [
    b"not json",
    b'{"generation": 1, "entries": []}',
    b'{"generation": "x", "entries": {}}',
])
def test_a_damaged_pack_is_a_miss(tmp_path: Path, damage: bytes) -> None:
    (tmp_path / PACK).parent.mkdir(parents=True)
    (tmp_path / PACK).write_bytes(damage)
    parses = trees.ParseCache(Cache(tmp_path))
    problems = Problems()
    assert parses.blocks("A *b*.\n", "x.md", 1, problems) == build_blocks("A *b*.\n", "x.md", 1, Problems())
    parses.save()
    parses.cache.commit()
    assert len(json.loads((tmp_path / PACK).read_bytes())["entries"]) == 1


@pytest.mark.parametrize("entry", [
    {"blocks": [{"n": ["Problem", "m", "c", None, "error", []]}], "problems": []},  # not a tree class
    {"blocks": [{"n": ["Para"]}], "problems": []},  # fields missing
    {"blocks": [{"n": ["Text", "a", None]}], "problems": []},  # an inline where blocks go
    {"blocks": [{"r": 5}], "problems": []},  # a reference to nothing
    {"blocks": [{"x": 1}], "problems": []},
    {"blocks": [], "problems": [{"p": ["m", "c", None, "fatal", []]}]},
    "a string",
])
def test_a_forged_entry_rebuilds_nothing_but_tree_nodes(entry: object) -> None:
    assert trees.decode(entry) is None


def test_what_the_pack_cannot_hold_exactly_is_parsed_again() -> None:
    blocks = [t.Para([t.Text("x")])]
    blocks[0].children.append(t.Quantity("v", "1", value=float("nan")))  # only prepared trees hold these
    assert trees.encode(blocks, []) is None
    assert trees.encode([t.Para([t.Span([], t.Attr(values={1: "x"}))])], []) is None  # type: ignore[dict-item]


def test_entries_no_build_used_for_ten_builds_are_dropped(tmp_path: Path) -> None:
    def build(*texts: str) -> dict[str, object]:
        parses = trees.ParseCache(Cache(tmp_path))
        for text in texts:
            parses.blocks(text, "x.md", 1, Problems())
        parses.save()
        parses.cache.commit()
        return json.loads((tmp_path / PACK).read_bytes())  # type: ignore[no-any-return]

    first = build("old text\n", "kept text\n")
    assert len(first["entries"]) == 2
    for number in range(trees.KEEP_FOR - 1):
        pack = build("kept text\n", f"new text {number}\n")
    assert len(pack["entries"]) == trees.KEEP_FOR + 1  # "old text" last used 9 builds ago: still there
    pack = build("kept text\n", "one more\n")
    texts_kept = len(pack["entries"])
    assert texts_kept == trees.KEEP_FOR + 1  # "old text" went, "one more" came


def test_a_warm_build_writes_the_same_bytes_reports_the_same_problems_and_loads_no_parser(mini: Mini) -> None:
    mini.finding("F02", "Notes and warnings", body="Text with a note.[^1]\n\n[^1]: A note.\n\n[^2]: Never used.\n")
    cold = mini.run("build", "report", "--format", "docx,html")
    assert cold.code == 0 and "defined but never referred to" in cold.output
    assert (mini.root / PACK).is_file()
    before = {p: p.read_bytes() for p in mini.outputs() if p.suffix in (".docx", ".html")}
    warm = mini.run("build", "report", "--format", "docx,html", "--force")
    assert warm.code == 0 and "defined but never referred to" in warm.output  # replayed from the pack
    assert {p: p.read_bytes() for p in before} == before
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "tspdocs", "build", "report", "--format",
                             "docx", "--force"], cwd=mini.root, capture_output=True, text=True, check=True)
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "markdown_it" not in imported and "tspdocs.markdown" not in imported


def test_a_batch_keeps_the_trees_of_files_but_not_of_each_areas_render(tmp_path: Path) -> None:
    parses = trees.ParseCache(Cache(tmp_path), keep_renders=False)
    parses.blocks("A finding's text.\n", "content/findings/f.md", 7, Problems())
    for area in ("Ashdale", "Brookmere"):
        parses.blocks(f"The briefing for {area}.\n", "templates/briefings/base.md.j2", 1, Problems(), rendered=True)
    parses.save()
    parses.cache.commit()
    assert len(json.loads((tmp_path / PACK).read_bytes())["entries"]) == 1
