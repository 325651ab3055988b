"""The ```{chart} directive: a bar, stacked-bar or line chart drawn from a data table, as a numbered figure."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ... import labels
from ... import tree as t
from ...data.formats import is_format
from ...data.rows import Rows
from ...data.suppression import FigurePolicy, base_range, explain, mark
from ...errors import fail
from ...project.model import Text
from ..context import PrepareContext
from .common import directive_options, directive_rows, dress
from .table import ColumnView, DirectiveModel, build_table


class ChartOptions(DirectiveModel):
    type: Literal["bar", "stacked-bar", "line"]
    alt: Text | None = None  # required, but refused with its own message below
    x: str
    y: dict[str, str] | list[str]
    label: str | None = None
    caption: Text | None = None
    format: str = "number"
    min_base: int | None = Field(None, ge=1)
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


def chart_directive(directive: t.Directive, ctx: PrepareContext) -> list[t.Block]:
    from ...data.charts import Chart, drawn_chart

    options: ChartOptions = directive_options(directive, ChartOptions)
    if not options.alt:
        raise fail(f"```{{chart}} {directive.argument} has no `alt:` text; describe what the chart shows "
                   "for readers who cannot see it", "alt-text", directive.loc)
    rows = directive_rows(directive, ctx, {})
    series = options.y if isinstance(options.y, dict) else {name: name for name in options.y}
    rows.require([options.x, *series], directive.loc)
    rows.require_numbers(list(series), directive.loc)
    policy = ctx.policy.with_min_base(options.min_base)
    marks: dict[str, list[str]] = {name: [mark(record[name], rows.kinds.get(name, "number"), rows.base(i, name), policy)
                    for i, record in enumerate(rows.records)] for name in series}
    drawn = Rows(rows.columns, rows.kinds, [{**record, **{name: None for name in series if marks[name][i]}}
                                            for i, record in enumerate(rows.records)], rows.bases)
    chart = Chart(options.type, options.x, series, options.format, options.horizontal, options.y_label or "",
                  marks, rows.kinds.get(options.x, "text"))
    fonts = ctx.corpus.root / "assets" / "fonts"
    art = drawn_chart(drawn, chart, ctx.corpus.fs, fonts, ctx.data.cache) if ctx.render else None
    image = t.Image(directive.argument, options.alt, data=art.svg if art else b"", mime="image/svg+xml",
                    raster=art.png if art else b"", narrow=art.phone_svg if art else None,
                    width_px=art.size[0] if art else 0, height_px=art.size[1] if art else 0, loc=directive.loc)
    figure = t.Figure(image, loc=directive.loc)
    dress(figure, directive, ctx, label=options.label, caption=options.caption, notes=options.notes,
          source=options.source)
    _state_bases(figure, rows, list(series), [m for column in marks.values() for m in column], policy)
    blocks: list[t.Block] = [figure]
    if options.show_data:
        views = {options.x: ColumnView(title=_title(options.x)),
                 **{name: ColumnView(title=title, format=options.format) for name, title in series.items()}}
        table = build_table(rows, views, None, directive.loc, policy)
        table.row_headers = 1
        figure_label = options.label or ""
        table.caption = [t.Text("Data for "), t.Ref(figure_label, kind="fig")] if figure_label else \
            [t.Text("Data for the chart above")]
        if figure_label:
            table.attr.id = "tbl:" + figure_label.removeprefix("fig:") + "-data"
        blocks.append(table)
    return blocks


def _state_bases(figure: t.Figure, rows: Rows, series: list[str], marks: list[str], policy: FigurePolicy) -> None:
    """Say in the chart's notes how many respondents stand behind its bars, and what any shorthand means."""
    bases = base_range([rows.base(i, name) for i in range(len(rows.records)) for name in series])
    if bases:
        phrase = policy.base_phrase(bases) + (" per bar" if "–" in bases else "")
        figure.notes.append(t.Para([t.Strong([t.Text(labels.label("base"))]), t.Text(" " + phrase + ".")],
                                   loc=figure.loc))
    for sentence in explain(marks, policy):
        figure.notes.append(t.Para([t.Text(sentence)], loc=figure.loc))


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()
