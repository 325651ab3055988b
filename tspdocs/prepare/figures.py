"""List every figure a document prints from the data, with its base and definition, for auditors.

The same list goes into build/manifest.json (per output), into `tspdocs
check` (which names every figure suppressed in every variant) and, when a
template asks with `figures_appendix()`, into an appendix "About these
figures" that a reviewer can check against the data without reading code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .. import tree as t
from ..labels import label

APPENDIX_CLASS = "figures-appendix"


def figure_records(doc: t.Document) -> list[dict[str, Any]]:
    """Return the figures a document prints in prose and tables, in reading order."""
    records: list[dict[str, Any]] = []
    for block in t.walk(t.document_blocks(doc)):
        for inlines in t.block_inlines(block):
            for node in t.walk_inlines(inlines):
                if isinstance(node, t.Quantity):
                    records.append({"value": node.name, "text": node.text, "number": node.value, "base": node.base,
                                    "definition": node.definition, "scope": node.scope,
                                    "where": str(node.loc) if node.loc else ""})
    for table, heading, column, cell in data_cells(doc):
        if table.attr.id:
            records.append({"table": table.attr.id, "row": heading, "column": column.name,
                            "text": cell.mark or t.plain_text(_inlines(cell)), "number": cell.value,
                            "base": cell.base, "suppressed": cell.mark})
    return records


def data_cells(doc: t.Document) -> Iterator[tuple[t.Table, str, t.Column, t.Cell]]:
    """Yield every survey figure in a table (a cell with a base or a shorthand): its table, row heading,
    column and cell."""
    for table in t.walk(t.document_blocks(doc)):
        if not isinstance(table, t.Table):
            continue
        for row in (*table.body, *table.foot):
            heading = t.plain_text(_inlines(row.cells[0])) if row.cells else ""
            for column, cell in zip(table.columns, row.cells, strict=False):
                if cell.base is not None or cell.mark:
                    yield table, heading, column, cell


def _inlines(cell: t.Cell) -> list[t.Inline]:
    return [node for block in cell.blocks if isinstance(block, t.Para | t.Plain) for node in block.children]


def fill_figures_appendix(doc: t.Document) -> None:
    """Fill each appendix placeholder with a table of the prose figures: what each says, how it is
    computed, over which rows, and on how many respondents."""
    prose = [r for r in figure_records(doc) if "value" in r]
    for block in t.walk(doc.blocks):
        if isinstance(block, t.Div) and APPENDIX_CLASS in block.attr.classes and not block.blocks:
            block.blocks = _appendix(prose, block)


def _appendix(records: list[dict[str, Any]], where: t.Div) -> list[t.Block]:
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for record in records:
        seen.setdefault((record["value"], record["scope"]), record)
    titles = ["Figure", "Value", "How it is computed", "Rows", "Base"]
    head = [t.Row([_cell(title, "right" if title == "Base" else None) for title in titles])]
    body = [t.Row([_cell(r["text"]), _cell(r["value"]), _cell(r["definition"]), _cell(_unbroken(r["scope"])),
                   _cell(f"{r['base']:,}" if r["base"] is not None else "", "right")]) for r in seen.values()]
    columns = [t.Column(None), t.Column(None), t.Column(None), t.Column(None), t.Column("right", kind="integer")]
    table = t.Table(columns, head, body, caption=[t.Text(label("figures-appendix-caption"))],
                    attr=t.Attr("tbl:about-these-figures"), row_headers=1, loc=where.loc)
    note = t.Para([t.Text(label("figures-appendix-note"))], loc=where.loc)
    heading = t.Heading(1, [t.Text(label("figures-appendix"))], t.Attr("sec:about-these-figures", ["unnumbered"]),
                        loc=where.loc)
    return [heading, note, table]


def _unbroken(scope: str) -> str:
    """Join each condition's words ("all rows", "area = Ashdale") with no-break spaces: lines break only
    between conditions, so the narrow Rows column is never left with "all" above "rows"."""
    return ", ".join(part.replace(" ", "\u00a0") for part in scope.split(", "))


def _cell(text: str, align: t.Align = None) -> t.Cell:
    return t.Cell([t.Plain([t.Text(text)])], align)
