"""Build documents: the one place that knows the order of the steps.

content -> corpus (read, validated) -> assembled tree per target -> resolved
tree (data, numbers, citations, pictures) -> writers -> build/ (atomically).

Every target is prepared before anything is rendered, and every output is
rendered before anything is written, so a mistake anywhere leaves build/
exactly as it was. Targets whose inputs have not changed are not built again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from .. import tree as t
from ..assemble.assembly import assemble, selected_findings
from ..checks.accessibility import check_accessibility
from ..checks.budgets import budget_problems
from ..checks.glyphs import check_glyphs, covered_characters
from ..checks.wordcount import count_words
from ..console import Console
from ..errors import BuildError, Problems, Severity
from ..prepare.background import Background
from ..prepare.characters import clean_document
from ..prepare.citations import resolve_citations
from ..prepare.conditions import apply_claims
from ..prepare.context import PrepareContext
from ..prepare.directives.registry import expand_directives
from ..prepare.figures import figure_records, fill_figures_appendix
from ..prepare.front_matter import add_front_matter
from ..prepare.images import load_images
from ..prepare.numbering import number_document
from ..prepare.values import resolve_shortcodes
from ..project.model import OutputFormat
from ..project.readers import Corpus
from ..project.targets import Target, all_targets, spec_location
from ..store.cache import Cache
from ..store.output import BUILD_DIR, build_file, output_path, remove_outputs, write_all
from ..store.provenance import Provenance
from ..store.state import FileStamp, OutputRecord, State, TargetRecord, scan_inputs, sha256, target_key, write_manifest
from ..writers.base import WriteContext, contents_pages
from ..writers.collector import fewer_collections
from .render import Prepared, Rendered, Renderer
from .session import BuildOptions, BuildSession

PER_TARGET_FOLDERS = ("content/findings/", "content/sections/")


@dataclass
class Written:
    """One output file a build wrote, for the command's summary."""

    target: str
    path: Path
    size: int
    seconds: float


@dataclass
class Report:
    """What a build did: files written, documents already up to date, and how long it took."""

    written: list[Written] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    seconds: float = 0.0


def prepare(session: BuildSession, target: Target, problems: Problems, *, render: bool = True,
            include_drafts: bool | None = None, glyphs: bool = True,
            fonts: Background[frozenset[int]] | None = None) -> t.Document:
    """Return the target's tree with everything resolved that writers must agree on.

    With `render` False (for `tspdocs check`) charts are checked but not drawn and citations are
    checked but not formatted, so checking needs neither matplotlib nor Pandoc. `include_drafts`
    overrides the session's choice (check looks at what drafts would do once approved). `glyphs` False
    skips the font coverage check, which only the PDF needs (DOCX and HTML readers bring their own fonts)
    and which reads every shipped font; `fonts` is that reading begun ahead (`read_fonts_ahead`).
    """
    corpus = session.corpus
    drafts = session.options.include_drafts if include_drafts is None else include_drafts
    findings = selected_findings(corpus, target, drafts)
    doc = assemble(corpus, target, findings, problems, session.parses)
    doc.meta.provenance = session.provenance.text
    doc.meta.draft = doc.meta.draft or session.draft_mark
    if target.spec.date:
        doc.meta.date_text = target.spec.date.strftime("%B %Y")
    data = session.data_for(target)
    context = PrepareContext(corpus, findings, problems, data, render,
                             policy=data.policy.with_min_base(target.spec.min_base), variant=target.variant,
                             parses=session.parses)
    doc.meta.abstract = expand_directives(apply_claims(doc.meta.abstract, context), context)
    doc.blocks = expand_directives(apply_claims(doc.blocks, context), context)
    resolve_shortcodes(doc, context)
    fill_figures_appendix(doc)
    families = {a.family for a in corpus.project.authors} if target.spec.anonymise else None
    resolve_citations(doc, session.references, target.spec.citation_style, problems, anonymise_families=families,
                      style_where=spec_location(corpus, target, "csl"), render=render)
    load_images(doc, corpus.fs, problems)
    number_document(doc, problems, target.variant)  # "briefing-dh for Ashdale": where the label is missing
    check_accessibility(doc, problems)
    # A template may show a finding's front matter without including its body: it depends on the file.
    doc.sources |= context.sources | {f.source.path for f in findings}
    if target.spec.journal:
        doc.meta.word_count = count_words(doc, target.spec.journal.count_excludes)
    add_front_matter(doc, corpus.fs)
    if glyphs:
        if fonts is not None:
            fonts.result()  # the fonts it read are parsed once per process: check_glyphs finds them parsed
        check_glyphs(doc, corpus.fs, problems)  # the cover too: an author's name in Chinese
    clean_document(doc)  # the one place control characters leave the text, for every writer
    return doc


def render_documents(session: BuildSession, targets: list[Target], formats: list[OutputFormat] | None,
                     renderer: Renderer, console: Console) -> list[Rendered]:
    """Prepare every target, then render them all and check their budgets; all or nothing.

    Every target is prepared before any is rendered, so one run reports the problems of all of them.
    Warnings go to the console; errors stop the run with every one of them listed.
    """
    problems = Problems(list(session.corpus.problems))  # front matter in error: still report what follows
    try:
        session.data.check()
    except BuildError as exc:  # the documents would only repeat the data's errors
        problems.extend(exc.problems)
        problems.raise_if_errors()
    prepared: list[Prepared] = []
    fonts = read_fonts_ahead(session) if any("pdf" in (formats or target.spec.formats) for target in targets) \
        else None
    for target in targets:
        wanted = list(formats or target.spec.formats)
        try:
            doc = prepare(session, target, problems, glyphs="pdf" in wanted, fonts=fonts)
        except BuildError as exc:
            problems.extend(exc.problems)
            continue
        prepared.append(Prepared(target, doc, wanted))
    problems.raise_if_errors()
    ctx = WriteContext(session.corpus.fs, session.epoch, provenance=session.provenance)
    for item in prepared:
        hint = session.cache.get_json("pages", Cache.key("pages", item.target.stem))
        if isinstance(hint, dict) and all(isinstance(page, int) for page in hint.values()):
            item.doc.meta.contents_pages = hint  # a damaged hint is only a second layout
    with console.progress(len(prepared), "rendering") as tick:
        results = renderer.render(prepared, ctx, done=tick)
    for rendered in results:
        pages = contents_pages(rendered.prepared.doc, rendered.anchors)
        if pages:  # the hint for the next layout of this document's contents
            session.cache.put_json("pages", Cache.key("pages", rendered.prepared.target.stem), pages)
        problems.extend(budget_problems(session.corpus, rendered.prepared.target, rendered.prepared.doc,
                                        pages=rendered.pages, anchors=rendered.anchors,
                                        allow_overlength=session.options.allow_overlength))
    for problem in problems:
        if problem.severity is Severity.WARNING:
            console.problem(problem)
    problems.raise_if_errors()
    return results


def read_fonts_ahead(session: BuildSession) -> Background[frozenset[int]]:
    """Start parsing the shipped fonts for the glyph check in a thread: it computes while the build waits on
    Pandoc (citations on a cold cache), rather than after, on the way to the PDF layout."""
    fs = session.corpus.fs
    return Background(lambda: covered_characters(fs, fs.root / "assets" / "fonts"))


def build(root: Path, targets: Callable[[Corpus], Iterable[Target]], formats: list[OutputFormat] | None,
          options: BuildOptions, *, console: Console | None = None, force: bool = False, jobs: int | None = None,
          request: str = "", renderer: Renderer | None = None, provenance: Provenance | None = None) -> Report:
    """Build the chosen targets into build/: all or nothing, and only what changed unless `force`.

    `jobs` is the number of worker processes laying out PDFs (default: one per core; 0 lays them out
    in this process). A caller that has started a `Renderer` already, as the command line does before
    its heavy imports, passes it in; so does one that has read the project's `provenance` already.
    """
    started = time.perf_counter()
    console = console or Console(quiet=True)
    if renderer is None:
        wants_pdf = formats is None or "pdf" in formats
        renderer = Renderer((jobs if jobs is not None else os.cpu_count() or 1) if wants_pdf else 0)
    with fewer_collections():
        try:
            session = BuildSession.open(root, options, provenance=provenance, keep_going=True)
            session.references.read_ahead()  # Pandoc reads the .bib on the other core meanwhile
            state = State.load(root)
            inputs = scan_inputs(root, state.inputs)
            chosen = list(targets(session.corpus))
            report = Report()
            keys = {target.name: _key(session, target, formats, inputs,
                                      state.targets[_record(target, formats)].deps
                                      if _record(target, formats) in state.targets else [])
                    for target in chosen}
            todo = [target for target in chosen if force or session.corpus.problems  # to report all, then stop
                    or not _up_to_date(root, state, _record(target, formats), keys[target.name])]
            report.up_to_date = [target.name for target in chosen if target not in todo]
            if session.corpus.problems and not todo:
                raise BuildError(session.corpus.problems)
            results = render_documents(session, todo, formats, renderer, console) if todo else []
            report.written = _write(root, results)
            session.keep_cache()  # only once the outputs are in place: a failed build writes nothing
            saved = _remember(session, state, inputs, results, formats, request, chosen)
            remove_outputs(root, saved.prune(root, {target.name for target in all_targets(session.corpus)}))
            write_manifest(root, saved, session.provenance.text)
        finally:
            renderer.close()
    report.seconds = time.perf_counter() - started
    return report


def extra_files(root: Path, extras: list[dict[str, bytes]]) -> list[tuple[Path, bytes]]:
    """Return where the files a writer makes beside its output go (the DOCX's copy of its review manifest,
    `build/anchors/<commit>/`), for `write_all` to write with the outputs, all or none."""
    return [(build_file(root, f"{BUILD_DIR}/{name}"), data) for files in extras for name, data in files.items()]


def _write(root: Path, results: list[Rendered]) -> list[Written]:
    """Check every destination first, then write all the files or none, so neither a bad name nor a full
    disk leaves some documents new and others old."""
    planned = [(output_path(root, r.prepared.target.folder, f"{r.prepared.target.stem}.{fmt}"),
                r, fmt, result.data) for r in results for fmt, result in r.outputs.items()]
    extras = extra_files(root, [result.extras for r in results for result in r.outputs.values()])
    write_all([(path, data) for path, _, _, data in planned] + extras)
    return [Written(rendered.prepared.target.name, path, len(data), rendered.seconds[fmt])
            for path, rendered, fmt, data in planned]


def _record(target: Target, formats: list[OutputFormat] | None) -> str:
    """Name a target's record: a build of some formats does not stand for a build of all of them."""
    return target.name + (f"[{','.join(sorted(formats))}]" if formats else "")


def _deps(inputs: dict[str, FileStamp], sources: Iterable[str]) -> list[str]:
    """A target depends on every input but other findings and sections: those it includes are listed."""
    shared = [path for path in inputs if not path.startswith(PER_TARGET_FOLDERS)]
    return sorted({*shared, *sources})


def _key(session: BuildSession, target: Target, formats: list[OutputFormat] | None,
         inputs: dict[str, FileStamp], deps: list[str]) -> str:
    options = session.options
    findings = [f.meta.id for f in selected_findings(session.corpus, target, options.include_drafts)]
    return target_key(inputs, deps, __version__, target.spec.model_dump_json(), target.audience_id, findings,
                      options.include_drafts, options.allow_overlength, formats, session.provenance.text,
                      os.environ.get("SOURCE_DATE_EPOCH", ""))


def _up_to_date(root: Path, state: State, name: str, key: str) -> bool:
    from ..store.state import outputs_intact

    record = state.targets.get(name)
    return record is not None and record.key == key and outputs_intact(root, record)


def _remember(session: BuildSession, state: State, inputs: dict[str, FileStamp], results: list[Rendered],
              formats: list[OutputFormat] | None, request: str, chosen: list[Target]) -> State:
    root = session.root
    for rendered in results:
        target = rendered.prepared.target
        deps = _deps(inputs, rendered.prepared.doc.sources)
        outputs = []
        for fmt, result in rendered.outputs.items():
            path = output_path(root, target.folder, f"{target.stem}.{fmt}")
            outputs.append(OutputRecord(path.relative_to(root).as_posix(), fmt, len(result.data),
                                        sha256(result.data), path.stat().st_mtime_ns))
        state.targets[_record(target, formats)] = TargetRecord(_key(session, target, formats, inputs, deps), deps,
                                                               outputs, figure_records(rendered.prepared.doc))
    state.inputs = inputs
    if request:
        state.requests[request] = [_record(target, formats) for target in chosen]
    return state.save(root, [_record(r.prepared.target, formats) for r in results])
