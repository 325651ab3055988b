"""Budgets: a briefing's pages and words, a journal's word limit. Over budget fails the build."""

from __future__ import annotations

from .. import tree as t
from ..errors import Problem, Severity
from ..project.readers import Corpus
from ..project.targets import Target, spec_location
from .wordcount import count_words


def budget_problems(corpus: Corpus, target: Target, doc: t.Document, *, pages: int | None = None,
                    anchors: dict[str, float] | None = None, allow_overlength: bool = False) -> list[Problem]:
    """Return an error for each budget the document exceeds (none with `allow_overlength`), and a warning
    when a briefing falls short of its minimum pages. Pages are known only once a PDF is laid out."""
    spec = target.spec
    problems: list[Problem] = []
    over = "cut text or pass --allow-overlength"
    journal = spec.journal
    if journal and journal.word_limit and (doc.meta.word_count or 0) > journal.word_limit:
        problems.append(Problem(f"{target.name} has {doc.meta.word_count:,} words by the journal's rule, over its "
                                f"limit of {journal.word_limit:,}; {over}", "over-budget",
                                spec_location(corpus, target, "journal")))
    budget = spec.budget
    if budget is not None:
        where = spec_location(corpus, target, "budget")
        words = count_words(doc, excludes=("references", "title"))
        if words > budget.words:
            problems.append(Problem(f"{target.name} has {words:,} words, over its budget of {budget.words:,}; {over}",
                                    "over-budget", where))
        if pages is not None and pages > budget.pages:
            problems.append(Problem(f"{target.name} runs to {pages} pages, over its budget of {budget.pages}; "
                                    f"longest sections: {_longest(doc, anchors or {}, pages)}; {over}",
                                    "over-budget", where))
        if pages is not None and pages < budget.min_pages:
            problems.append(Problem(f"{target.name} runs to {pages} page{'s' if pages != 1 else ''}, under the "
                                    f"{budget.min_pages} its budget expects", "under-budget", where, Severity.WARNING))
    if allow_overlength:
        problems = [p for p in problems if p.code != "over-budget"]
    return problems


def _longest(doc: t.Document, anchors: dict[str, float], pages: int) -> str:
    """Name the three top-level sections that take the most pages, from where their headings fall."""
    headings = [(anchors[b.attr.id], b) for b in doc.blocks if isinstance(b, t.Heading) and b.level == 1
                and b.attr.id in anchors]
    headings.sort(key=lambda item: item[0])
    spans = []
    for index, (start, heading) in enumerate(headings):
        stop = headings[index + 1][0] if index + 1 < len(headings) else float(pages)
        spans.append((stop - start, t.plain_text(heading.children)))
    spans.sort(key=lambda item: -item[0])
    return ", ".join(f"{title} ({length:.1f} pages)" for length, title in spans[:3]) or "(none found)"
