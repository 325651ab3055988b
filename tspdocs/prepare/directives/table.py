"""The ```{table} directive: a data table as a numbered table node, typed columns and formatted cells.

Tables enter the tree as typed columns with their formatted text, never as
Markdown to be re-parsed; numbers are right-aligned and formatted by the
same rules as the values quoted in prose.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ... import tree as t
from ...data.formats import format_value, is_format
from ...data.rows import Rows
from ...data.suppression import FigurePolicy, base_range, explain, mark, protect_totals
from ...errors import Location, fail
from ...project.model import Text
from ..context import PrepareContext
from .common import directive_options, directive_rows, dress

NUMERIC = ("integer", "number", "fraction", "likert")


class DirectiveModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnView(DirectiveModel):
    title: str | None = None
    format: str | None = None
    align: Literal["left", "right", "center"] | None = None
    zero: str | None = None

    @model_validator(mode="after")
    def _known_format(self) -> ColumnView:
        if self.format and not is_format(self.format):
            raise ValueError(f"unknown format {self.format!r}: use integer, decimal1, decimal2, percent, percent1, "
                             "text")
        return self


class TotalsView(DirectiveModel):
    label: str = "Total"
    columns: list[str] | None = None


class TableOptions(DirectiveModel):
    label: str | None = None
    caption: Text | None = None
    columns: dict[str, str | ColumnView] | None = None
    totals: str | TotalsView | None = None
    notes: str | list[str] | None = None
    source: str | None = None
    row_headers: int = Field(0, ge=0, le=3)
    where: dict[str, Any] = Field(default_factory=dict)
    base: Literal["row", "column"] | None = None  # show each column's (row) or each row's (column) base
    base_title: str = "Base (respondents)"
    min_base: int | None = Field(None, ge=1)


def table_directive(directive: t.Directive, ctx: PrepareContext) -> list[t.Block]:
    options: TableOptions = directive_options(directive, TableOptions)
    rows = directive_rows(directive, ctx, options.where)
    views = _views(options.columns, rows.columns, directive.loc)
    rows.require(list(views), directive.loc)
    policy = ctx.policy.with_min_base(options.min_base)
    table = build_table(rows, views, options.totals, directive.loc, policy)
    if options.base:
        add_bases(table, options.base, options.base_title, policy)
    table.row_headers = options.row_headers
    table.data = directive.argument
    dress(table, directive, ctx, label=options.label, caption=options.caption, notes=options.notes,
          source=options.source)
    explain_marks(table, policy)
    return [table]


def _views(columns: dict[str, str | ColumnView] | None, available: list[str],
           loc: Location | None) -> dict[str, ColumnView]:
    if columns is None:
        return {name: ColumnView(title=name) for name in available}
    return {name: ColumnView(title=view) if isinstance(view, str) else view for name, view in columns.items()}


def build_table(rows: Rows, views: dict[str, ColumnView], totals: str | TotalsView | None,
                loc: Location | None, policy: FigurePolicy) -> t.Table:
    """Return a table node from rows: one typed column per view, numbers right-aligned, and every figure
    whose base is too small shown by its shorthand instead of its number."""
    columns = []
    formats = {}
    for name, view in views.items():
        kind = rows.kinds.get(name, "text")
        align = view.align or ("right" if kind in NUMERIC else None)
        columns.append(t.Column(align, name=name, kind=kind))
        formats[name] = view.format or _default_format(kind)
    head = [t.Row([t.Cell([t.Plain([t.Text(view.title or name)])], col.align)
                   for (name, view), col in zip(views.items(), columns, strict=True)])]
    body = []
    for index, record in enumerate(rows.records):
        cells = []
        for (name, view), column in zip(views.items(), columns, strict=True):
            value, base = record[name], rows.base(index, name)
            shorthand = mark(value, column.kind, base, policy)
            text = shorthand or format_value(value, formats[name], zero=view.zero)
            cells.append(t.Cell([t.Plain([t.Text(text)])], column.align, value, base, shorthand))
        body.append(t.Row(cells))
    foot = [_totals_row(rows, body, views, columns, formats, totals, loc, policy)] if totals else []
    return t.Table(columns, head, body, foot, loc=loc)


def add_bases(table: t.Table, where: str, title: str, policy: FigurePolicy) -> None:
    """Add a base column (each row's respondents) or a base row (each column's), as the Analysis Function's
    guidance asks of a table of percentages; a range where the cells' bases differ. A base is a count of
    respondents, so one small enough to identify someone is [c] like any other count."""
    if where == "column":
        table.columns.append(t.Column("right", name="base", kind="integer"))
        table.head[0].cells.append(t.Cell([t.Plain([t.Text(title)])], "right"))
        for row in table.body:
            row.cells.append(_base_cell([c.base for c in row.cells], policy))
        for row in table.foot:
            row.cells.append(t.Cell([t.Plain([])], "right"))
        return
    cells = [t.Cell([t.Plain([t.Text(title)])], table.columns[0].align)]
    cells += [_base_cell([row.cells[i].base for row in table.body], policy) for i in range(1, len(table.columns))]
    table.foot.append(t.Row(cells))


def _base_cell(bases: list[int | None], policy: FigurePolicy) -> t.Cell:
    known = [b for b in bases if b is not None]
    shorthand = mark(min(known), "integer", min(known), policy) if known else ""
    text = shorthand or base_range(known)
    return t.Cell([t.Plain([t.Text(text)] if text else [])], "right", max(known, default=None),
                  min(known, default=None), shorthand)


def explain_marks(node: t.Table, policy: FigurePolicy) -> None:
    """Add a note saying what each shorthand in the table means, once, after the table's own notes."""
    used = [cell.mark for row in (*node.body, *node.foot) for cell in row.cells if cell.mark]
    for sentence in explain(used, policy):
        node.notes.append(t.Para([t.Text(sentence)], loc=node.loc))


def _default_format(kind: str) -> str:
    return {"integer": "integer", "likert": "integer", "number": "decimal1", "fraction": "percent"}.get(kind, "text")


def _totals_row(rows: Rows, body: list[t.Row], views: dict[str, ColumnView], columns: list[t.Column],
                formats: dict[str, str], totals: str | TotalsView, loc: Location | None,
                policy: FigurePolicy) -> t.Row:
    """Return the totals row; a total that would give away a suppressed cell above it is suppressed too."""
    spec = TotalsView(label=totals) if isinstance(totals, str) else totals
    # By default only whole-number columns (counts, days) are summed: a total of means, medians or shares
    # means nothing. `columns:` chooses explicitly.
    summed = spec.columns or [c.name for c in columns if c.kind == "integer"]
    unknown = [c for c in summed if c not in views]
    if unknown:
        raise fail(f"totals: no column {', '.join(unknown)} in this table", "data-column", loc)
    rows.require_numbers(summed, loc)
    revealing = protect_totals([[row.cells[i].mark for row in body] for i in range(len(columns))])
    cells = []
    for index, column in enumerate(columns):
        if column.name in summed:
            value = sum(v for v in rows.column(column.name) if v is not None)
            bases = [row.cells[index].base for row in body]
            base = sum(b for b in bases if b is not None) if any(b is not None for b in bases) else None
            shorthand = mark(value, column.kind, base, policy) or ("[c]" if revealing[index] else "")
            text = shorthand or format_value(value, formats[column.name])
            cells.append(t.Cell([t.Plain([t.Text(text)])], column.align, value, base, shorthand))
        elif index == 0:
            cells.append(t.Cell([t.Plain([t.Text(spec.label)])], column.align, spec.label))
        else:
            cells.append(t.Cell([t.Plain([])], column.align))
    return t.Row(cells)


