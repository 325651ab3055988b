"""Shared fixtures: copies of the shipped project, a minimal project to break on purpose, and a CLI runner."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tspdocs.cli import main

REPO = Path(__file__).resolve().parents[1]
EPOCH = "1292457600"  # 2010-12-16, the final report's month


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def copy_project(target: Path) -> Path:
    """Copy the shipped project (content, templates, assets) into `target`."""
    for name in ("content", "templates", "assets"):
        shutil.copytree(REPO / name, target / name)
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@dataclass
class Run:
    result: Result
    root: Path

    @property
    def code(self) -> int:
        return self.result.exit_code

    @property
    def output(self) -> str:
        return self.result.output

    @property
    def stderr(self) -> str:
        return self.result.stderr

    @property
    def stdout(self) -> str:
        return self.result.stdout


def run_cli(root: Path, *args: str) -> Run:
    """Run `tspdocs ARGS` inside `root`, in this process; a crash stays visible as result.exception."""
    runner = CliRunner()
    old = Path.cwd()
    os.chdir(root)
    try:
        result = runner.invoke(main, list(args), catch_exceptions=True)
    finally:
        os.chdir(old)
    return Run(result, root)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped project with every document built once, for the tests that only read outputs."""
    root = copy_project(tmp_path_factory.mktemp("built") / "project")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    run = run_cli(root, "build", "all")
    assert run.code == 0, run.output + run.stderr
    return root


MINI_PROJECT = """\
title: A small study
stream: Test stream
centre: {name: Test Centre, short_name: TC, host: Test University, address: 1 Test Street,
         phone: "0100", email: tc@example.org, web: https://example.org, about: A test centre.}
authors:
  - {name: Ada Lovelace, family: Lovelace}
contact: {name: Ada Lovelace, email: ada@example.org, phone: "0100"}
start: 2010-01-01
end: 2010-12-31
funders: [{name: Test Fund}]
acknowledgement: Thanks to the Test Fund.
research_questions:
  RQ1: {title: First question, question: "What is first?"}
  RQ2: {title: Second question, question: "What is second?"}
sectors:
  health: {name: Health}
  justice: {name: Justice}
evidence:
  survey: {name: Survey}
  cases: {name: Case studies}
audiences:
  dh: {name: Department of Health, short_name: DH, select: {sectors: health}}
  moj: {name: Ministry of Justice, short_name: MoJ, select: {sectors: justice}}
"""

MINI_DOCUMENTS = """\
documents:
  report:
    title: Small report
    template: reports/small.md.j2
    date: 2010-06-30
briefing:
  title: "Briefing for the {audience}"
"""

MINI_TEMPLATE = """\
{{ contents() }}

# Findings {#sec:findings}

{% for f in findings %}
## {{ f.title }} {#sec:{{ f.id | lower }}}

{{ include(f, level=3) }}
{% endfor %}

{{ bibliography() }}
"""

MINI_BRIEFING = """\
::: {.key-messages title="Key messages"}
{% for f in findings %}
- {{ f.key_message }}
{% endfor %}
:::

{% for f in findings %}
# {{ f.title }}

{{ include(f, level=2) }}
{% endfor %}
"""


class Mini:
    """A minimal project written into a folder, with helpers to add or break files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copytree(REPO / "assets", root / "assets")
        shutil.copytree(REPO / "templates" / "layouts", root / "templates" / "layouts")
        self.write("content/project.yaml", MINI_PROJECT)
        self.write("content/documents.yaml", MINI_DOCUMENTS)
        self.write("templates/reports/small.md.j2", MINI_TEMPLATE)
        self.write("templates/briefings/base.md.j2", MINI_BRIEFING)
        (root / "content/sections").mkdir(parents=True, exist_ok=True)
        self.finding("F01", "Health partnerships help", body="Partnership helped patients.")

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def finding(self, ident: str, title: str, *, body: str = "Some text.", questions: str = "[RQ1]",
                sectors: str = "[health]", status: str = "approved", extra: str = "", slug: str = "") -> Path:
        front = (f"---\nid: {ident}\ntitle: {title}\nquestions: {questions}\nsectors: {sectors}\n"
                 f"evidence: [survey]\nstatus: {status}\nphase: interim\nkey_message: {title} matters.\n"
                 f"{extra}---\n\n")
        return self.write(f"content/findings/{slug or ident.lower()}.md", front + textwrap.dedent(body) + "\n")

    def run(self, *args: str) -> Run:
        return run_cli(self.root, *args)

    def outputs(self) -> list[Path]:
        """Every file under build/, bookkeeping (state, manifest) included."""
        build = self.root / "build"
        return sorted(p for p in build.rglob("*") if p.is_file()) if build.exists() else []

    def documents(self) -> list[str]:
        """The documents under build/, as project-relative paths."""
        return [p.relative_to(self.root).as_posix() for p in self.outputs()
                if p.suffix in (".pdf", ".docx", ".html")]


@pytest.fixture
def mini(tmp_path: Path) -> Iterator[Mini]:
    yield Mini(tmp_path / "mini")
