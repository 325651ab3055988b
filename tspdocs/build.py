"""Build documents: the one place that knows the order of the steps.

content -> corpus (read, validated) -> assembled tree per target -> resolved
tree (data, numbers, citations, pictures) -> writers -> build/ (atomically).

Every target is prepared before anything is rendered, and every output is
rendered before anything is written, so a mistake anywhere leaves build/
exactly as it was.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import tree as t
from .citations import References, resolve_citations
from .accessibility import check_accessibility
from .assembly import Options, assemble, selected_findings
from .data import Data
from .directives import DirectiveContext, expand_directives
from .errors import BuildError, Location, Problem, Problems
from .images import load_images
from .model import Format
from .numbering import number_document
from .output import output_path, write_atomic
from .readers import Corpus, read_corpus
from .targets import Target, spec_location
from .treebuilder import plain_text
from .values import resolve_shortcodes
from .wordcount import count_words
from .writers import EXTENSIONS, get_writer
from .writers.base import WriteContext


@dataclass
class Written:
    target: str
    path: Path
    size: int
    seconds: float


@dataclass
class Prepared:
    target: Target
    doc: t.Document
    formats: list[Format]


@dataclass
class Rendered:
    prepared: Prepared
    outputs: dict[Format, bytes] = field(default_factory=dict)
    seconds: dict[Format, float] = field(default_factory=dict)
    pages: int | None = None
    sections: list[Any] = field(default_factory=list)


def build_epoch() -> int:
    """Return the timestamp written into outputs: SOURCE_DATE_EPOCH when set, so builds are reproducible."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value:
        if not value.isdigit():
            raise BuildError([Problem(f"SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds",
                                      "environment", Location("(environment)"))])
        return int(value)
    return int(time.time())


def prepare(corpus: Corpus, target: Target, options: Options, problems: Problems, data: Data,
            references: References) -> t.Document:
    """Return the target's tree with everything resolved that writers must agree on."""
    findings = selected_findings(corpus, target, options)
    doc = assemble(corpus, target, findings, options, problems)
    if target.spec.date:
        doc.meta.date_text = target.spec.date.strftime("%B %Y")
    context = DirectiveContext(corpus, findings, problems, data)
    doc.meta.abstract = expand_directives(doc.meta.abstract, context)
    doc.blocks = expand_directives(doc.blocks, context)
    resolve_shortcodes(doc, context)
    families = {a.family for a in corpus.project.authors} if target.spec.anonymise else None
    resolve_citations(doc, references, target.spec.citation_style, problems, anonymise_families=families,
                      style_where=Location("content/documents.yaml"))
    load_images(doc, corpus.fs, problems)
    number_document(doc, problems)
    check_accessibility(doc, problems)
    if target.spec.journal:
        doc.meta.word_count = count_words(doc, target.spec.journal.count_excludes)
    return doc


def render(prepared: Prepared, ctx: WriteContext) -> Rendered:
    """Run every requested writer over one prepared tree."""
    rendered = Rendered(prepared)
    for fmt in prepared.formats:
        start = time.perf_counter()
        if fmt == "pdf":
            from .writers.html import page_html
            from .writers.pdf import layout_pdf

            pdf = layout_pdf(page_html(prepared.doc, ctx, print_mode=True), ctx)
            rendered.outputs[fmt], rendered.pages = pdf.data, pdf.pages
            rendered.sections = pdf.sections
        else:
            rendered.outputs[fmt] = get_writer(fmt)(prepared.doc, ctx)
        rendered.seconds[fmt] = time.perf_counter() - start
    return rendered


def check_budget(corpus: Corpus, rendered: Rendered, options: Options) -> list[Problem]:
    """Return a problem when a briefing runs over its page or word budget."""
    target = rendered.prepared.target
    budget = target.spec.budget
    if budget is None or options.allow_overlength:
        return []
    problems = []
    where = spec_location(corpus, target, "budget")
    words = count_words(rendered.prepared.doc, excludes=("references", "title"))
    if words > budget.words:
        problems.append(Problem(f"{target.name} has {words:,} words, over its budget of {budget.words:,}; "
                                "cut text or pass --allow-overlength", "over-budget", where))
    if rendered.pages is not None and rendered.pages > budget.pages:
        sections = sorted(rendered.sections, key=lambda s: -s.length)[:3]
        titles = _section_titles(rendered.prepared.doc)
        longest = ", ".join(f"{titles.get(s.id, s.id)} ({s.length:.1f} pages)" for s in sections)
        problems.append(Problem(f"{target.name} runs to {rendered.pages} pages, over its budget of "
                                f"{budget.pages}; longest sections: {longest}; cut text or pass "
                                "--allow-overlength", "over-budget", where))
    return problems


def _section_titles(doc: t.Document) -> dict[str, str]:
    return {b.attr.id: plain_text(b.children) for b in t.walk(doc.blocks) if isinstance(b, t.Heading)}


def build(root: Path, targets: Callable[[Corpus], Iterable[Target]], formats: list[Format] | None,
          options: Options, report: Callable[[str], None] | None = None) -> list[Written]:
    """Build the chosen targets into build/, all or nothing."""
    corpus = read_corpus(root)
    problems = Problems()
    prepared: list[Prepared] = []
    data = Data(corpus.fs, corpus.project)
    data.check()
    references = References(corpus.fs)
    for target in targets(corpus):
        try:
            doc = prepare(corpus, target, options, problems, data, references)
        except BuildError as exc:
            problems.extend(exc.problems)
            continue
        prepared.append(Prepared(target, doc, list(formats or target.spec.formats)))
    problems.raise_if_errors()
    ctx = WriteContext(corpus.fs, build_epoch())
    results: list[Rendered] = []
    for item in prepared:
        if report:
            report(item.target.name)
        results.append(render(item, ctx))
        problems.extend(check_budget(corpus, results[-1], options))
    problems.raise_if_errors()
    return _write(corpus.root, results)


def _write(root: Path, results: list[Rendered]) -> list[Written]:
    """Check every destination first, then write each file atomically, so a bad name writes nothing."""
    planned = [(output_path(root, r.prepared.target.folder, f"{r.prepared.target.stem}.{EXTENSIONS[fmt]}"),
                r, fmt, data) for r in results for fmt, data in r.outputs.items()]
    written = []
    for path, rendered, fmt, data in planned:
        write_atomic(path, data)
        written.append(Written(rendered.prepared.target.name, path, len(data), rendered.seconds[fmt]))
    return written
