"""Replace inline shortcodes by what they name: `{{< value respondents >}}`, `{{< meta contact.email >}}`.

A value is computed from the project's data and formatted by one rule, so a
report and a briefing quoting the same figure cannot disagree. Nothing an
editor writes here is evaluated: names are looked up, never executed.
"""

from __future__ import annotations

from pydantic import BaseModel

from .. import tree as t
from ..errors import BuildError
from ..project.validation import known_names
from .context import PrepareContext


def resolve_shortcodes(doc: t.Document, ctx: PrepareContext) -> None:
    for inlines in t.inline_lists(t.document_blocks(doc)):
        for index, node in enumerate(inlines):
            if isinstance(node, t.Shortcode):
                inlines[index] = t.Text(_text(node, ctx), loc=node.loc)


def _text(node: t.Shortcode, ctx: PrepareContext) -> str:
    if len(node.args) != 1:
        ctx.problems.error(f"{{{{< {node.name} >}}}} takes exactly one name, e.g. {{{{< {node.name} respondents >}}}}",
                           "shortcode", node.loc)
        return "??"
    name = node.args[0]
    try:
        if node.name == "value":
            return ctx.data.value(name, node.loc).text
        if node.name == "meta":
            return _meta(name, ctx, node)
    except BuildError as exc:
        ctx.problems.extend(exc.problems)
        return "??"
    ctx.problems.error(f"unknown shortcode '{node.name}'; inline shortcodes are value and meta",
                       "shortcode", node.loc)
    return "??"


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
