"""Pandoc's grid tables: cells drawn with `+---+` and `|`, each holding blocks (paragraphs, lists, code).

    +---------+------------------+
    | Sector  | What helped      |
    +=========+==================+
    | Health  | - shared targets |
    |         | - one budget     |
    +---------+------------------+

Grid tables are how Pandoc authors write a cell with several paragraphs or a list, which a pipe table
cannot hold. A `+===+` line ends the header rows; colons in it (or in the first line, with no header) set
each column's alignment, as in Pandoc. Each cell's text is cut out of its rectangle, its common
indentation removed (so a number pushed right with spaces stays a number, where Pandoc would read four
spaces as code), and read as Markdown of its own; its tokens go in the main stream (so footnotes and
link references are the document's), their lines moved to where the cell is. A table that does not
line up, or whose cells span rows or columns, is refused at the line that does not (a `refused` token)
rather than read as a paragraph of `+` and `|`.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import dataclass, field
from itertools import pairwise

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from mdit_py_plugins.utils import is_code_block

_BORDER = re.compile(r"\+(?:[-:]+\+)+")
_SEPARATOR = re.compile(r"\+(?:[-=:]+\+)+")


@dataclass
class _Grid:
    """A grid table as read so far: its column edges, alignments, rows and header rows."""

    columns: list[int]  # where each `+` of the first line is
    aligns: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # first line, one text per column
    head: int = 0  # how many of the rows are header rows


class _Unreadable(ValueError):
    """The table does not line up at line `offset` of it; the message says what to change."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset


def grid_table_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before("table", "grid_table", grid_table)


def grid_table(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if is_code_block(state, start_line) or not _BORDER.fullmatch(_text(state, start_line)):
        return False
    if start_line + 1 >= end_line or not _text(state, start_line + 1).startswith("|"):
        return False
    if silent:
        return True
    line = start_line
    while (line < end_line and _text(state, line)[:1] in ("+", "|") and state.sCount[line] >= state.blkIndent
           and not is_code_block(state, line)):
        line += 1
    try:
        grid = _read([_on_grid(_text(state, n)) for n in range(start_line, line)], start_line)
    except _Unreadable as exc:
        token = state.push("refused", "", 0)
        token.map = [start_line + exc.offset, line]
        token.meta = {"message": str(exc), "code": "grid-table"}
        state.line = line
        return True
    _push_tokens(state, grid, [start_line, line])
    state.line = line
    return True


def _text(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]].rstrip()


def _on_grid(text: str) -> list[str]:
    """Return a line as what stands in each column of the screen: a wide (East Asian) character takes two
    columns, the second left empty, and a combining accent none, joining the letter before it; so a
    table lined up by eye lines up here, as it does for Pandoc."""
    columns: list[str] = []
    for char in text:
        if unicodedata.combining(char) and columns:
            columns[-1] += char
        else:
            columns.append(char)
            if unicodedata.east_asian_width(char) in ("W", "F"):
                columns.append("")
    return columns


def _read(grid_lines: list[list[str]], first: int) -> _Grid:
    """Cut the table into rows and cells; `first` is the source line of `grid_lines[0]`."""
    lines = ["".join(columns) for columns in grid_lines]
    grid = _Grid([i for i, char in enumerate(lines[0]) if char == "+"])
    content: list[list[str]] = []
    width = len(lines[0])
    for offset, (text, columns) in enumerate(zip(lines[1:], grid_lines[1:], strict=True), 1):
        if text.startswith("+"):
            if not _SEPARATOR.fullmatch(text) or _pluses(text) != grid.columns:
                raise _Unreadable(offset, f"this border of a grid table does not line up with its first line "
                                          f"{lines[0]!r}; tspdocs reads grid tables whose cells span no rows or "
                                          "columns: draw each cell's +---+ border in every row")
            if "=" in text:
                if grid.head or (not grid.rows and not content):
                    raise _Unreadable(offset, "a grid table has one +===+ line, under its header rows")
                grid.aligns = _aligns(text, grid.columns)
            if content:
                grid.rows.append((first + offset - len(content), _cells(content, grid.columns)))
                content = []
            if "=" in text:
                grid.head = len(grid.rows)
        elif len(columns) != width or any(columns[i] != "|" for i in grid.columns):
            raise _Unreadable(offset, f"this row of a grid table does not line up with its first line: its | "
                                      f"must stand under each + of {lines[0]!r}; a cell may not span columns")
        else:
            content.append(columns)
    if content or not grid.rows:
        raise _Unreadable(0, "this grid table has no +---+ line under its last row; end it with one")
    if not grid.aligns:
        grid.aligns = _aligns(lines[0], grid.columns)
    return grid


def _pluses(text: str) -> list[int]:
    return [i for i, char in enumerate(text) if char == "+"]


def _aligns(border: str, columns: list[int]) -> list[str]:
    """Return each column's alignment from the colons of a border, as Pandoc reads them."""
    aligns = []
    for left, right in pairwise(columns):
        segment = border[left + 1:right]
        starts, ends = segment.startswith(":"), segment.endswith(":")
        aligns.append("center" if starts and ends else "left" if starts else "right" if ends else "")
    return aligns


def _cells(lines: list[list[str]], columns: list[int]) -> list[str]:
    cells = []
    for left, right in pairwise(columns):
        text = "\n".join("".join(line[left + 1:right]).rstrip() for line in lines)
        cells.append(textwrap.dedent(text).strip("\n") + "\n")
    return cells


def _push_tokens(state: StateBlock, grid: _Grid, lines: list[int]) -> None:
    """Push the table's tokens, each cell's blocks read as Markdown of their own at the cell's lines."""
    token = state.push("grid_table_open", "table", 1)
    token.map = lines
    token.meta = {"aligns": grid.aligns, "head": grid.head}
    for row_index, (row_line, cells) in enumerate(grid.rows):
        state.push("grid_row_open", "tr", 1).map = [row_line, row_line + 1]
        for text in cells:
            cell = state.push("grid_cell_open", "th" if row_index < grid.head else "td", 1)
            cell.map = [row_line, row_line + 1]
            _tokenize_cell(state, text, row_line)
            state.push("grid_cell_close", cell.tag, -1)
        state.push("grid_row_close", "tr", -1)
    state.push("grid_table_close", "table", -1)


def _tokenize_cell(state: StateBlock, text: str, row_line: int) -> None:
    first = len(state.tokens)
    inner = StateBlock(text, state.md, state.env, state.tokens)
    inner.level = state.level  # so a table nested in a cell counts towards markdown-it's nesting limit
    state.md.block.tokenize(inner, 0, inner.lineMax)
    for token in state.tokens[first:]:
        if token.map is not None:
            token.map = [token.map[0] + row_line, token.map[1] + row_line]
