"""Replace inline shortcodes by what they name: `{{< value respondents >}}`, `{{< meta contact.email >}}`.

A value is computed from the project's data and formatted by one rule, so a
report and a briefing quoting the same figure cannot disagree. Nothing an
editor writes here is evaluated: names are looked up, never executed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from .. import tree as t
from ..errors import BuildError, Location, fail
from ..project.validation import known_names
from .context import PrepareContext

if TYPE_CHECKING:
    from ..data import Data


def resolve_shortcodes(doc: t.Document, ctx: PrepareContext) -> None:
    """Replace `{{< value … >}}` by the figure it names and `{{< meta … >}}` by the project field."""
    for inlines in t.inline_lists(t.document_blocks(doc)):
        for index, node in enumerate(inlines):
            if isinstance(node, t.Shortcode):
                inlines[index] = _resolve(node, ctx)
            elif isinstance(node, t.Link) and "{{<" in node.url:
                node.url = _resolve_target(node.url, node.loc, ctx)
            elif isinstance(node, t.Image) and "{{<" in node.src:
                node.src = _resolve_target(node.src, node.loc, ctx)
    for block in t.walk(t.document_blocks(doc)):
        if isinstance(block, t.Figure) and "{{<" in block.image.src:
            block.image.src = _resolve_target(block.image.src, block.image.loc, ctx)


def _resolve_target(target: str, where: Location | None, ctx: PrepareContext) -> str:
    """Return a link target or image source with its shortcodes replaced, then checked and encoded as
    markdown-it does a target written out (so a `javascript:` one is dropped as it would be there)."""
    def value(name: str, args: list[str]) -> str:
        node = _resolve(t.Shortcode(name, args, loc=where), ctx)
        return node.text if isinstance(node, t.Text | t.Quantity) else "??"

    from ..markdown import parser  # a shortcode in a link target is rare: the parser loads only for one
    from ..markdown.shortcode_syntax import substitute

    url = substitute(target, value)
    md = parser()
    return md.normalizeLink(url) if md.validateLink(url) else ""


def _resolve(node: t.Shortcode, ctx: PrepareContext) -> t.Inline:
    words = [a for a in node.args if "=" not in a]
    options = dict(a.split("=", 1) for a in node.args if "=" in a)
    if len(words) != 1:
        ctx.problems.error(f"{{{{< {node.name} >}}}} takes exactly one name, e.g. {{{{< {node.name} respondents >}}}}",
                           "shortcode", node.loc)
        return t.Text("??", loc=node.loc)
    try:
        if node.name == "value":
            return quantity(words[0], options, ctx, node.loc)
        if node.name == "meta" and not options:
            return t.Text(_meta(words[0], ctx, node), loc=node.loc)
    except BuildError as exc:
        ctx.problems.extend(exc.problems)
        return t.Text("??", loc=node.loc)
    ctx.problems.error(f"unknown shortcode '{node.name}' or option {', '.join(options)}; inline shortcodes are "
                       "value (with base=true or scope=all) and meta", "shortcode", node.loc)
    return t.Text("??", loc=node.loc)


def quantity(name: str, options: dict[str, str], ctx: PrepareContext, where: Location | None) -> t.Quantity:
    """Return a figure for prose, refusing one the data cannot support in this variant.

    A value with no rows behind it, or too few respondents (under the policy's `min_base`), is never
    printed as a number: with `on_low_base: fail` the build stops here, naming the figure, the variant
    and its base, and the author puts the sentence in a `when` block with an alternative.
    """
    unknown = set(options) - {"base", "scope"}
    if unknown or options.get("base", "false") not in ("true", "false") or options.get("scope", "") not in ("", "all"):
        raise fail(f"value {name!r}: options are base=true and scope=all, not "
                   f"{' '.join(f'{k}={v}' for k, v in options.items())}", "shortcode", where)
    quoted = ctx.quoted(name, where, all_areas=options.get("scope") == "all")
    data, value, policy, shorthand = quoted.data, quoted.value, quoted.policy, quoted.shorthand
    scope = describe_scope(data)
    if shorthand:
        needed = policy.min_count if shorthand == "[c]" else policy.min_base
        reason = "has no data" if shorthand == "[x]" else \
            f"rests on {value.base} respondents, fewer than the {needed} it needs"
        guard = f'::: {{when="base({name}) >= {policy.min_base}"}}'
        raise fail(f"value {name!r} {reason} in {ctx.variant} ({scope}), so it may not be printed; put the sentence "
                   f"in a block that holds only when it can be, e.g. {guard}, followed by an ::: {{.otherwise}} "
                   "alternative, or quote the figure for all areas (scope=all)", "low-base", where)
    text = value.text
    if options.get("base") == "true" and value.base is not None:
        text = f"{text} ({policy.base_phrase(value.base)})"
    return t.Quantity(name, text, value.value, value.base, data.describe(name), scope, loc=where)


def describe_scope(data: Data) -> str:
    """Say which rows a figure counts: "all rows", or the variant's, such as "area = Ashdale"."""
    return ", ".join(f"{column} = {value}" for column, value in data.scope.items()) or "all rows"


def _meta(path: str, ctx: PrepareContext, node: t.Shortcode) -> str:
    """Look up a project.yaml field by dotted path, through model fields only."""
    current: object = ctx.corpus.project
    for step in path.split("."):
        fields = type(current).model_fields if isinstance(current, BaseModel) else {}
        if isinstance(current, dict) and step in current:
            current = current[step]
        elif step in fields:
            current = getattr(current, step)
        else:
            choices = list(current) if isinstance(current, dict) else list(fields)
            ctx.problems.error(known_names(step, choices, "project field") or step, "shortcode", node.loc)
            return "??"
    if isinstance(current, BaseModel | dict | list):
        ctx.problems.error(f"project field {path!r} is not a single piece of text", "shortcode", node.loc)
        return "??"
    return str(current)
