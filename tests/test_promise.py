"""The promise under random input (issue 18): Hypothesis writes random bytes, random YAML and random
Markdown into a small project and runs `check` and `build` in this process. Whatever the input:

- the exit code is 0 or 1 (2 for a command-line usage error);
- no exception other than SystemExit escapes, and no "Traceback" is printed;
- a run that fails (exit 1) leaves every file under build/ byte-identical to what the last good build
  left there;
- nothing outside the project is opened: an audit hook records every `open` during the run, and each
  path must be inside the project, the Python installation, tspdocs' own source, or a short allowlist.

Pandoc runs as a subprocess, so its own reads are not seen by the audit hook; tspdocs runs it with
`--sandbox` (tests/test_security.py covers that side).

Each example starts from a fresh copy of one base project (the conftest `Mini` project plus a data
table, a chart, a value and a bibliography) that has been built once. Runs are derandomised and have
no example database, so CI sees the same examples every time.
"""

from __future__ import annotations

import os
import shutil
import site
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EPOCH, Mini, Run, run_cli
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

import tspdocs

pytestmark = pytest.mark.slow

# The audit hook -----------------------------------------------------------------------------------
# An audit hook cannot be removed once added, so it is added once and records only while _RECORDING
# is switched on, i.e. during one CLI run. Paths are made absolute at the moment of the event, as
# the run changes the working directory to the project.

_RECORDING = False
_OPENED: list[str] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _RECORDING or event != "open":
        return
    path = args[0]
    if isinstance(path, int):  # os.fdopen of a descriptor already open: its path was seen then
        return
    try:
        _OPENED.append(os.path.abspath(os.fsdecode(path)))
    except Exception:  # noqa: BLE001 - an audit hook must never raise into the code it watches
        _OPENED.append(repr(path))


sys.addaudithook(_audit)

TSPDOCS_SOURCE = Path(tspdocs.__file__).resolve().parent

# Where Python and the libraries live: their modules, data files (matplotlib's fonts and matplotlibrc,
# pandoc's data, citeproc styles, weasyprint's default stylesheets) are read from here.
PYTHON_PLACES = {Path(p).resolve() for p in (
    sys.prefix, sys.base_prefix, sys.exec_prefix,
    *site.getsitepackages(), site.getusersitepackages(),
    *(sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")),
)}

# System paths outside the project the libraries legitimately read. Found by recording a good build
# (check, html, docx and pdf, with a table, a chart and a citation) and kept to what was seen:
ALLOWED_FILES = {
    Path("/dev/null"),  # the stdin (subprocess.DEVNULL) of the programs tspdocs runs: pandoc, git
}
# tspdocs' own temporary file: the references JSON handed to `pandoc --citeproc --bibliography`, made by
# tempfile.NamedTemporaryFile in the temp folder and removed afterwards (only on a bibliography cache
# miss, so a rebuild does not show it). The folder itself is opened when tempfile first checks that it
# can write there. Only names with tempfile's default "tmp" prefix, directly in the folder, pass: the
# other examples' projects (prefix "tspdocs-promise-") do not.
TEMP = Path(tempfile.gettempdir()).resolve()
# Nothing else is opened from Python: fontconfig (weasyprint's fonts, /etc/fonts and /usr/share/fonts)
# reads in C, and pandoc and git are separate processes, so an audit hook does not see their reads.
# matplotlib's font cache is read when matplotlib is first imported, in the unrecorded base build.
ALLOWED_FOLDERS: set[Path] = set()


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def outside_reads(opened: list[str], root: Path) -> list[str]:
    """The opened paths that are neither in the project nor in one of the allowed places."""
    root = root.resolve()
    bad = []
    for name in opened:
        path = Path(os.path.realpath(name))
        places = [root, TSPDOCS_SOURCE, *PYTHON_PLACES, *ALLOWED_FOLDERS]
        own_temporary = path == TEMP or (path.parent == TEMP and path.name.startswith("tmp"))
        if own_temporary or path in ALLOWED_FILES or any(_inside(path, place) for place in places):
            continue
        bad.append(f"{name} -> {path}" if str(path) != name else name)
    return sorted(set(bad))


def recorded_run(root: Path, *args: str) -> tuple[Run, list[str]]:
    global _RECORDING
    _OPENED.clear()
    _RECORDING = True
    try:
        run = run_cli(root, *args)
    finally:
        _RECORDING = False
    return run, list(_OPENED)


def test_the_recorder_sees_a_read_outside_the_project() -> None:
    """The audit hook and the allowlist catch a read outside: without this, an empty list proves nothing."""
    global _RECORDING
    with fresh_project() as root:
        _OPENED.clear()
        _RECORDING = True
        try:
            Path("/etc/passwd").read_bytes()
            (root / "content/project.yaml").read_bytes()
            Path(sys.executable).resolve().read_bytes()[:1]
        finally:
            _RECORDING = False
        assert outside_reads(_OPENED, root) == ["/etc/passwd"]


# The base project ---------------------------------------------------------------------------------

TABLES = """\
tables:
  scores:
    file: s.csv
    columns: {name: text, score: integer}
values:
  best: {table: scores, where: {name: Bea}, value: score}
"""
SCORES = "name,score\nAnn,3\nBea,5\n"
BIB = "@book{lovelace1843,\n  author = {Lovelace, Ada},\n  title = {Notes},\n  date = {1843},\n}\n"
BODY = """\
Partnership helped patients [@lovelace1843]. Bea scored {{< value best >}}.

```{table} scores
label: tbl:scores
caption: Scores
```

```{chart} scores
type: bar
label: fig:scores
caption: Scores by person
x: name
y: [score]
alt: Two bars, Bea higher than Ann.
```
"""

FINDING = "content/findings/f01.md"
TARGETS = [FINDING, "content/data/s.csv", "content/data/tables.yaml", "content/project.yaml",
           "content/documents.yaml", "templates/reports/small.md.j2", "content/references.bib"]
YAML_TARGETS = ["content/data/tables.yaml", "content/project.yaml", "content/documents.yaml", FINDING]

_BASE: tempfile.TemporaryDirectory[str] | None = None


def base_project() -> Path:
    """The base project, built once (html and docx) for the whole module."""
    global _BASE
    if _BASE is None:
        _BASE = tempfile.TemporaryDirectory(prefix="tspdocs-promise-")
        os.environ["SOURCE_DATE_EPOCH"] = EPOCH
        mini = Mini(Path(_BASE.name) / "mini")
        mini.write("content/data/tables.yaml", TABLES)
        mini.write("content/data/s.csv", SCORES)
        mini.write("content/references.bib", BIB)
        mini.finding("F01", "Health partnerships help", body=BODY)
        run = mini.run("build", "report", "--format", "html,docx")
        assert run.code == 0, run.output
    return Path(_BASE.name) / "mini"


def snapshot(root: Path) -> dict[str, bytes]:
    build = root / "build"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(build.rglob("*")) if p.is_file()}


@contextmanager
def fresh_project() -> Iterator[Path]:
    """A fresh copy of the built base project in its own temporary folder."""
    with tempfile.TemporaryDirectory(prefix="tspdocs-promise-") as folder:
        root = Path(folder) / "mini"
        shutil.copytree(base_project(), root, symlinks=True)
        yield root


def assert_promise(root: Path, *args: str) -> Run:
    """Run `tspdocs ARGS` on the project at `root` and check every part of the promise."""
    before = snapshot(root)
    run, opened = recorded_run(root, *args)
    shown = f"tspdocs {' '.join(args)}\n{run.output}"
    assert run.code in (0, 1, 2), shown
    assert run.result.exception is None or isinstance(run.result.exception, SystemExit), (
        shown + f"\n{run.result.exc_info!r}")
    assert "Traceback" not in run.output, shown
    assert "Traceback" not in run.stderr, shown
    if run.code != 0:
        assert snapshot(root) == before, "a failed run changed build/\n" + shown
    assert outside_reads(opened, root) == [], shown
    event(f"{args[0]} exit {run.code}")  # --hypothesis-show-statistics shows how many runs failed
    return run


def check_and_build(root: Path) -> None:
    assert_promise(root, "check")
    assert_promise(root, "build", "report", "--format", "html,docx")


def promise_settings(max_examples: int) -> settings:
    return settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate, Phase.shrink], print_blob=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# (1) Random bytes over one file -------------------------------------------------------------------

@given(target=st.sampled_from(TARGETS), data=st.binary(max_size=600))
@promise_settings(80)
def test_random_bytes_keep_the_promise(target: str, data: bytes) -> None:
    with fresh_project() as root:
        (root / target).write_bytes(data)
        check_and_build(root)


# (2) Random YAML ----------------------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["RQ1", "health", "survey", "approved", "F01", "report", "2010-06-30", "../../etc/passwd",
                     "/etc/passwd", "file:///etc/passwd", "http://127.0.0.1:9/x", "{{ 7*7 }}", "\x0b"]),
)
KEYS = st.one_of(st.text(max_size=10), st.sampled_from(
    ["title", "id", "documents", "report", "template", "tables", "file", "columns", "values", "questions",
     "sectors", "status", "audiences", "select", "date", "format", "authors", "centre", "name"]))
NESTED = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)), max_leaves=20)

INSERTS = st.one_of(
    st.sampled_from(["&a ", "*a", "&b [1, *b]", "!!python/object:os.system ", "!!python/name:os.system",
                     "!!binary ", "\t", "- ", ": ", "{", "[", "'", '"', "\\x0b", "%YAML 1.1\n", "---\n", "? ",
                     "<<: *a\n", "\n  ", "#"]),
    st.integers(min_value=1, max_value=20_000).map(lambda n: "x" * n),  # a very long line
    st.text(max_size=8),
)


def original(target: str) -> str:
    return (base_project() / target).read_text(encoding="utf-8")


@st.composite
def mutated_yaml(draw: st.DrawFn, text: str) -> str:
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:at] + draw(INSERTS) + text[at:]
    return text


@st.composite
def yaml_case(draw: st.DrawFn) -> tuple[str, str]:
    target = draw(st.sampled_from(YAML_TARGETS))
    if draw(st.booleans()):
        text = yaml.safe_dump(draw(NESTED), allow_unicode=draw(st.booleans()))
        if target == FINDING:
            text = f"---\n{text}---\n\nSome text.\n"
    else:
        text = draw(mutated_yaml(original(target)))
    return target, text


@given(case=yaml_case())
@promise_settings(100)
def test_random_yaml_keeps_the_promise(case: tuple[str, str]) -> None:
    target, text = case
    with fresh_project() as root:
        (root / target).write_text(text, encoding="utf-8")
        check_and_build(root)


# (3) Random Markdown ------------------------------------------------------------------------------

WORDS = st.one_of(st.sampled_from(["partnership", "health", "Bea", "ŵyn", "naïve", "日本", "x", "$x$", "\x0b",
                                   "\x0c", "*", "_", "{", "}", "<b>", "&amp;", "\\"]),
                  st.text(max_size=6))
PATHS = st.sampled_from(["../../etc/passwd", "/etc/passwd", "file:///etc/passwd", "http://127.0.0.1:9/x.png",
                         "assets/logos/none.png", "build/report/report.html", "content/data/s.csv",
                         "../mini/content/project.yaml", "%2e%2e/%2e%2e/etc/passwd", "C:\\Windows\\win.ini"])
ATTRS = st.sampled_from(['', '{#sec:x}', '{.unnumbered}', '{#sec:x .unnumbered}', '{#fn1}', '{#content}',
                         '{#sec:f01}', '{'])


def line(words: list[str]) -> str:
    return " ".join(words)


INLINE = st.one_of(
    st.lists(WORDS, min_size=1, max_size=6).map(line),
    WORDS.map(lambda w: f"*{w}*"), WORDS.map(lambda w: f"**{w}**"),
    st.integers(min_value=1, max_value=200).map(lambda n: "*" * n + "deep" + "*" * n),
    st.tuples(WORDS, PATHS).map(lambda t: f"[{t[0]}]({t[1]})"),
    st.tuples(WORDS, PATHS).map(lambda t: f"![{t[0]}]({t[1]})"),
    st.sampled_from(["[@lovelace1843]", "[@nobody]", "[@lovelace1843, p. 3]", "@fig:scores", "@tbl:scores",
                     "@sec:nowhere", "[^1]", "[^missing]"]),
    st.sampled_from(["{{< value best >}}", "{{< value nothing >}}", "{{< value >}}", "{{< value best",
                     "{{< include sections/none.md >}}", "{{< include ../../etc/passwd >}}",
                     "{{< include /etc/passwd >}}", "{{< include content/findings/f01.md >}}",
                     "{{< unknown >}}", "{{{< value best >}}}"]),
)
PARAGRAPH = st.lists(INLINE, min_size=1, max_size=5).map(line)


def table(rows: list[list[str]]) -> str:
    width = len(rows[0])
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    out += ["| " + " | ".join((r + [""] * width)[:width]) + " |" for r in rows[1:]]
    return "\n".join(out)


BLOCK = st.deferred(lambda: st.one_of(
    PARAGRAPH,
    st.tuples(st.integers(min_value=1, max_value=7), PARAGRAPH, ATTRS).map(
        lambda t: f"{'#' * t[0]} {t[1]} {t[2]}"),
    st.lists(PARAGRAPH, min_size=1, max_size=4).map(lambda items: "\n".join(f"- {i}" for i in items)),
    st.lists(PARAGRAPH, min_size=1, max_size=4).map(lambda items: "\n".join(f"1. {i}" for i in items)),
    st.lists(PARAGRAPH, min_size=1, max_size=3).map(lambda items: "\n".join(f"> {i}" for i in items)),
    st.tuples(st.sampled_from(["", '{when="phase == \'final\'"}', '{when="audience == \'dh\'"}',
                               '{audience="dh"}', '{audience="nobody"}', '{when="__import__(\'os\')"}',
                               '{when="("}', '{.note}', '{.key-messages title="K"}']),
              st.lists(BLOCK, min_size=1, max_size=2), st.booleans()).map(
        lambda t: f"::: {t[0]}\n" + "\n\n".join(t[1]) + ("\n:::" if t[2] else "")),
    st.lists(st.lists(WORDS.map(lambda w: w.replace("|", "\\|") or "c"), min_size=1, max_size=4),
             min_size=1, max_size=4).map(table),
    PARAGRAPH.map(lambda p: f"[^1]: {p}"),
    st.sampled_from(["```\ncode {{< value best >}}\n```", "```{table} scores\nlabel: tbl:again\n```",
                     "```{table} nothing\n```", "```{chart} scores\ntype: pie\n```", "---", "<div>raw</div>",
                     "<script>alert(1)</script>", "<img src='file:///etc/passwd'>"]),
))
MARKDOWN = st.lists(BLOCK, min_size=1, max_size=8).map(lambda blocks: "\n\n".join(blocks))


@given(body=MARKDOWN)
@promise_settings(120)
def test_random_markdown_keeps_the_promise(body: str) -> None:
    with fresh_project() as root:
        Mini.finding(_Shim(root), "F01", "Health partnerships help", body=body)
        check_and_build(root)


@given(body=MARKDOWN)
@promise_settings(5)
def test_random_markdown_keeps_the_promise_in_pdf(body: str) -> None:
    with fresh_project() as root:
        Mini.finding(_Shim(root), "F01", "Health partnerships help", body=body)
        assert_promise(root, "build", "report", "--format", "pdf")


class _Shim:
    """Mini's write/finding helpers on an existing folder (Mini's constructor writes a new project)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    write = Mini.write
