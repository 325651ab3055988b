"""Scaffolding: a new finding with the next free id, or a whole new project that builds at once."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from ..errors import BuildError, Location, fail
from ..prepare.characters import clean_string
from ..prepare.numbering import slugify
from ..project.readers import read_corpus
from ..project.validation import known_names

STARTER = Path(__file__).parents[1] / "starter"
HOUSE = Path(__file__).parents[1] / "house"
SOURCE_TREE = Path(__file__).resolve().parents[2]

FINDING = """\
---
id: {id}
title: {title}
questions: [{questions}]
sectors: [{sectors}]
evidence: [{evidence}]
audiences: []
status: draft
phase: interim
key_message: Say in one or two short sentences what a minister should take from this finding.
recommendation: Say what someone should do because of it.
---

Set out the finding here: what the evidence shows, how strong it is, and what it rests on. Cite
sources with `[@key]` and quote survey figures with `{{{{< value name >}}}}`, so that every document agrees.
"""


def new_finding(root: Path, questions: list[str], sectors: list[str], title: str | None) -> Path:
    """Write a draft finding with the next id, checked against the project's questions and sectors."""
    corpus = read_corpus(root)
    for value, allowed, what in [(q, corpus.project.research_questions, "research question") for q in questions] + \
            [(s, corpus.project.sectors, "sector") for s in sectors]:
        message = known_names(value, list(allowed), what)
        if message:
            raise fail(message, "unknown-name")
    numbers = [int(ident[1:]) for ident in corpus.findings]
    ident = f"F{max(numbers, default=0) + 1:02d}"
    question = corpus.project.research_questions[questions[0]]
    # A title pasted from Word may hold its manual line break (U+000B) or other controls: the same rule as
    # for every document's text, so the file written is one YAML and the writers accept.
    title = clean_string(title or f"New finding on {question.title.lower()}")
    (root / "content/findings").mkdir(parents=True, exist_ok=True)
    path = root / "content/findings" / f"{ident.lower()}-{slugify(title)[:48].rstrip('-')}.md"
    if path.exists():
        raise fail(f"{path.relative_to(root)} already exists", "exists", Location(str(path.relative_to(root))))
    path.write_text(FINDING.format(id=ident, title=_yaml_text(title), questions=", ".join(questions),
                                   sectors=", ".join(sectors), evidence=next(iter(corpus.project.evidence))),
                    encoding="utf-8")
    try:
        read_corpus(root)  # the new file must itself be valid
    except BuildError:
        path.unlink()
        raise
    return path.relative_to(root)


def _yaml_text(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z][\w ,'()-]*", text) else '"' + text.replace('"', '\\"') + '"'


def init_project(folder: Path) -> Path:
    """Create a project in `folder` from the starter project and the house style, ready to build."""
    if folder.exists() and any(folder.iterdir()):
        raise fail(f"{folder} is not empty; choose a new folder", "exists")
    house = _house_style()
    shutil.copytree(house / "assets", folder / "assets", dirs_exist_ok=True, ignore=shutil.ignore_patterns("logos"))
    shutil.copytree(house / "templates" / "layouts", folder / "templates" / "layouts", dirs_exist_ok=True)
    shutil.copytree(STARTER, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / ".gitignore").write_text("build/\n", encoding="utf-8")
    read_corpus(folder)
    return folder.resolve()


def _house_style() -> Path:
    """Return the folder holding the house style: `assets/` (fonts, styles, reference DOCX) and
    `templates/layouts/`. A wheel carries it as `tspdocs/house/` (setup.py copies it there); an editable
    install reads the checkout's own, so the repository keeps one copy."""
    for folder in (HOUSE, SOURCE_TREE):
        if (folder / "assets" / "fonts").is_dir() and (folder / "templates" / "layouts").is_dir():
            return folder
    raise fail(f"the house style is missing from this tspdocs installation ({HOUSE}); reinstall tspdocs from "
               "its wheel or its repository", "no-starter")
