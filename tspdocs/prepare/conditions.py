"""Keep text only where the data bears it out: `when=` claims, checked in every document and variant.

An author states what a passage depends on, in the attribute syntax the
project already reads:

    ::: {when="agree_efficiency_private > agree_efficiency_public"}
    Private sector respondents were more positive.
    :::
    ::: {.otherwise}
    Views on efficiency did not differ by type of organisation.
    :::

and the same inline, `[more positive]{when="…"}[no more positive]{.otherwise}`.
The claim is parsed by `claims.py`, never evaluated as Python, and checked
against the figures of the variant being built (a local area's, for an area
briefing). A figure too small to print is unknown, so a claim resting on it
does not hold. A claim that fails where its text has no alternative stops the
build at its line, naming the claim, the variant and the figures with their
bases.
"""

from __future__ import annotations

from typing import Any, TypeVar

from .. import tree as t
from ..errors import BuildError, Location
from .claims import Figure, parse_claim
from .context import PrepareContext

OTHERWISE = "otherwise"
ALL_PREFIX = "all."


def apply_claims(blocks: list[t.Block], ctx: PrepareContext) -> list[t.Block]:
    """Return `blocks` with every `when` block and span resolved for this variant; the claims inside a
    block that is left out are not checked, as they are not published."""
    kept = _resolve(blocks, t.Div, ctx)
    for inlines in t.inline_lists(kept):
        inlines[:] = _resolve(inlines, t.Span, ctx)
    return kept


Conditional = TypeVar("Conditional", t.Block, t.Inline)
WHAT = {t.Div: "an ::: {.otherwise} block must follow a ::: {when=\"…\"} block directly",
        t.Span: "an [...]{.otherwise} span must follow a [...]{when=\"…\"} span directly"}


def _resolve(nodes: list[Conditional], kind: type[t.Div] | type[t.Span], ctx: PrepareContext) -> list[Conditional]:
    """Replace each `when` node of `kind` (and the `.otherwise` right after it) by what this variant shows;
    blocks are resolved at every depth, inline lists one at a time by the caller."""
    out: list[Conditional] = []
    index = 0
    while index < len(nodes):
        node = nodes[index]
        if isinstance(node, kind) and OTHERWISE in node.attr.classes:
            ctx.problems.error(WHAT[kind], "claim", node.loc)
            index += 1
            continue
        if isinstance(node, kind) and "when" in node.attr.values:
            following = nodes[index + 1] if index + 1 < len(nodes) else None
            otherwise = following if isinstance(following, kind) and OTHERWISE in following.attr.classes \
                and "when" not in following.attr.values else None
            chosen = _choose(node, node.attr.values["when"], otherwise, ctx)
            out.extend(_resolve(_unwrap(chosen), kind, ctx) if chosen is not None else [])
            index += 2 if otherwise is not None else 1
            continue
        if isinstance(node, t.Block):
            for children in t.child_blocks(node):
                children[:] = _resolve(children, kind, ctx)
        out.append(node)
        index += 1
    return out


def _choose(node: t.Div | t.Span, text: str, otherwise: t.Div | t.Span | None,
            ctx: PrepareContext) -> t.Div | t.Span | None:
    """Return the node to keep: the claim's own when it holds, else its alternative; report a failing claim
    that has none."""
    where = node.loc
    try:
        claim = parse_claim(text, where)
        verdict = claim.evaluate(lambda name: figure(name, ctx, where))
    except BuildError as exc:
        ctx.problems.extend(exc.problems)
        return None
    if verdict.holds:
        return node
    if otherwise is None:
        ctx.problems.error(f"the claim {str(claim)!r} does not hold in {ctx.variant}: {verdict.explain()}; reword "
                           "the text, or give an alternative in an {.otherwise} block or span right after it",
                           "claim-fails", where)
    return otherwise


def figure(name: str, ctx: PrepareContext, where: Location | None) -> Figure:
    """Return a value as a claim sees it: unknown (None) when it has no data or too few respondents to print.

    `all.name` is the figure over every row, whatever the variant's scope (a local area's briefing can
    compare its own figure with the one for all areas)."""
    quoted = ctx.quoted(name.removeprefix(ALL_PREFIX), where, all_areas=name.startswith(ALL_PREFIX))
    value = quoted.value
    printable = not quoted.shorthand and isinstance(value.value, int | float)
    return Figure(float(value.value) if printable else None, value.base, value.text)


def _unwrap(node: t.Div | t.Span) -> list[Any]:
    """Return what a resolved node shows: its content, still wrapped if it has attributes of its own."""
    kept = _kept(node.attr)
    if isinstance(node, t.Div):
        return [t.Div(node.blocks, kept, loc=node.loc)] if kept.id or kept.classes or kept.values else node.blocks
    return [t.Span(node.children, kept, loc=node.loc)] if kept.id or kept.classes or kept.values else node.children


def _kept(attr: t.Attr) -> t.Attr:
    """Return the attributes a resolved block keeps: its own, without the claim machinery."""
    return t.Attr(attr.id, [c for c in attr.classes if c != OTHERWISE],
                  {k: v for k, v in attr.values.items() if k != "when"})

