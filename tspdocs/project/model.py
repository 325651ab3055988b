"""The project's content as typed, validated data: no I/O, no rendering.

Each model mirrors one kind of YAML an editor writes (project.yaml, a
finding's front matter, documents.yaml) and refuses unknown fields, so a
typo such as `staus:` is reported rather than silently ignored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .plainwords import PLAIN_WORDS

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
StyleName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]*$")]
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")]
QuestionId = Annotated[str, StringConstraints(pattern=r"^RQ[1-9][0-9]*$")]
FindingId = Annotated[str, StringConstraints(pattern=r"^F[0-9]{2,3}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Status = Literal["draft", "reviewed", "approved"]
OutputFormat = Literal["html", "pdf", "docx"]
CountPart = Literal["references", "tables", "figures", "footnotes", "abstract", "title"]
DEFAULT_COUNT_EXCLUDES: tuple[CountPart, ...] = ("references", "tables", "figures")  # what journals leave out
FORMATS: tuple[OutputFormat, ...] = ("pdf", "docx", "html")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(Model):
    name: Text
    family: Text
    affiliation: Text | None = None
    email: Text | None = None
    orcid: Text | None = None


class Centre(Model):
    name: Text
    short_name: Text
    host: Text
    address: Text
    phone: Text
    email: Text
    web: Text
    about: Text


class Contact(Model):
    name: Text
    phone: Text | None = None
    email: Text | None = None


class Funder(Model):
    name: Text
    short_name: Text | None = None


class ResearchQuestion(Model):
    title: Text
    question: Text


class Named(Model):
    name: Text
    short_name: Text | None = None
    description: Text | None = None


class Budget(Model):
    """How long a briefing may be; the build fails past it unless told otherwise."""

    min_pages: int = Field(2, ge=1)
    pages: int = Field(4, ge=1)
    words: int = Field(1800, ge=100)


class Lint(Model):
    """The plain-English rules `tspdocs check` applies to briefings; an audience may change any of them."""

    max_sentence_words: int = Field(25, ge=5)
    avoid: list[Text] = Field(default_factory=lambda: list(PLAIN_WORDS))
    allow: list[Text] = Field(default_factory=list)  # entries of `avoid` this audience may use after all
    known_acronyms: list[Text] = Field(default_factory=lambda: ["UK", "NHS", "EU"])
    # Flesch reading ease (0 to 100, higher is easier; textstat computes it) of each paragraph of at least
    # `reading_ease_words` words: below 30 is graduate-level prose. None switches the check off.
    min_reading_ease: float | None = Field(30, ge=0, le=100)
    reading_ease_words: int = Field(30, ge=10)

    def for_audience(self, audience: Audience | None) -> Lint:
        """Return these rules with what the audience's own `lint:` in project.yaml changes."""
        if audience is None or audience.lint is None:
            return self
        return self.model_copy(update=audience.lint.model_dump(exclude_unset=True))


class Audience(Named):
    select: dict[str, Any] = Field(default_factory=dict)
    template: Text | None = None
    budget: Budget | None = None
    lint: Lint | None = None


class Project(Model):
    title: Text
    subtitle: Text | None = None
    stream: Text
    centre: Centre
    authors: list[Person] = Field(min_length=1)
    contact: Contact
    start: dt.date
    end: dt.date
    funders: list[Funder] = Field(min_length=1)
    acknowledgement: Text
    language: LanguageTag = "en-GB"
    notice: Text | None = None
    research_questions: dict[QuestionId, ResearchQuestion] = Field(min_length=1)
    sectors: dict[Slug, Named] = Field(min_length=1)
    evidence: dict[Slug, Named] = Field(min_length=1)
    audiences: dict[Slug, Audience] = Field(min_length=1)


class FindingMeta(Model):
    """A finding's front matter: what it answers, from what evidence, for whom."""

    id: FindingId
    title: Text
    questions: list[QuestionId] = Field(min_length=1)
    sectors: list[Slug] = Field(min_length=1)
    evidence: list[Slug] = Field(min_length=1)
    audiences: list[Slug] = Field(default_factory=list)
    status: Status
    phase: Literal["interim", "final"]
    key_message: Text
    recommendation: Text | None = None
    implications: dict[Slug, Text] = Field(default_factory=dict)
    updated: dt.date | None = None


class SectionMeta(Model):
    title: Text | None = None
    status: Status = "approved"


class FindingSelection(Model):
    where: dict[str, Any] = Field(default_factory=dict)
    order_by: list[str] = Field(default_factory=lambda: ["questions", "id"])
    include_drafts: bool = False


class JournalProfile(Model):
    """The house rules of a journal: spacing, numbering, type size, style, word count."""

    name: Text | None = None
    line_spacing: float = Field(2.0, ge=1.0, le=3.0)
    line_numbers: bool = True
    font_size: float = Field(12, ge=8, le=16)
    csl: StyleName = "apa"
    word_limit: int | None = Field(None, ge=100)
    count_excludes: list[CountPart] = Field(default_factory=lambda: list(DEFAULT_COUNT_EXCLUDES))


class DocumentSpec(Model):
    """One document a project publishes, and the variants built beside it."""

    title: Text
    subtitle: Text | None = None
    kind: Literal["report", "briefing", "manuscript"] = "report"
    template: Text
    date: dt.date | None = None
    numbered: bool = True
    findings: FindingSelection = Field(default_factory=FindingSelection)
    csl: StyleName = "harvard-cite-them-right"
    reference_docx: Text = "reference.docx"  # the Word house style, under assets/
    formats: list[OutputFormat] = Field(default_factory=lambda: list(FORMATS))
    journal: JournalProfile | None = None
    anonymise: bool = False
    abstract: Slug | None = None
    keywords: list[Text] = Field(default_factory=list)
    budget: Budget | None = None
    min_base: int | None = Field(None, ge=1)  # this document's minimum base, over tables.yaml's
    variants: dict[Slug, dict[str, Any]] = Field(default_factory=dict)

    @property
    def citation_style(self) -> str:
        """Return the CSL style: the journal's when the document follows a journal profile."""
        return self.journal.csl if self.journal else self.csl


class BriefingSpec(Model):
    """The one briefing definition, applied to every audience in project.yaml."""

    title: Text
    template: Text = "briefings/{audience}.md.j2"
    fallback_template: Text = "briefings/base.md.j2"
    date: dt.date | None = None
    findings: FindingSelection = Field(default_factory=FindingSelection)
    csl: StyleName = "harvard-cite-them-right"
    reference_docx: Text = "reference.docx"
    formats: list[OutputFormat] = Field(default_factory=lambda: list(FORMATS))
    budget: Budget = Field(default_factory=Budget)
    min_base: int | None = Field(None, ge=1)


class DocumentsFile(Model):
    documents: dict[Slug, DocumentSpec] = Field(min_length=1)
    briefing: BriefingSpec
    lint: Lint = Field(default_factory=Lint)


@dataclass(frozen=True)
class Source:
    """A Markdown body and where it sits in its file, so nodes keep file:line."""

    path: str
    text: str
    first_line: int


@dataclass(frozen=True)
class Finding:
    """A finding file: its validated front matter, its text, and the line of each front-matter key."""

    meta: FindingMeta
    source: Source
    lines: dict[str, int]

    @property
    def primary_question(self) -> str:
        """Return the question a finding is filed under in reports: the first it names."""
        return self.meta.questions[0]

    def line_of(self, field: str) -> int:
        """Return the file line of a front-matter field, for messages about it."""
        return self.lines.get(field, 2)

    def __getattr__(self, name: str) -> Any:
        # Templates say `finding.title`, not `finding.meta.title`.
        if name.startswith("_") or name == "meta":
            raise AttributeError(name)
        return getattr(self.meta, name)


@dataclass(frozen=True)
class Section:
    """A section file (background, methods): its front matter and text."""

    id: str
    meta: SectionMeta
    source: Source
