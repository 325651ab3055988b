"""The evidence matrix: research questions against sources of evidence, counting the findings in each cell.

An empty cell is a gap in the evidence, shown as a dash so that readers and
the team can see at a glance which questions rest on thin ground.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ... import tree as t
from ...labels import label
from ...project.model import Finding
from ..context import PrepareContext
from .common import directive_options, inline_markdown

DEFAULT_CAPTION = "Findings behind each research question, by source of evidence"


class MatrixOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str | None = "tbl:evidence-matrix"
    caption: str = DEFAULT_CAPTION
    scope: Literal["document", "all"] = "document"


def evidence_counts(findings: list[Finding], questions: list[str], sources: list[str]) -> dict[tuple[str, str], int]:
    """Return how many findings answer each question from each source."""
    counts = {(q, s): 0 for q in questions for s in sources}
    for finding in findings:
        for question in finding.meta.questions:
            for source in finding.meta.evidence:
                if (question, source) in counts:
                    counts[question, source] += 1
    return counts


def evidence_matrix(directive: t.Directive, ctx: PrepareContext) -> list[t.Block]:
    options: MatrixOptions = directive_options(directive, MatrixOptions)
    project = ctx.corpus.project
    findings = list(ctx.corpus.findings.values()) if options.scope == "all" else ctx.findings
    ctx.sources.update(f.source.path for f in findings)
    questions, sources = list(project.research_questions), list(project.evidence)
    counts = evidence_counts(findings, questions, sources)
    columns = [t.Column(None, name="question")] + [t.Column("right", name=s, kind="integer") for s in sources]
    columns.append(t.Column("right", name="findings", kind="integer"))
    head = [t.Row([_cell("Research question")] + [_cell(project.evidence[s].name, "right") for s in sources]
                  + [_cell("Findings", "right")])]
    body = []
    for question in questions:
        answering = sum(1 for f in findings if question in f.meta.questions)
        cells = [_cell(f"{question}: {project.research_questions[question].title}")]
        cells += [_cell(str(counts[question, s]) if counts[question, s] else "–", "right", counts[question, s])
                  for s in sources]
        cells.append(_cell(str(answering) if answering else "–", "right", answering))
        body.append(t.Row(cells))
    table = t.Table(columns, head, body, loc=directive.loc, row_headers=1)
    table.attr.id = options.label or ""
    table.caption = inline_markdown(options.caption, directive.loc, ctx)
    table.notes = [t.Para([t.Strong([t.Text(label("note"))]), t.Text(
        " Each cell counts the findings in this document that answer the question and draw on that source; "
        "a finding may draw on several sources. A dash marks a gap in the evidence.")])]
    return [table]


def _cell(text: str, align: t.Align = None, value: object = None) -> t.Cell:
    return t.Cell([t.Plain([t.Text(text)])], align, value if value is not None else text)
