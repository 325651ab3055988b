"""Which outputs a project makes: each document, its variants, and one briefing per audience."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any

from ..errors import Location, Problems
from ..labels import label
from .model import Audience, BriefingSpec, DocumentSpec
from .readers import DOCUMENTS_FILE, PROJECT_FILE, Corpus
from .validation import resolve_name, validate
from .yamlio import line_at


@dataclass(frozen=True)
class Target:
    """One document to build: what it is, for whom, and where its files go under build/."""

    name: str
    document: str
    spec: DocumentSpec
    audience_id: str | None = None
    audience: Audience | None = None
    place: str = ""  # a local area, for briefings built one per area
    place_column: str = ""  # the data column that names the place

    @property
    def folder(self) -> PurePosixPath:
        if self.audience_id and self.place:
            return PurePosixPath("briefings", self.audience_id, "areas", slug(self.place))
        if self.audience_id:
            return PurePosixPath("briefings", self.audience_id)
        return PurePosixPath(self.document)

    @property
    def variant(self) -> str:
        """Name the document and variant for messages: "briefing-dh", "briefing-dh for Ashdale"."""
        return f"{self.name} for {self.place}" if self.place else self.name

    @property
    def stem(self) -> str:
        return f"{self.name}-{slug(self.place)}" if self.place else self.name


def slug(text: str) -> str:
    """Return a safe file name for a place: lower case ASCII letters, digits and hyphens, or, for a name
    with none of those, a stable code made from it."""
    import hashlib
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    name = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return name or "area-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def for_place(target: Target, column: str, place: str) -> Target:
    """Return a briefing narrowed to the rows whose `column` is `place`, with the place under its title."""
    spec = target.spec.model_copy(update={"subtitle": label("place", place=place)})
    return replace(target, spec=spec, place=place, place_column=column)


def spec_location(corpus: Corpus, target: Target, *keys: str) -> Location:
    """Return where a setting of this target is written: its document in documents.yaml, or for a
    briefing the audience's override in project.yaml, else the shared `briefing:` definition."""
    if target.audience_id is None:
        return Location(DOCUMENTS_FILE, line_at(corpus.documents_data, ["documents", target.document, *keys]))
    audience = corpus.project_data["audiences"][target.audience_id]
    if keys and keys[0] in audience:
        return Location(PROJECT_FILE, line_at(corpus.project_data, ["audiences", target.audience_id, *keys]))
    return Location(DOCUMENTS_FILE, line_at(corpus.documents_data, ["briefing", *keys]))


def spec_data(corpus: Corpus, target: Target, *keys: str) -> Any:
    """Return the raw YAML (with its lines) of a target's setting, for messages that point into it."""
    node: Any = corpus.documents_data["documents"][target.document] if target.audience_id is None \
        else corpus.documents_data["briefing"]
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def document_targets(corpus: Corpus, name: str) -> list[Target]:
    """Return the targets of one document: itself and each of its variants."""
    documents = corpus.documents.documents
    name = resolve_name(name, list(documents), "document", "unknown-document")
    spec = documents[name]
    targets = [Target(name, name, spec)]
    problems = Problems()
    for variant, overrides in spec.variants.items():
        merged: dict[str, Any] = {**spec.model_dump(exclude={"variants"}, exclude_defaults=True), **overrides}
        context = f"documents.{name}.variants.{variant}"
        line = line_at(corpus.documents_data, ["documents", name, "variants", variant])
        variant_spec, found = validate(DocumentSpec, merged, DOCUMENTS_FILE, line=line, context=context)
        problems.extend(found)
        if variant_spec is not None:
            targets.append(Target(f"{name}-{variant}", name, variant_spec))
    problems.raise_if_errors()
    return targets


def briefing_target(corpus: Corpus, audience_id: str) -> Target:
    """Return the briefing for one audience, built from the shared briefing definition."""
    audiences = corpus.project.audiences
    audience_id = resolve_name(audience_id, list(audiences), "audience", "unknown-audience")
    audience = audiences[audience_id]
    brief: BriefingSpec = corpus.documents.briefing
    template = audience.template or brief.template.replace("{audience}", audience_id)
    if not (corpus.root / "templates" / template).is_file():
        template = brief.fallback_template
    spec = DocumentSpec(
        title=brief.title.replace("{audience}", audience.name),
        kind="briefing",
        template=template,
        date=brief.date,
        numbered=False,
        findings=brief.findings,
        csl=brief.csl,
        reference_docx=brief.reference_docx,
        formats=brief.formats,
        budget=audience.budget or brief.budget,
        min_base=brief.min_base,
    )
    return Target(f"briefing-{audience_id}", "briefing", spec, audience_id, audience)


def named_targets(corpus: Corpus, name: str) -> list[Target]:
    """Return what a user means by a name on the command line: a document with its variants, or any one
    target by the name `tspdocs list` shows (`academic-anonymised`, `briefing-dh`), case aside."""
    documents = corpus.documents.documents
    every = {target.name: target for target in all_targets(corpus)}
    match = resolve_name(name, document_names(corpus), "document", "unknown-document")
    return document_targets(corpus, match) if match in documents else [every[match]]


def document_names(corpus: Corpus) -> list[str]:
    """Return every name a document may be given by on the command line: the documents, then each
    variant and briefing by the name `tspdocs list` shows."""
    documents = list(corpus.documents.documents)
    return documents + [t.name for t in all_targets(corpus) if t.name not in documents]


def all_targets(corpus: Corpus) -> list[Target]:
    """Return every target: all documents with their variants, then every audience's briefing."""
    targets = [t for name in corpus.documents.documents for t in document_targets(corpus, name)]
    return targets + [briefing_target(corpus, a) for a in corpus.project.audiences]
