"""What directives share: reading a directive's YAML body, Markdown in captions, and dressing a table or figure.

A directive's body is YAML, read with line numbers, so a mistake in it is
reported at the line of the Markdown file where the editor made it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from ... import labels
from ... import tree as t
from ...data.rows import Rows
from ...errors import BuildError, Location, fail
from ...project.validation import validate
from ...project.yamlio import load_yaml
from ..context import PrepareContext

M = TypeVar("M", bound=BaseModel)


def directive_options(directive: t.Directive, model: type[M]) -> M:
    """Read and validate a directive's YAML body, reporting errors at its lines in the Markdown file."""
    path = directive.loc.path if directive.loc else "(template)"
    data = load_yaml(directive.body, path, first_line=directive.body_line) if directive.body.strip() else {}
    options, problems = validate(model, data if data is not None else {}, path, line=directive.body_line,
                                 context=f"{{{directive.name}}}")
    if options is None:
        raise BuildError(problems)
    return options


def inline_markdown(text: str, where: Location | None, ctx: PrepareContext) -> list[t.Inline]:
    """Parse a caption or note written in Markdown, keeping its place for messages."""
    path = where.path if where else "(generated)"
    blocks = ctx.parses.blocks(text, path, (where.line or 1) if where else 1, ctx.problems)
    if len(blocks) == 1 and isinstance(blocks[0], t.Para | t.Plain):
        return blocks[0].children
    if not blocks:
        return []
    raise fail("a caption, note or source must be a single paragraph", "directive", where)


def directive_rows(directive: t.Directive, ctx: PrepareContext, where: dict[str, Any]) -> Rows:
    """Return the rows of the data table a directive names, filtered by its `where`."""
    if not directive.argument:
        raise fail(f"```{{{directive.name}}} needs the name of a table from content/data/tables.yaml "
                   f"after it, e.g. ```{{{directive.name}}} timetable", "directive", directive.loc)
    rows = ctx.data.rows(directive.argument, directive.loc)
    return rows.where(where, directive.loc) if where else rows


def dress(node: t.Table | t.Figure, directive: t.Directive, ctx: PrepareContext, *, label: str | None,
          caption: str | None, notes: str | list[str] | None, source: str | None) -> None:
    """Give a table or figure its label, caption, notes and Source line."""
    loc = directive.loc
    if label:
        node.attr.id = label
    if caption:
        node.caption = inline_markdown(caption, loc, ctx)
    for note in [notes] if isinstance(notes, str) else list(notes or []):
        node.notes.append(t.Para([t.Strong([t.Text(labels.label("note"))]), t.Text(" "),
                                  *inline_markdown(note, loc, ctx)], loc=loc))
    if source:
        node.notes.append(t.Para([t.Strong([t.Text(labels.label("source"))]), t.Text(" "),
                                  *inline_markdown(source, loc, ctx)], loc=loc))
