"""`tspdocs check`: every check a build makes, and more, without rendering a single page.

Reports like a compiler, `file:line:col: severity [code] message`, or as
one JSON object for CI. Errors are what would stop a build; warnings are
what a careful editor would want to know: findings no document uses,
questions with no evidence, drafts an audience would have taken, typed
numbers that should be quoted values, and plain English in briefings.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from .. import tree as t
from ..assemble.assembly import selected_findings
from ..checks.budgets import budget_problems
from ..checks.plainenglish import lint_briefing
from ..data import Data
from ..errors import BuildError, Location, Problem, Problems, Severity, merged
from ..prepare.figures import data_cells
from ..project.readers import PROJECT_FILE, Corpus
from ..project.targets import Target, all_targets, briefing_target, for_place
from ..project.yamlio import line_at
from .build import prepare
from .session import BuildSession

_ATTRIBUTE = re.compile(r'\b[\w-]+="[^"]*"')
_TYPED_PERCENT = re.compile(r"(?<![\w{<.])(\d{1,3}(?:\.\d)?)\s?%")
_QUOTED_VALUE = re.compile(r"\{\{<\s*value\s+([\w.-]+)")


def check_project(root: Path, by: str | None = None) -> list[Problem]:
    """Return every problem in the project, errors first within each file, sorted by place.

    With `by` (a data column such as `area`), every briefing is also checked for every place in that
    column, as `tspdocs brief --by` would build it: its claims, its figures' bases, what it suppresses.
    The session reads what earlier builds cached, and a check never commits the cache: it writes nothing.
    """
    try:
        session = BuildSession.open(root, keep_going=True)
    except BuildError as exc:
        return exc.problems
    corpus = session.corpus
    problems = Problems(list(corpus.problems))
    try:
        session.data.check()
    except BuildError as exc:
        problems.extend(exc.problems)
    try:
        _check_targets(session, problems)
        if by:
            _check_places(session, by, problems)
    except BuildError as exc:  # a document definition that cannot even be expanded into targets
        problems.extend(exc.problems)
    _check_coverage(corpus, problems)
    _check_typed_numbers(corpus, session.data, problems)
    return sorted(merged(_with_columns(corpus, problems.items)),
                  key=lambda p: (p.location.path if p.location else "", (p.location.line or 0) if p.location else 0,
                                 (p.location.col or 0) if p.location else 0, p.code))


def _check_targets(session: BuildSession, problems: Problems) -> None:
    corpus = session.corpus
    taken: set[str] = set()
    for target in all_targets(corpus):
        taken.update(f.meta.id for f in selected_findings(corpus, target, False))
        doc = _checked(session, target, problems)
        if doc is None:
            continue
        if target.audience is not None:
            problems.extend(lint_briefing(doc, corpus.documents.lint.for_audience(target.audience)))
        drafts = [f for f in selected_findings(corpus, target, True) if f.meta.status == "draft"]
        if target.audience is not None:
            for finding in drafts:
                # A draft waiting for approval is the workflow, not a fault: noted, never failing --strict.
                problems.info(f"draft finding {finding.meta.id} would go into {target.name} (left out until "
                              "approved, or pass --include-drafts)", "draft-selected",
                              Location(finding.source.path, finding.line_of("status")))
        if drafts:
            # Drafts are checked too, as they would go in once approved.
            with_drafts = Problems()
            try:
                prepare(session, target, with_drafts, render=False, include_drafts=True)
            except BuildError as exc:
                with_drafts.extend(exc.problems)
            problems.extend(with_drafts.errors)
    for finding in corpus.findings.values():
        if finding.meta.id not in taken and finding.meta.status != "draft":
            problems.warning(f"finding {finding.meta.id} is in no document: no document's selection takes it",
                             "orphan-finding", Location(finding.source.path, finding.line_of("id")))


def _check_places(session: BuildSession, column: str, problems: Problems) -> None:
    """Check every audience's briefing for every place, without rendering."""
    from .batch import areas

    places = areas(session, column)
    for audience in session.corpus.project.audiences:
        for place in places:
            _checked(session, for_place(briefing_target(session.corpus, audience), column, place), problems)


def _checked(session: BuildSession, target: Target, problems: Problems) -> t.Document | None:
    """Prepare one target as a build would, without rendering, and add what a build would say of it:
    its budgets and every figure it suppresses. Return None if it cannot even be prepared."""
    try:
        doc = prepare(session, target, problems, render=False)
    except BuildError as exc:
        problems.extend(exc.problems)
        return None
    problems.extend(budget_problems(session.corpus, target, doc))
    _report_suppressed(doc, target.variant, problems)
    return doc


def _report_suppressed(doc: t.Document, variant: str, problems: Problems) -> None:
    """Name every table cell shown as a shorthand instead of its figure, so an editor sees what readers miss."""
    for table, heading, column, cell in data_cells(doc):
        if cell.mark:
            base = f", base {cell.base}" if cell.base is not None else ""
            problems.info(f"{table.attr.id or 'table'}: {heading} / {column.name or 'column'} shown as "
                          f"{cell.mark}{base} in {variant}", "suppressed", table.loc)


def _check_coverage(corpus: Corpus, problems: Problems) -> None:
    for question in corpus.project.research_questions:
        answering = [f for f in corpus.findings.values() if question in f.meta.questions and f.meta.status != "draft"]
        if not answering:
            problems.warning(f"research question {question} has no finding with evidence behind it",
                             "no-evidence", Location(PROJECT_FILE,
                                                     line_at(corpus.project_data, ["research_questions", question])))


def _check_typed_numbers(corpus: Corpus, data: Data, problems: Problems) -> None:
    """Warn about percentages typed into prose: quoted values stay the same in every document."""
    known: dict[str, list[str]] = {}
    for name in data.spec.values:
        try:
            value = data.value(name, None)
        except BuildError as exc:
            problems.extend(exc.problems)
            continue
        known.setdefault(value.text, []).append(name)
        spec = data.spec.values[name]
        counts_nothing = spec.operation in ("count", "distinct") and bool(spec.where) and value.value == 0
        if value.value is None or counts_nothing:
            problems.warning(f"value {name!r} has no data: its `where` selects no rows, so no document can quote it"
                             + (" (it would print 0)" if counts_nothing else ""), "no-data", data.where("values", name))
    sources = [f.source for f in corpus.findings.values()] + [s.source for s in corpus.sections.values()]
    for source in sources:
        lines = source.text.split("\n")
        for number, line in enumerate(lines, source.first_line):
            if line.lstrip().startswith(("```", "caption:", "alt:", "source:", "|")):
                continue
            line = _ATTRIBUTE.sub(lambda m: " " * len(m[0]), line)  # claims such as when="x > 50%"
            for match in _TYPED_PERCENT.finditer(line):
                typed = f"{match[1]}%"
                context = _quoted_rows(data, _paragraph(lines, number - source.first_line))
                same = [name for name in known.get(typed, []) if _rows(data, name) in context]
                hint = f" {' or '.join(f'{{{{< value {n} >}}}}' for n in same)} gives {typed}" if same else ""
                problems.add(Problem(f"{typed} is typed into the text; quote a value from the data instead so "
                                     f"every document agrees{';' if hint else ''}{hint}", "typed-number",
                                     Location(source.path, number, match.start() + 1), Severity.WARNING))


def _paragraph(lines: list[str], index: int) -> str:
    """Return the paragraph around line `index`: the lines up to the blank ones either side."""
    start, end = index, index
    while start > 0 and lines[start - 1].strip():
        start -= 1
    while end + 1 < len(lines) and lines[end + 1].strip():
        end += 1
    return "\n".join(lines[start:end + 1])


def _quoted_rows(data: Data, paragraph: str) -> set[tuple[str, str]]:
    """Return the table and rows of every value the paragraph quotes: the context a typed figure is in."""
    return {_rows(data, name) for name in _QUOTED_VALUE.findall(paragraph) if name in data.spec.values}


def _rows(data: Data, name: str) -> tuple[str, str]:
    """Return which rows a value counts: its table and its `where`. A typed figure is that value only when
    the paragraph around it quotes the same rows; the same percentage of another group is another figure."""
    spec = data.spec.values[name]
    return spec.table, repr(sorted(spec.where.items()))


def _with_columns(corpus: Corpus, problems: list[Problem]) -> list[Problem]:
    """Add a column to plain-English warnings by finding their quoted words on the source line."""
    lines: dict[str, list[str]] = {}
    out = []
    for problem in problems:
        loc = problem.location
        quoted = re.search(r"“([^”]+)”", problem.message)
        if loc is None or loc.col is not None or loc.line is None or not quoted:
            out.append(problem)
            continue
        if loc.path not in lines:
            try:
                lines[loc.path] = corpus.fs.read_text(corpus.root / loc.path).split("\n")
            except BuildError:
                lines[loc.path] = []
        text = lines[loc.path][loc.line - 1] if 0 < loc.line <= len(lines[loc.path]) else ""
        words = quoted[1].rstrip("…").split()[:3]
        column = text.find(" ".join(words)) if words else -1
        if column < 0 and words:
            column = text.find(words[0])
        out.append(replace(problem, location=Location(loc.path, loc.line, column + 1 if column >= 0 else None)))
    return out
