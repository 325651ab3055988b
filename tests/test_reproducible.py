"""Same inputs, same bytes; and a failed build leaves the last good outputs exactly as they were."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from conftest import Mini, copy_project, run_cli

from tspdocs.errors import BuildError
from tspdocs.store.output import write_atomic


def digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / "build").rglob("*")) if p.suffix in (".pdf", ".docx", ".html")}


@pytest.mark.slow
def test_two_builds_of_the_same_inputs_are_byte_identical(tmp_path: Path) -> None:
    first, second = copy_project(tmp_path / "one"), copy_project(tmp_path / "two")
    for root in (first, second):
        run = run_cli(root, "build", "final")
        assert run.code == 0, run.output
        assert run_cli(root, "brief", "--audience", "dh").code == 0
    one, two = digests(first), digests(second)
    assert len(one) == 6 and one == two


def test_charts_and_docx_do_not_depend_on_the_clock(mini: Mini, monkeypatch: pytest.MonkeyPatch) -> None:
    mini.write("content/data/tables.yaml", "tables:\n  s:\n    file: s.csv\n    columns: {k: text, v: integer}\n")
    mini.write("content/data/s.csv", "k,v\na,1\nb,2\n")
    mini.finding("F01", "Health partnerships help",
                 body="```{chart} s\ntype: bar\nx: k\ny: [v]\nalt: Two bars.\ncaption: Bars\nlabel: fig:s\n```\n")
    assert mini.run("build", "report", "--format", "docx,html").code == 0
    before = digests(mini.root)
    monkeypatch.setattr("time.time", lambda: 2_000_000_000.0)
    assert mini.run("build", "report", "--format", "docx,html", "--force").code == 0
    assert digests(mini.root) == before


def test_a_failure_mid_build_leaves_previous_outputs_intact(mini: Mini, monkeypatch: pytest.MonkeyPatch) -> None:
    assert mini.run("build", "report", "--format", "docx,html").code == 0
    before = {p: p.read_bytes() for p in mini.outputs()}
    mini.finding("F01", "Health partnerships help", body="A change that will never be written.")

    def broken(*_args: object) -> bytes:
        raise OSError("disk full")

    import tspdocs.writers

    monkeypatch.setitem(tspdocs.writers.WRITERS, "docx", lambda: broken)
    run = mini.run("build", "report", "--format", "docx,html")
    assert run.code != 0
    assert {p: p.read_bytes() for p in mini.outputs()} == before
    assert not [p for p in (mini.root / "build").rglob("*.tmp")], "no partial file is left behind"


def test_atomic_write_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out/report.pdf"
    write_atomic(target, b"old")

    def fail_replace(*_args: object) -> None:
        raise OSError("interrupted")

    monkeypatch.setattr(os, "replace", fail_replace)
    with pytest.raises(BuildError):
        write_atomic(target, b"new and longer")
    assert target.read_bytes() == b"old"
    assert [p.name for p in target.parent.iterdir()] == ["report.pdf"]
