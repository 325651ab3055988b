"""Expand ```{name} blocks into tree nodes: data tables, charts and the evidence matrix.

A directive's body is YAML, read with line numbers, so a mistake in it is
reported at the line of the Markdown file where the editor made it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from ... import tree as t
from ...errors import BuildError, Location, Problems, fail
from ...markdown.treebuilder import build_blocks
from ...project.model import Finding
from ...project.readers import Corpus
from ...project.validation import known_names, validate
from ...project.yamlio import load_yaml

if TYPE_CHECKING:
    from ...data import Data  # imported for real by build; pandas stays unimported until a table is asked for


@dataclass
class DirectiveContext:
    corpus: Corpus
    findings: list[Finding]
    problems: Problems
    data: Data
    render: bool = True  # False when only checking: charts are validated but not drawn
    sources: set[str] = field(default_factory=set)  # files a directive read, for incremental builds


Handler = Callable[[t.Directive, DirectiveContext], list[t.Block]]


def _handlers() -> dict[str, Handler]:
    from .evidence_matrix import evidence_matrix
    from .tables import chart_directive, table_directive

    return {"table": table_directive, "chart": chart_directive, "evidence-matrix": evidence_matrix}


def expand_directives(blocks: list[t.Block], ctx: DirectiveContext) -> list[t.Block]:
    """Replace every directive in `blocks` (at any depth) by the nodes it stands for."""
    handlers: dict[str, Handler] | None = None
    out: list[t.Block] = []
    for block in blocks:
        if isinstance(block, t.Directive):
            handlers = handlers or _handlers()
            handler = handlers.get(block.name)
            if handler is None:
                ctx.problems.error(known_names(block.name, list(handlers), "directive") or block.name,
                                   "directive", block.loc)
                continue
            try:
                out.extend(handler(block, ctx))
            except BuildError as exc:
                ctx.problems.extend(exc.problems)
            continue
        for children in t.child_blocks(block):
            children[:] = expand_directives(children, ctx)
        out.append(block)
    return out


def directive_options(directive: t.Directive, model: type[BaseModel]) -> Any:
    """Read and validate a directive's YAML body, reporting errors at its lines in the Markdown file."""
    path = directive.loc.path if directive.loc else "(template)"
    data = load_yaml(directive.body, path, first_line=directive.body_line) if directive.body.strip() else {}
    options, problems = validate(model, data if data is not None else {}, path, line=directive.body_line,
                                 context=f"{{{directive.name}}}")
    if options is None:
        raise BuildError(problems)
    return options


def inline_markdown(text: str, where: Location | None, problems: Problems) -> list[t.Inline]:
    """Parse a caption or note written in Markdown, keeping its place for messages."""
    path = where.path if where else "(generated)"
    blocks = build_blocks(text, path, (where.line or 1) if where else 1, problems)
    if len(blocks) == 1 and isinstance(blocks[0], t.Para | t.Plain):
        return blocks[0].children
    if not blocks:
        return []
    raise fail("a caption, note or source must be a single paragraph", "directive", where)
