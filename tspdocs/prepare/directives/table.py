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
            raise ValueError(f"unknown format {self.format!r}: use integer, decimal1, decimal2, percent, percent1, text")
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


def table_directive(directive: t.Directive, ctx: PrepareContext) -> list[t.Block]:
    options: TableOptions = directive_options(directive, TableOptions)
    rows = directive_rows(directive, ctx, options.where)
    views = _views(options.columns, rows.columns, directive.loc)
    rows.require(list(views), directive.loc)
    table = build_table(rows, views, options.totals, directive.loc)
    table.row_headers = options.row_headers
    dress(table, directive, ctx, label=options.label, caption=options.caption, notes=options.notes,
          source=options.source)
    return [table]


def _views(columns: dict[str, str | ColumnView] | None, available: list[str],
           loc: Location | None) -> dict[str, ColumnView]:
    if columns is None:
        return {name: ColumnView(title=name) for name in available}
    return {name: ColumnView(title=view) if isinstance(view, str) else view for name, view in columns.items()}


def build_table(rows: Rows, views: dict[str, ColumnView], totals: str | TotalsView | None,
                loc: Location | None) -> t.Table:
    """Return a table node from rows: one typed column per view, numbers right-aligned."""
    columns = []
    formats = {}
    for name, view in views.items():
        kind = rows.kinds.get(name, "text")
        align = view.align or ("right" if kind in NUMERIC else None)
        columns.append(t.Column(align, name=name, kind=kind))
        formats[name] = view.format or _default_format(kind)
    head = [t.Row([t.Cell([t.Plain([t.Text(view.title or name)])], col.align)
                   for (name, view), col in zip(views.items(), columns)])]
    body = []
    for record in rows.records:
        cells = []
        for (name, view), column in zip(views.items(), columns):
            value = record[name]
            text = format_value(value, formats[name], zero=view.zero)
            cells.append(t.Cell([t.Plain([t.Text(text)])], column.align, value))
        body.append(t.Row(cells))
    foot = [_totals_row(rows, views, columns, formats, totals, loc)] if totals else []
    return t.Table(columns, head, body, foot, loc=loc)


def _default_format(kind: str) -> str:
    return {"integer": "integer", "likert": "integer", "number": "decimal1", "fraction": "percent"}.get(kind, "text")


def _totals_row(rows: Rows, views: dict[str, ColumnView], columns: list[t.Column], formats: dict[str, str],
                totals: str | TotalsView, loc: Location | None) -> t.Row:
    spec = TotalsView(label=totals) if isinstance(totals, str) else totals
    summed = spec.columns or [c.name for c in columns if c.kind in ("integer", "number")]
    unknown = [c for c in summed if c not in views]
    if unknown:
        raise fail(f"totals: no column {', '.join(unknown)} in this table", "data-column", loc)
    rows.require_numbers(summed, loc)
    cells = []
    for index, column in enumerate(columns):
        if column.name in summed:
            value = sum(v for v in rows.column(column.name) if v is not None)
            cells.append(t.Cell([t.Plain([t.Text(format_value(value, formats[column.name]))])],
                                column.align, value))
        elif index == 0:
            cells.append(t.Cell([t.Plain([t.Text(spec.label)])], column.align, spec.label))
        else:
            cells.append(t.Cell([t.Plain([])], column.align))
    return t.Row(cells)


