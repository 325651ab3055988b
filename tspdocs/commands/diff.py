"""`tspdocs diff OLD [NEW] DOCUMENT`: a redline between two revisions, built from each revision's own files.

Each revision is exported from git into a scratch folder and prepared by the
same steps as `build` (`build.prepare`); the working tree, when it is the
newer side, is prepared where it is. The two trees are compared
(tspdocs/compare), and the marked tree goes through the ordinary writers into
build/<document>/<document>-changes-OLD-NEW.{docx,html,pdf}, written all or
nothing. The HTML and PDF open with a summary of the changes; the DOCX has
Word's tracked changes and nothing that neither revision contains.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from .. import tree as t
from ..compare import compare_documents
from ..errors import BuildError, Location, Problem, Problems
from ..project.model import OutputFormat
from ..project.targets import Target, briefing_target, named_targets
from ..store.cache import Cache
from ..store.output import output_path, write_all
from ..store.snapshot import Authors, Revision, export_project, utc
from ..writers.base import WriteContext
from .build import prepare
from .render import Prepared, Renderer
from .session import BuildOptions, BuildSession

WORKING_TREE = "working"  # how the working tree is named in file names and labels
T = TypeVar("T")
SUMMARY_FORMATS: frozenset[OutputFormat] = frozenset({"html", "pdf"})


@dataclass(frozen=True)
class DiffRequest:
    """What to compare: two revisions (NEW None for the working tree) of one document or briefing."""

    old: str
    new: str | None
    document: str = ""
    audience: str = ""
    formats: list[OutputFormat] | None = None
    options: BuildOptions = field(default_factory=BuildOptions)
    label: str = ""  # one author for every change instead of git's


@dataclass
class DiffReport:
    """What a diff wrote: the redlines, the documents unchanged between the revisions, and how many changes."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # targets identical at both revisions
    changes: int = 0


def diff_revisions(root: Path, request: DiffRequest, *, jobs: int = 1) -> DiffReport:
    """Build the document at both revisions, compare the trees and write the redlines; all or nothing."""
    old = Revision.resolve(root, request.old)
    new = Revision.resolve(root, request.new) if request.new is not None else None
    cache = Cache(root)
    with ExitStack() as stack:
        before = _open(root, old, cache, request.options, stack)
        after = _open(root, new, cache, request.options, stack)
        new_name = new.name if new else WORKING_TREE
        label = request.label or f"tspdocs {old.name} → {new_name}"
        pairs = _targets(before, after, request, old.name)
        report = DiffReport()
        items: list[Prepared] = []
        for old_target, new_target in pairs:
            older = _prepare(before, old_target, old.name)
            newer = _prepare(after, new_target, new_name)
            authors = Authors(root, old, new, (label, utc(after.epoch)),
                              label=label if new_target.spec.anonymise or request.label else "")
            redline = compare_documents(older, newer, authors, title=f"Changes from {old.name} to {new_name}",
                                        lines=authors.lines)
            if redline.unchanged:
                report.unchanged.append(new_target.name)
                continue
            report.changes += len(redline.changes)
            items.extend(_outputs(new_target, redline.doc, redline.summary,
                                  request.formats or list(new_target.spec.formats)))
        if items:
            report.written = _render(root, items, WriteContext(after.corpus.fs, after.epoch), jobs,
                                     _stem(old.name), _stem(new_name))
        cache.commit()
    return report


def _open(root: Path, revision: Revision | None, cache: Cache, options: BuildOptions,
          stack: ExitStack) -> BuildSession:
    """Open the project at a revision (exported into a scratch folder), or in the working tree for None."""
    if revision is None:
        return _at(WORKING_TREE, lambda: BuildSession.open(root, options))
    scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tspdocs-diff-")))
    project = export_project(root, revision, scratch)
    return _at(revision.name, lambda: BuildSession.open(project, options, provenance=revision.provenance(root),
                                                         cache=cache))


def _targets(before: BuildSession, after: BuildSession, request: DiffRequest, old: str) -> list[tuple[Target, Target]]:
    """Return the targets to compare, each at both revisions, paired by name."""
    def choose(session: BuildSession) -> list[Target]:
        if request.audience:
            return [briefing_target(session.corpus, request.audience)]
        return named_targets(session.corpus, request.document)

    newer = choose(after)  # a name mistyped is the user's mistake, as in `tspdocs build`
    try:
        older = {target.name: target for target in choose(before)}
    except BuildError:  # the corpus is read already: only the name can be unknown there
        older = {}
    missing = [target.name for target in newer if target.name not in older]
    if missing:
        raise BuildError([Problem(f"{', '.join(missing)} does not exist at revision {old!r}; compare a revision "
                                  "that has it", "diff-revision", Location(f"{old}:"))])
    return [(older[target.name], target) for target in newer]


def _prepare(session: BuildSession, target: Target, revision: str) -> t.Document:
    problems = Problems()
    doc = _at(revision, lambda: prepare(session, target, problems))
    try:
        problems.raise_if_errors()
    except BuildError as exc:
        raise _at_revision(exc, revision) from None
    return doc


def _at(revision: str, step: Callable[[], T]) -> T:
    try:
        return step()
    except BuildError as exc:
        raise _at_revision(exc, revision) from None


def _at_revision(exc: BuildError, revision: str) -> BuildError:
    """Name the revision in front of every problem's file, as git does (`v1.0:content/…`), and say first
    which revision could not be built."""
    problems = [replace(p, location=Location(f"{revision}:{p.location.path}", p.location.line, p.location.col)
                        if p.location else Location(f"{revision}:")) for p in exc.problems]
    head = Problem(f"the document does not build at revision {revision!r}; fix it there (or compare another "
                   "revision); its problems follow", "diff-revision", Location(f"{revision}:"))
    return BuildError([head, *problems])


def _outputs(target: Target, doc: t.Document, summary: list[t.Block],
             formats: list[OutputFormat]) -> list[Prepared]:
    """The HTML and PDF open with the summary; the DOCX is the marked document alone."""
    with_summary = [fmt for fmt in formats if fmt in SUMMARY_FORMATS]
    plain = [fmt for fmt in formats if fmt not in SUMMARY_FORMATS]
    items = []
    if with_summary:
        items.append(Prepared(target, replace(doc, blocks=[*summary, *doc.blocks]), with_summary))
    if plain:
        items.append(Prepared(target, doc, plain))
    return items


def _render(root: Path, items: list[Prepared], ctx: WriteContext, jobs: int, old: str, new: str) -> list[Path]:
    renderer = Renderer(jobs if any("pdf" in item.formats for item in items) else 0)
    try:
        results = renderer.render(items, ctx)
    finally:
        renderer.close()
    files = [(output_path(root, r.prepared.target.folder, f"{r.prepared.target.stem}-changes-{old}-{new}.{fmt}"),
              result.data) for r in results for fmt, result in r.outputs.items()]
    write_all(files)
    return [path for path, _ in files]


def _stem(revision: str) -> str:
    """Return a revision's name fit for a file name: `release/v1.0` -> `release-v1.0`."""
    return re.sub(r"[^\w.+-]+", "-", revision).strip("-.") or "revision"
