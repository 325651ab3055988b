"""Expand ```{name} blocks into tree nodes, each by the directive module registered under its name."""

from __future__ import annotations

from collections.abc import Callable

from ... import tree as t
from ...errors import BuildError
from ...project.validation import known_names
from ..context import PrepareContext
from .chart import chart_directive
from .evidence_matrix import evidence_matrix
from .table import table_directive

Directive = Callable[[t.Directive, PrepareContext], list[t.Block]]

DIRECTIVES: dict[str, Directive] = {
    "table": table_directive,
    "chart": chart_directive,
    "evidence-matrix": evidence_matrix,
}


def expand_directives(blocks: list[t.Block], ctx: PrepareContext) -> list[t.Block]:
    """Replace every directive in `blocks` (at any depth) by the nodes it stands for."""
    out: list[t.Block] = []
    for block in blocks:
        if isinstance(block, t.Directive):
            handler = DIRECTIVES.get(block.name)
            if handler is None:
                ctx.problems.error(known_names(block.name, list(DIRECTIVES), "directive") or block.name,
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
