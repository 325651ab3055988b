"""Hostile and broken input (issue 18): no leak, no hang, no traceback.

Each test plays a contributor who puts something odd into the project — a
FIFO, a device link, a git filter, a CSL style with a remote parent, control
characters — and checks the promise: exit status 0 or 1, a `file:line` problem
with a code instead of a traceback, nothing read or run outside the project.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from conftest import MINI_DOCUMENTS, REPO, Mini, Run
from test_security import XLSX, doctype, make_xlsx, with_people_table, zip_bytes

from tspdocs.errors import BuildError
from tspdocs.prepare.characters import clean_string
from tspdocs.project import projectfs, safezip
from tspdocs.project.projectfs import ProjectFS
from tspdocs.project.yamlio import load_yaml

TEMPLATE = "templates/reports/small.md.j2"


def assert_no_traceback(run: Run) -> None:
    exception = run.result.exception
    assert exception is None or isinstance(exception, SystemExit), f"tspdocs crashed: {exception!r}\n{run.output}"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=E", "-c", "user.email=e@example.org", *args],
                   check=True, capture_output=True)


# Git: no configurable command runs ----------------------------------------------------------------------


@pytest.mark.parametrize("how", ["clean", "process", "included", "required"])
def test_git_filters_configured_in_the_repository_do_not_run(mini: Mini, tmp_path: Path, how: str) -> None:
    marker = Path(f"/tmp/pwned-{uuid.uuid4().hex}")
    git(mini.root, "init", "-q")
    git(mini.root, "add", "-A")
    git(mini.root, "commit", "-q", "-m", "v1")
    git(mini.root, "tag", "v1")
    command = f"touch {marker}"
    if how == "included":
        (tmp_path / "evil.gitconfig").write_text(f"[filter \"evil\"]\n\tclean = {command}\n", encoding="utf-8")
        git(mini.root, "config", "include.path", str(tmp_path / "evil.gitconfig"))
    else:
        git(mini.root, "config", f"filter.evil.{'process' if how == 'process' else 'clean'}", command)
        if how == "required":
            git(mini.root, "config", "filter.evil.required", "true")
    (mini.root / ".git/info").mkdir(exist_ok=True)
    (mini.root / ".git/info/attributes").write_text("* filter=evil\n", encoding="utf-8")
    mini.write(".gitattributes", "* filter=evil\n")
    # Same size, new time: git must read the files again to tell whether they changed, through the filter.
    for path in (mini.root / "content").rglob("*"):
        os.utime(path, (time.time() + 5, time.time() + 5))
    try:
        run = mini.run("build", "report", "--format", "html")
        assert run.code == 0, run.output
        changes = mini.run("changes", "v1")
        assert_no_traceback(changes)
        assert not marker.exists(), "a build ran a filter the repository configured"
    finally:
        marker.unlink(missing_ok=True)


# One read gate: regular files only, inside the project, not too large -------------------------------------


def build_in_subprocess(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `python -m tspdocs ARGS` in its own process, so that a hang fails the test instead of stalling it."""
    try:
        return subprocess.run([sys.executable, "-m", "tspdocs", *args], cwd=root, capture_output=True, text=True,
                              timeout=timeout, check=False, env={**os.environ, "PYTHONPATH": str(REPO)})
    except subprocess.TimeoutExpired:
        pytest.fail(f"tspdocs {' '.join(args)} hung (over {timeout} s)")


@pytest.mark.parametrize("where", ["assets/notes.fifo", "templates/reports/draft.md.j2.fifo",
                                   "content/data/incoming.csv", "content/sections/notes.txt",
                                   "assets/fonts/Extra.ttf"])
def test_a_fifo_anywhere_in_the_project_does_not_hang_a_build(mini: Mini, where: str) -> None:
    (mini.root / where).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(mini.root / where)
    first = build_in_subprocess(mini.root, "build", "report", "--format", "html")
    assert first.returncode == 0, first.stderr
    again = build_in_subprocess(mini.root, "build", "report", "--format", "html")  # the no-op check
    assert again.returncode == 0, again.stderr
    manifest = (mini.root / "build/manifest.json").read_text(encoding="utf-8")
    assert where not in manifest


def test_a_fifo_read_as_a_finding_is_refused_at_its_place(mini: Mini) -> None:
    os.mkfifo(mini.root / "content/findings/f02.md")
    run = build_in_subprocess(mini.root, "build", "report", "--format", "html")
    assert run.returncode == 1, run.stderr
    assert "content/findings/f02.md" in run.stderr and "[special-file]" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


def test_links_out_of_the_project_and_to_devices_are_not_read_by_the_input_scan(mini: Mini, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET outside the project\n", encoding="utf-8")
    os.symlink(secret, mini.root / "assets/notes.txt")
    os.symlink("/dev/zero", mini.root / "assets/zero.bin")  # read to the end, it would exhaust memory
    os.symlink(mini.root / "assets/missing.png", mini.root / "assets/dangling.png")
    os.symlink("loop-b", mini.root / "assets/loop-a")
    os.symlink("loop-a", mini.root / "assets/loop-b")
    run = build_in_subprocess(mini.root, "build", "report", "--format", "html", timeout=60)
    assert run.returncode == 0, run.stderr
    manifest = json.loads((mini.root / "build/manifest.json").read_text(encoding="utf-8"))
    listed = {entry["path"] for entry in manifest["inputs"]}
    assert not listed & {"assets/notes.txt", "assets/zero.bin", "assets/dangling.png", "assets/loop-a"}
    assert hashlib.sha256(secret.read_bytes()).hexdigest() not in json.dumps(manifest)
    assert "content/findings/f01.md" in listed


def test_a_data_file_linked_to_a_device_is_refused_without_reading_it(mini: Mini) -> None:
    mini.write("content/data/tables.yaml", "tables:\n  survey:\n    file: survey.csv\n    columns: {area: text}\n")
    os.symlink("/dev/zero", mini.root / "content/data/survey.csv")
    mini.finding("F01", "Health partnerships help", body="```{table} survey\n```\n")
    run = build_in_subprocess(mini.root, "build", "report", "--format", "html", timeout=60)
    assert run.returncode == 1, run.stderr
    assert "[outside-project]" in run.stderr and "Traceback" not in run.stderr, run.stderr


def test_a_file_over_the_size_limit_is_refused_with_its_size(mini: Mini, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(projectfs, "MAX_FILE_BYTES", 4096)
    mini.finding("F01", "Health partnerships help", body="Long text. " * 1000)
    run = mini.run("build", "report", "--format", "html")
    assert_no_traceback(run)
    assert run.code == 1
    assert "content/findings/f01.md" in run.stderr and "[file-too-large]" in run.stderr, run.stderr
    assert "4 KiB" in run.stderr or "4,096" in run.stderr


def test_the_gate_refuses_special_files_before_opening_them(tmp_path: Path) -> None:
    fs = ProjectFS.at(tmp_path)
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(BuildError) as caught:
        fs.read_bytes(tmp_path / "pipe")
    assert caught.value.problems[0].code == "special-file"
    with pytest.raises(BuildError) as caught:
        fs.digest(tmp_path / "pipe")
    assert caught.value.problems[0].code == "special-file"
    assert not fs.is_readable(tmp_path / "pipe")
    (tmp_path / "plain.txt").write_bytes(b"plain")
    assert fs.read_bytes(tmp_path / "plain.txt") == b"plain"
    assert fs.digest(tmp_path / "plain.txt") == hashlib.sha256(b"plain").hexdigest()


# Pandoc: sandboxed, a fixed locale, no parent style fetched ----------------------------------------------

BIB = r"""
@article{smith2009, author = {Smith, Jane}, title = {The Quick Brown Fox Jumps Over},
  journaltitle = {Voluntary Sector Review}, volume = {1}, pages = {1--20}, date = {2009}}
"""


def cited(mini: Mini, csl: str | None = None) -> Mini:
    mini.write("content/references.bib", BIB)
    mini.finding("F01", "Health partnerships help", body="Partnership helped [@smith2009].\n")
    if csl:
        mini.write("content/documents.yaml", MINI_DOCUMENTS.replace("    date: 2010-06-30",
                                                                    f"    date: 2010-06-30\n    csl: {csl}"))
    return mini


def dependent_style(parent: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" default-locale="en-GB">\n'
            f'  <info><title>House</title><id>house</id><link href="{parent}" rel="independent-parent"/>\n'
            '    <updated>2020-01-01T00:00:00+00:00</updated></info>\n</style>\n')


@pytest.mark.parametrize("how", ["file", "http"])
def test_a_style_with_a_parent_outside_is_refused_without_reading_it(mini: Mini, tmp_path: Path,
                                                                     how: str) -> None:
    import http.server
    import threading

    marker = f"SECRET-{uuid.uuid4().hex}"
    secret = tmp_path / "parent.csl"
    secret.write_text(f"{marker}\n", encoding="utf-8")
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        parent = secret.as_uri() if how == "file" else f"http://127.0.0.1:{server.server_port}/parent.csl"
        cited(mini, "house").write("assets/csl/house.csl", dependent_style(parent))
        before = secret.stat().st_atime_ns
        run = mini.run("build", "report", "--format", "html")
    finally:
        server.shutdown()
    assert_no_traceback(run)
    assert run.code == 1
    assert "assets/csl/house.csl" in run.stderr and "[csl]" in run.stderr, run.stderr
    assert marker not in run.output, "the build read a style outside the project and printed it"
    assert hits == [], "the build fetched a parent style over the network"
    assert secret.stat().st_atime_ns == before or how == "http"


def test_a_dependent_style_of_the_csl_repository_uses_the_local_parent(mini: Mini) -> None:
    cited(mini, "house").write("assets/csl/house.csl",
                               dependent_style("http://www.zotero.org/styles/harvard-cite-them-right"))
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 0, run.output
    assert "(Smith, 2009)" in (mini.root / "build/report/report.html").read_text(encoding="utf-8")


def test_the_reference_list_does_not_depend_on_the_users_locale(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    pages = {}
    for lang in ("C.UTF-8", "de_DE.UTF-8"):
        mini = cited(Mini(tmp_path / lang))
        monkeypatch.setenv("LANG", lang)
        monkeypatch.setenv("LC_ALL", lang)
        run = mini.run("build", "report", "--format", "html")
        assert run.code == 0, run.output
        pages[lang] = (mini.root / "build/report/report.html").read_bytes()
    assert b"The quick brown fox jumps over" in pages["C.UTF-8"]
    assert pages["C.UTF-8"] == pages["de_DE.UTF-8"]


# One sanitiser for text entering XML and HTML ---------------------------------------------------------------

CONTROL_FINDING = """\
---
id: F01
title: "Health\\x0bpartnerships\\x01 help"
questions: [RQ1]
sectors: [health]
evidence: [survey]
status: approved
phase: interim
key_message: "It\\x0cmatters\\uffff."
---

Line one\x0bline two\x0cnext page\x01gone.

| a | b |
|---|---|
| x\x0by | z\x01 |

```{table} survey
```
"""
FORBIDDEN = {chr(c) for c in [*range(0x20), *range(0x7f, 0xa0), 0xfffe, 0xffff]} - {"\t", "\n", "\r"}


def test_control_characters_from_markdown_yaml_and_csv_are_cleaned_in_every_format(mini: Mini) -> None:
    mini.write("content/findings/f01.md", CONTROL_FINDING)
    mini.write("content/data/tables.yaml", "tables:\n  survey:\n    file: survey.csv\n    columns: {area: text}\n")
    (mini.root / "content/data/survey.csv").write_bytes(b"area\nAsh\x0bdale\nBr\x01am\n")
    run = mini.run("build", "report", "--format", "html,docx,pdf")
    assert_no_traceback(run)
    assert run.code == 0, run.output
    page = (mini.root / "build/report/report.html").read_text(encoding="utf-8")
    assert not FORBIDDEN & set(page), sorted(hex(ord(c)) for c in FORBIDDEN & set(page))
    assert "Line one<br>" in page and "line two next pagegone." in page
    assert "Ash<br>" in page and "Bram" in page
    document = docx.Document(str(mini.root / "build/report/report.docx"))
    paragraphs = [p.text for p in document.paragraphs]
    assert "Line one\nline two next pagegone." in paragraphs
    assert "Health\npartnerships help" in paragraphs
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert {"x\ny", "z", "Ash\ndale", "Bram"} <= set(cells)
    assert document.core_properties.title == "Small report"


def test_a_finding_title_with_a_control_character_from_the_scaffold_builds(mini: Mini) -> None:
    run = mini.run("new", "finding", "--question", "RQ1", "-s", "health", "--title", "Split\x0bacross lines")
    assert_no_traceback(run)
    assert run.code == 0, run.output
    built = mini.run("build", "report", "--format", "docx,html")
    assert_no_traceback(built)
    assert built.code == 0, built.output


@pytest.mark.parametrize(("raw", "expected"), [
    ("plain text", "plain text"), ("a\x0bb", "a b"), ("a\x0cb", "a b"), ("a\x01\x00\x1fb", "ab"),
    ("tab\tnew\nline", "tab\tnew\nline"), ("\ud800lone", "lone"), ("x\ufffe\uffffy", "xy"), ("\x7f\x85", ""),
])
def test_clean_string(raw: str, expected: str) -> None:
    assert clean_string(raw) == expected


# Limits on nesting and sizes: a clear file:line error, never a RecursionError --------------------------------


@pytest.mark.parametrize(("case", "write", "code", "where"), [
    ("flow YAML 5000 deep", lambda m: m.write("content/documents.yaml",
                                              MINI_DOCUMENTS + "extra: " + "[" * 5000 + "]" * 5000 + "\n"),
     "yaml", "content/documents.yaml:8"),
    ("block YAML 3000 deep", lambda m: m.write("content/documents.yaml", MINI_DOCUMENTS + "".join(
        "  " * i + f"k{i}:\n" for i in range(3000))), "yaml", "content/documents.yaml:58"),
    ("a 5000-digit number", lambda m: m.write("content/documents.yaml", MINI_DOCUMENTS.replace(
        "date: 2010-06-30", "date: 2010-06-30\n    min_base: " + "9" * 5000)), "yaml", "content/documents.yaml:6"),
    ("a 5000-digit number in front matter", lambda m: m.finding("F01", "Health partnerships help",
                                                                extra="weight: " + "9" * 5000 + "\n"),
     "yaml", "content/findings/f01.md:10"),
    ("emphasis 300 deep", lambda m: m.finding("F01", "Health partnerships help", body="".join(
        "*a _b " for _ in range(150)) + "x" + "".join(" b_ a*" for _ in range(150))),
     "nesting", "content/findings/f01.md:12"),
])
def test_deep_nesting_and_long_numbers_are_clear_errors(mini: Mini, case: str, write: Callable[[Mini], object],
                                                        code: str, where: str) -> None:
    write(mini)
    run = mini.run("build", "report", "--format", "html,docx")
    assert_no_traceback(run)
    assert run.code == 1, run.output
    assert any(line.startswith(where) and f"[{code}]" in line for line in run.stderr.splitlines()), run.stderr


def test_nesting_within_the_limits_still_builds(mini: Mini) -> None:
    nested = load_yaml("[" * 50 + "]" * 50 + "\n", "deep.yaml")
    for _ in range(49):
        nested = nested[0]
    assert nested == []
    assert load_yaml("n: " + "9" * 100 + "\n", "long.yaml") == {"n": int("9" * 100)}
    mini.finding("F01", "Health partnerships help", body="".join("*a _b " for _ in range(20)) + "x"
                 + "".join(" b_ a*" for _ in range(20)))
    run = mini.run("build", "report", "--format", "html,docx")
    assert run.code == 0, run.output


def test_fifos_in_the_build_bookkeeping_do_not_hang_a_build(mini: Mini) -> None:
    (mini.root / "build/.tspdocs").mkdir(parents=True)
    os.mkfifo(mini.root / "build/.tspdocs/state.json")
    run = build_in_subprocess(mini.root, "build", "report", "--format", "html", timeout=60)
    assert run.returncode == 0, run.stderr  # no state to read: everything is built, the state written anew
    assert (mini.root / "build/.tspdocs/state.json").is_file()
    os.unlink(mini.root / "build/.tspdocs/lock")
    os.mkfifo(mini.root / "build/.tspdocs/lock")
    run = build_in_subprocess(mini.root, "build", "report", "--format", "html", "--force", timeout=60)
    assert run.returncode == 0, run.stderr
    assert (mini.root / "build/.tspdocs/lock").is_file()


# Office files: every part that could be read as XML is checked, whatever its name ------------------------------


def renamed_part(data: bytes, old: str, new: str, change: Callable[[bytes], bytes]) -> bytes:
    """Return the ZIP with part `old` renamed to `new` (and every reference to it), its bytes changed."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = {info.filename: source.read(info.filename) for info in source.infolist()}
    members[new] = change(members.pop(old))
    short_old, short_new = old.split("/", 1)[1].encode(), new.split("/", 1)[1].encode()
    for name in list(members):
        if name.endswith((".rels", "[Content_Types].xml")):
            members[name] = members[name].replace(short_old, short_new)
    return zip_bytes(members)


@pytest.mark.parametrize("new", ["xl/worksheets/sheet1.XML", "xl/worksheets/sheet1.Xml", "xl/worksheets/sheet1.png"])
def test_a_doctype_in_a_part_not_named_xml_is_refused(mini: Mini, new: str) -> None:
    data = renamed_part(make_xlsx(), "xl/worksheets/sheet1.xml", new, doctype)
    with pytest.raises(BuildError) as caught:
        safezip.check_office_zip(data, XLSX)
    assert [p.code for p in caught.value.problems] == ["xml-doctype"]
    with_people_table(mini, data)
    run = mini.run("build", "report", "--format", "html")
    assert_no_traceback(run)
    assert run.code == 1 and "[xml-doctype]" in run.stderr, run.output
    assert "INJECTED" not in run.output and not mini.documents()


# The page layout: nothing in the rendered page may fetch anything ------------------------------------------

LAYOUT = "templates/layouts/page.html.j2"
GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


@pytest.mark.parametrize("injected", [
    '<style>@import "http://127.0.0.1:9/x.css";</style>',
    "<style>@imp\\6frt url(http://127.0.0.1:9/x.css);</style>",
    '<style>body { background: u\\72l("http://127.0.0.1:9/bg.png") }</style>',
    '<div style="background-image: url(http://127.0.0.1:9/bg.png)"></div>',
    '<div style="background: image-set(&quot;file:///etc/passwd&quot; 1x)"></div>',
    '<svg><image href="http://127.0.0.1:9/x.png"/></svg>',
    '<svg><image xlink:href="file:///etc/passwd"/></svg>',
    '<svg><use href="http://127.0.0.1:9/sprite.svg#a"/></svg>',
    '<svg><rect fill="url(http://127.0.0.1:9/p.svg#g)"/></svg>',
    '<link rel="stylesheet" href="data:text/css,@import%20url(http://127.0.0.1:9/x.css)">',
    '<img srcset="data:image/png;base64,AA 1x, http://127.0.0.1:9/x.png 2x" alt="">',
    '<iframe srcdoc="&lt;img src=http://127.0.0.1:9/x.png&gt;"></iframe>',
    '<iframe src="data:text/html,&lt;img src=http://127.0.0.1:9/x.png&gt;"></iframe>',
    '<video poster="//127.0.0.1:9/x.png"></video>',
    '<form action="http://127.0.0.1:9/"><button formaction="http://127.0.0.1:9/">x</button></form>',
    '<a href="file:///etc/passwd">passwd</a>',
    '<meta http-equiv="refresh" content="0; url=http://127.0.0.1:9/">',
    "<script>fetch('http://127.0.0.1:9/')</script>",
    '<img src="data:image/png;base64,AA" alt="" onload="fetch(1)">',
], ids=lambda s: s[:40])
def test_a_layout_that_would_fetch_anything_is_refused(mini: Mini, injected: str) -> None:
    layout = mini.root / LAYOUT
    layout.write_text(layout.read_text(encoding="utf-8").replace("</main>", f"</main>\n{injected}"),
                      encoding="utf-8")
    for fmt in ("html", "pdf"):
        run = mini.run("build", "report", "--format", fmt)
        assert_no_traceback(run)
        assert run.code == 1, run.output
        assert f"{LAYOUT}" in run.stderr and "[outside-project]" in run.stderr, run.stderr
        assert not mini.documents()


def test_a_layout_may_link_out_and_use_its_own_fragments(mini: Mini) -> None:
    mini.finding("F01", "Health partnerships help", body="See [the fund](https://example.org/fund).")
    layout = mini.root / LAYOUT
    layout.write_text(layout.read_text(encoding="utf-8").replace(
        "</main>", '</main>\n<p><a href="http://example.org/">Home</a></p>\n'
                   '<svg aria-hidden="true"><defs><linearGradient id="g"/></defs><rect fill="url(#g)"/>'
                   '<use href="#g"/></svg>\n<div style="color: red; background: url(' + GIF + ')"></div>'),
        encoding="utf-8")
    for fmt in ("pdf", "html"):
        run = mini.run("build", "report", "--format", fmt)
        assert run.code == 0, run.output
    page = (mini.root / "build/report/report.html").read_text(encoding="utf-8")
    assert 'href="http://example.org/"' in page and 'href="https://example.org/fund"' in page


# Bibliography links: the same rule as content links ------------------------------------------------------

LINKED_BIB = r"""
@online{smith2009, author = {Smith, Jane}, title = {The Quick Brown Fox Jumps Over},
  date = {2009},
  url = {file:///etc/passwd}}
@online{jones2010, author = {Jones, Ann}, title = {A Page on the Web}, date = {2010},
  url = {https://example.org/jones}}
"""


def test_a_reference_url_that_is_not_web_mail_or_doi_becomes_plain_text(mini: Mini) -> None:
    mini.write("content/references.bib", LINKED_BIB)
    mini.finding("F01", "Health partnerships help", body="Partnership helped [@smith2009; @jones2010].\n")
    for fmt in ("html", "docx"):
        run = mini.run("build", "report", "--format", fmt)
        assert_no_traceback(run)
        assert run.code == 0, run.output
        assert "content/references.bib:4" in run.stderr and "[bibliography-link]" in run.stderr, run.stderr
    page = (mini.root / "build/report/report.html").read_text(encoding="utf-8")
    assert "file:///etc/passwd" in page, "the address is still shown, as text"
    assert 'href="file:' not in page
    assert 'href="https://example.org/jones"' in page
    document = docx.Document(str(mini.root / "build/report/report.docx"))
    targets = [rel.target_ref for part in (document.part,) for rel in part.rels.values() if rel.is_external]
    assert "https://example.org/jones" in targets
    assert not [target for target in targets if target.startswith("file:")], targets


# The house reference.docx: no external relationship reaches the outputs ----------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def reference_with(mini: Mini, *, template: bool = False, linked_image: bool = False) -> None:
    """Rewrite the mini project's assets/reference.docx (a python-docx file) with external relationships."""
    import zipfile

    path = mini.root / "assets/reference.docx"
    document = docx.Document(str(path))
    document.add_paragraph("Body text the build replaces.")
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source:
        members = {info.filename: source.read(info.filename) for info in source.infolist()}
    if template:
        from lxml import etree

        settings = etree.fromstring(members["word/settings.xml"])
        attached = etree.SubElement(settings, f"{{{W}}}attachedTemplate", nsmap={"r": R})
        attached.set(f"{{{R}}}id", "rIdTpl")
        settings.insert(0, attached)
        members["word/settings.xml"] = etree.tostring(settings, xml_declaration=True, encoding="UTF-8",
                                                      standalone=True)
        members["word/_rels/settings.xml.rels"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{RELS}">'
            f'<Relationship Id="rIdTpl" Type="{R}/attachedTemplate" '
            'Target="file:///C:/Users/ada/Templates/House.dotm" TargetMode="External"/></Relationships>').encode()
    if linked_image:
        rels = members["word/_rels/document.xml.rels"].decode()
        members["word/_rels/document.xml.rels"] = rels.replace(
            "</Relationships>", f'<Relationship Id="rIdPic" Type="{R}/image" '
                                'Target="http://127.0.0.1:9/logo.png" TargetMode="External"/></Relationships>').encode()
    path.write_bytes(zip_bytes(members))


def external_targets(path: Path) -> list[str]:
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        rels = [archive.read(name).decode() for name in archive.namelist() if name.endswith(".rels")]
    return [rel for text in rels for rel in re.findall(r"<Relationship [^>]*/>", text)
            if 'TargetMode="External"' in rel and "/hyperlink" not in rel]


def test_an_attached_template_in_the_reference_document_is_stripped(mini: Mini) -> None:
    reference_with(mini, template=True)
    assert external_targets(mini.root / "assets/reference.docx"), "the fixture has no external relationship"
    run = mini.run("build", "report", "--format", "docx")
    assert run.code == 0, run.output
    built = mini.root / "build/report/report.docx"
    assert external_targets(built) == []
    import zipfile

    with zipfile.ZipFile(built) as archive:
        assert b"attachedTemplate" not in archive.read("word/settings.xml")


def test_a_linked_picture_in_the_reference_document_is_refused(mini: Mini) -> None:
    reference_with(mini, template=True, linked_image=True)
    run = mini.run("build", "report", "--format", "docx")
    assert_no_traceback(run)
    assert run.code == 1, run.output
    assert "assets/reference.docx" in run.stderr and "[outside-project]" in run.stderr, run.stderr
    assert "http://127.0.0.1:9/logo.png" in run.stderr
    assert not mini.documents()


def _outputs(root: Path) -> dict[Path, bytes]:
    build = root / "build"
    return {p: p.read_bytes() for p in build.rglob("*") if p.is_file()} if build.exists() else {}


def test_a_disk_too_full_for_the_outputs_replaces_nothing(mini: Mini, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil as real_shutil

    from tspdocs.store import output

    assert mini.run("build", "report", "--format", "docx,html").code == 0
    before = _outputs(mini.root)
    mini.finding("F01", "Health partnerships help", body="A change the full disk will not take.")
    monkeypatch.setattr(output.shutil, "disk_usage", lambda _path: real_shutil._ntuple_diskusage(10**9, 10**9, 10))
    run = mini.run("build", "report", "--format", "docx,html")
    assert run.code == 1 and "Traceback" not in run.output + run.stderr
    assert re.search(r"error \[disk-full\] not enough disk space to write \d+ file\(s\)", run.stderr)
    assert _outputs(mini.root) == before


def test_a_disk_that_fills_while_writing_leaves_every_output_as_it_was(mini: Mini,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from tspdocs.store import output

    assert mini.run("build", "report", "--format", "docx,html").code == 0
    before = _outputs(mini.root)
    mini.finding("F01", "Health partnerships help", body="A change the disk fills up on.")
    real_stage, calls = output._stage, []

    def stage(path: Path, data: bytes) -> Path:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_stage(path, data)

    monkeypatch.setattr(output, "_stage", stage)
    run = mini.run("build", "report", "--format", "docx,html")
    assert run.code == 1 and "Traceback" not in run.output + run.stderr
    assert "error [disk-full] cannot write report.html: the disk is full; none of the files" in run.stderr
    assert _outputs(mini.root) == before, "the first file was staged but never renamed into place"
    assert not [p for p in (mini.root / "build").rglob("*.tmp")]


@pytest.mark.parametrize("epoch", ["99999999999999999999999", "1e9", "-5", "4354819200"])
def test_a_source_date_epoch_out_of_range_is_a_clear_error(mini: Mini, monkeypatch: pytest.MonkeyPatch,
                                                           epoch: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    run = mini.run("build", "report", "--format", "docx,html")
    assert run.code == 1 and "Traceback" not in run.output + run.stderr
    assert "error [environment] SOURCE_DATE_EPOCH=" in run.stderr and "at most 4354819199" in run.stderr


def test_a_chart_label_with_dollar_signs_is_text_not_mathtext(mini: Mini) -> None:
    mini.write("content/data/tables.yaml", "tables:\n  money:\n    file: money.csv\n    respondents: false\n"
                                           "    columns: {item: text, cost: number}\n")
    mini.write("content/data/money.csv", "item,cost\n$5m contract,5\ncost $x^$ y,2\n")
    mini.finding("F01", "Health partnerships help",
                 body="```{chart} money\nlabel: fig:money\ncaption: Money\nalt: Two bars of cost\ntype: bar\n"
                      "x: item\ny: {cost: Cost}\n```\n")
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 0, run.output + run.stderr


# Round two: cells too large for pandas or the csv module, pictures cut off ------------------------------------

PEOPLE_TABLE = "The people.\n\n```{table} people\nlabel: tbl:people\ncaption: People\n```\n"


@pytest.mark.parametrize(("cell", "says"), [
    ("9" * 400, "column 'count': '99999999999999999999…9999999999' is too large a whole number (at most "
                "9,223,372,036,854,775,807)"),
    ("9223372036854775808", "column 'count': '9223372036854775808' is too large a whole number"),
    ("1e400", "column 'share': '1e400' is too large a number"),
], ids=["400 digits", "2**63", "1e400"])
def test_a_number_too_large_to_hold_is_a_cell_error(mini: Mini, cell: str, says: str) -> None:
    mini.write("content/data/tables.yaml", "tables:\n  people:\n    file: people.csv\n"
                                           "    columns: {name: text, count: integer, share: number}\n")
    count, share = (cell, "1") if "e" not in cell else ("1", cell)
    mini.write("content/data/people.csv", f"name,count,share\nAnn,1,2\nBea,{count},{share}\n")
    mini.finding("F01", "Health partnerships help", body=PEOPLE_TABLE)
    run = mini.run("build", "report", "--format", "html")
    assert_no_traceback(run)
    assert run.code == 1, run.output
    assert f"content/data/people.csv:3: error [data-type] {says}" in run.stderr, run.stderr


def test_a_csv_cell_over_the_csv_modules_limit_is_reported_at_its_row(mini: Mini) -> None:
    mini.write("content/data/tables.yaml", "tables:\n  people:\n    file: people.csv\n    columns: {name: text}\n")
    mini.write("content/data/people.csv", 'name\nAnn\n"Bea' + "x" * 200_000 + "\nCal\n")
    mini.finding("F01", "Health partnerships help", body=PEOPLE_TABLE)
    run = mini.run("build", "report", "--format", "html")
    assert_no_traceback(run)
    assert run.code == 1, run.output
    assert ("content/data/people.csv:3: error [data-file] cannot read this row (field larger than field limit "
            "(131072)); a cell this long usually means a quote") in run.stderr, run.stderr


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_picture_cut_off_after_its_header_is_refused_at_its_line(mini: Mini, fmt: str) -> None:
    import weasyprint  # noqa: F401  # it tells Pillow to accept cut-off pictures, for every caller after it

    (mini.root / "content/findings/cut.png").write_bytes((REPO / "assets/logos/logo.png").read_bytes()[:100])
    mini.finding("F01", "Health partnerships help", body="Text.\n\n![A map of the areas](cut.png)\n")
    run = mini.run("build", "report", "--format", fmt)
    assert_no_traceback(run)
    assert run.code == 1, run.output
    assert ("content/findings/f01.md:14: error [image-type] image 'cut.png' is damaged or cut off"
            in run.stderr), run.stderr
    assert not mini.documents()
