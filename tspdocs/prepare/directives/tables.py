"""Present data as tree nodes: ```{table} blocks become numbered tables, ```{chart} blocks figures.

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
from .registry import DirectiveContext, directive_options, inline_markdown

NUMERIC = ("integer", "number", "fraction", "likert")


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnView(Options):
    title: str | None = None
    format: str | None = None
    align: Literal["left", "right", "center"] | None = None
    zero: str | None = None

    @model_validator(mode="after")
    def _known_format(self) -> ColumnView:
        if self.format and not is_format(self.format):
            raise ValueError(f"unknown format {self.format!r}: use integer, decimal1, decimal2, percent, percent1, text")
        return self


class TotalsView(Options):
    label: str = "Total"
    columns: list[str] | None = None


class TableOptions(Options):
    label: str | None = None
    caption: Text | None = None
    columns: dict[str, str | ColumnView] | None = None
    totals: str | TotalsView | None = None
    notes: str | list[str] | None = None
    source: str | None = None
    row_headers: int = Field(0, ge=0, le=3)
    where: dict[str, Any] = Field(default_factory=dict)


class ChartOptions(Options):
    type: Literal["bar", "stacked-bar", "line"]
    alt: Text | None = None  # required, but refused with its own message below
    x: str
    y: dict[str, str] | list[str]
    label: str | None = None
    caption: Text | None = None
    format: str = "number"
    horizontal: bool = False
    show_data: bool = False
    y_label: str | None = None
    notes: str | list[str] | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _known_format(self) -> ChartOptions:
        if not is_format(self.format):
            raise ValueError(f"unknown format {self.format!r}: use integer, decimal1, percent, percent1")
        return self


def table_directive(directive: t.Directive, ctx: DirectiveContext) -> list[t.Block]:
    options: TableOptions = directive_options(directive, TableOptions)
    rows = _rows(directive, ctx, options.where)
    views = _views(options.columns, rows.columns, directive.loc)
    rows.require(list(views), directive.loc)
    table = build_table(rows, views, options.totals, directive.loc)
    table.row_headers = options.row_headers
    _dress(table, options, directive, ctx)
    return [table]


def _rows(directive: t.Directive, ctx: DirectiveContext, where: dict[str, Any]) -> Rows:
    if not directive.argument:
        raise fail(f"```{{{directive.name}}} needs the name of a table from content/data/tables.yaml "
                   f"after it, e.g. ```{{{directive.name}}} timetable", "directive", directive.loc)
    rows = ctx.data.rows(directive.argument, directive.loc)
    return rows.where(where, directive.loc) if where else rows


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


def _dress(node: t.Table | t.Figure, options: TableOptions | ChartOptions, directive: t.Directive,
           ctx: DirectiveContext) -> None:
    """Give a table or figure its label, caption, notes and Source line."""
    loc = directive.loc
    if options.label:
        node.attr.id = options.label
    if options.caption:
        node.caption = inline_markdown(options.caption, loc, ctx.problems)
    notes = [options.notes] if isinstance(options.notes, str) else list(options.notes or [])
    for note in notes:
        node.notes.append(t.Para([t.Strong([t.Text("Note:")]), t.Text(" "),
                                  *inline_markdown(note, loc, ctx.problems)], loc=loc))
    if options.source:
        node.notes.append(t.Para([t.Strong([t.Text("Source:")]), t.Text(" "),
                                  *inline_markdown(options.source, loc, ctx.problems)], loc=loc))


def chart_directive(directive: t.Directive, ctx: DirectiveContext) -> list[t.Block]:
    from ...data.charts import Chart, drawn_chart

    options: ChartOptions = directive_options(directive, ChartOptions)
    if not options.alt:
        raise fail(f"```{{chart}} {directive.argument} has no `alt:` text; describe what the chart shows "
                   "for readers who cannot see it", "alt-text", directive.loc)
    rows = _rows(directive, ctx, {})
    series = options.y if isinstance(options.y, dict) else {name: name for name in options.y}
    rows.require([options.x, *series], directive.loc)
    rows.require_numbers(list(series), directive.loc)
    chart = Chart(options.type, options.x, series, options.format, options.horizontal, options.y_label or "")
    svg, png, size = drawn_chart(rows, chart, ctx.corpus.root / "assets" / "fonts", ctx.data.memo) \
        if ctx.render else (b"", b"", (0, 0))
    image = t.Image(directive.argument, options.alt, data=svg, mime="image/svg+xml", raster=png,
                    width_px=size[0], height_px=size[1], loc=directive.loc)
    figure = t.Figure(image, loc=directive.loc)
    _dress(figure, options, directive, ctx)
    blocks: list[t.Block] = [figure]
    if options.show_data:
        views = {options.x: ColumnView(title=_title(options.x)),
                 **{name: ColumnView(title=title, format=options.format) for name, title in series.items()}}
        table = build_table(rows, views, None, directive.loc)
        table.row_headers = 1
        figure_label = options.label or ""
        table.caption = [t.Text("Data for "), t.Ref(figure_label, kind="fig")] if figure_label else \
            [t.Text("Data for the chart above")]
        if figure_label:
            table.attr.id = "tbl:" + figure_label.removeprefix("fig:") + "-data"
        blocks.append(table)
    return blocks


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()
