"""Read the whole project from `content/` into validated models before anything is written.

Every file is read and checked even after the first problem, so one run
lists every mistake in the content; the caller stops once at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from ..errors import BuildError, Location, Problem, Problems, fail
from .model import DocumentsFile, Finding, FindingMeta, Project, Section, SectionMeta, Source
from .projectfs import PROJECT_FILE, ProjectFS, find_root
from .selection import compile_predicate
from .validation import known_names, validate
from .yamlio import YamlMap, line_at, load_yaml

M = TypeVar("M", bound=BaseModel)

__all__ = ["DOCUMENTS_FILE", "PROJECT_FILE", "Corpus", "find_root", "read_corpus"]
DOCUMENTS_FILE = "content/documents.yaml"


@dataclass
class Corpus:
    """Everything a build draws on, read once."""

    fs: ProjectFS
    project: Project
    project_data: Any
    documents: DocumentsFile
    documents_data: Any
    findings: dict[str, Finding]
    sections: dict[str, Section]
    problems: list[Problem] = field(default_factory=list)  # errors held back by read_corpus(keep_going=True)

    @property
    def root(self) -> Path:
        return self.fs.root


def read_corpus(root: Path, *, keep_going: bool = False) -> Corpus:
    """Read and validate every content file under `root`, raising one BuildError listing all problems.

    With `keep_going`, errors in findings and sections are kept in `Corpus.problems` instead, as long as
    project.yaml and documents.yaml can be read, so a caller that reports everything it can (check, build)
    goes on to the data and templates before it stops; a finding that cannot be read is left out.
    """
    fs = ProjectFS.at(root)
    problems = Problems()
    project, project_data = _read_model(fs, PROJECT_FILE, Project, problems)
    documents, documents_data = _read_model(fs, DOCUMENTS_FILE, DocumentsFile, problems)
    findings = _read_findings(fs, problems)
    sections = _read_sections(fs, problems)
    if project is not None:
        for finding in findings.values():
            _check_finding_names(finding, project, problems)
        _check_audience_selections(project, project_data, problems)
    if not keep_going or project is None or documents is None:
        problems.raise_if_errors()
    assert project is not None and documents is not None
    return Corpus(fs, project, project_data, documents, documents_data, findings, sections, problems.errors)


def _read_model(fs: ProjectFS, name: str, model: type[M], problems: Problems) -> tuple[M | None, Any]:
    try:
        data = load_yaml(fs.read_text(fs.root / name), name)
    except BuildError as exc:
        problems.extend(exc.problems)
        return None, None
    value, found = validate(model, data, name, line=1)
    problems.extend(found)
    return value, data


def split_front_matter(text: str, path: str) -> tuple[str | None, str, int]:
    """Return (front matter, body, line the body starts on) of a Markdown file.

    Front matter is the Pandoc/Jekyll block between a first line `---` and
    the next `---` or `...`; a block that never closes is an error rather
    than a body that silently swallowed it.
    """
    if not text.startswith("---\n"):
        return None, text, 1
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]) + "\n", "\n".join(lines[index + 1:]), index + 2
    raise fail("front matter opened with --- on line 1 is never closed; add a line with --- after it",
               "front-matter", Location(path, 1))


def _read_markdown(fs: ProjectFS, path: Path) -> tuple[Any, Source]:
    text, display = fs.read_source(path)
    front, body, body_line = split_front_matter(text, display)
    data = load_yaml(front, display, first_line=2) if front is not None else None
    return data, Source(display, body, body_line)


def _markdown_files(fs: ProjectFS, folder: str, problems: Problems) -> Iterator[tuple[Path, Any, Source]]:
    """Yield each Markdown file's path, front matter and body; a file that cannot be read is reported."""
    for path in sorted((fs.root / folder).glob("*.md")):
        try:
            data, source = _read_markdown(fs, path)
        except BuildError as exc:
            problems.extend(exc.problems)
            continue
        yield path, data, source


def _read_findings(fs: ProjectFS, problems: Problems) -> dict[str, Finding]:
    findings: dict[str, Finding] = {}
    for _path, data, source in _markdown_files(fs, "content/findings", problems):
        if data is None:
            problems.error("a finding needs front matter (id, title, questions, sectors, evidence, "
                           "status, phase, key_message) between --- lines at the top",
                           "front-matter", Location(source.path, 1))
            continue
        meta, found = validate(FindingMeta, data, source.path, line=2)
        problems.extend(found)
        if meta is None:
            continue
        if meta.id in findings:
            problems.error(f"finding id {meta.id} is also used by {findings[meta.id].source.path}; "
                           "give each finding its own id", "duplicate-id",
                           Location(source.path, line_at(data, ["id"])))
            continue
        findings[meta.id] = Finding(meta, source, dict(data.key_lines))
    return findings


def _read_sections(fs: ProjectFS, problems: Problems) -> dict[str, Section]:
    sections: dict[str, Section] = {}
    for path, data, source in _markdown_files(fs, "content/sections", problems):
        meta, found = validate(SectionMeta, data if data is not None else {}, source.path, line=2)
        problems.extend(found)
        if meta is not None:
            sections[path.stem] = Section(path.stem, meta, source)
    return sections


def _check_finding_names(finding: Finding, project: Project, problems: Problems) -> None:
    """Check that a finding names only questions, sectors, evidence and audiences the project defines."""
    meta = finding.meta
    known: list[tuple[str, list[str], dict[str, Any], str]] = [
        ("questions", meta.questions, project.research_questions, "research question"),
        ("sectors", meta.sectors, project.sectors, "sector"),
        ("evidence", meta.evidence, project.evidence, "evidence source"),
        ("audiences", meta.audiences, project.audiences, "audience"),
        ("implications", list(meta.implications), project.audiences, "audience"),
    ]
    for field_name, values, allowed, what in known:
        for value in values:
            message = known_names(value, allowed, what)
            if message:
                problems.error(f"{field_name}: {message}", "unknown-name",
                               Location(finding.source.path, finding.line_of(field_name)))


def _check_audience_selections(project: Project, data: YamlMap, problems: Problems) -> None:
    for name in project.audiences:
        select = data["audiences"][name].get("select", {})
        try:
            compile_predicate(select, PROJECT_FILE, project)
        except BuildError as exc:
            problems.extend(exc.problems)
