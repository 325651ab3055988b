"""Pipe tables whose rows are indented by four or more spaces, read as Pandoc reads them.

markdown-it's table rule ends a table at the first row indented by four spaces or more and reads that row
as the start of a code block; Pandoc keeps such rows in the table. So do we: before markdown-it's rule
runs, the rows under a delimiter row have their indentation counted as the table's own for as long as
they look like rows (hold a `|`), and it is put back once the rule has run.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.table import table

_DELIMITER_ROW = re.compile(r"\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def pipe_table_plugin(md: MarkdownIt) -> None:
    """Put the indent-tolerant table rule in the place of markdown-it's `table` rule."""
    rule = next(r for r in md.block.ruler.__rules__ if r.name == "table")
    md.block.ruler.at("table", indented_rows_table, {"alt": list(rule.alt)})


def indented_rows_table(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    delimiter = start_line + 1
    if silent or delimiter >= end_line or not _is_delimiter_row(state, delimiter):
        return table(state, start_line, end_line, silent)
    lowered: dict[int, int] = {}
    for line in range(delimiter + 1, end_line):
        if "|" not in state.src[state.bMarks[line]:state.eMarks[line]]:
            break  # a blank line or a line of text: the table ends here whatever its indentation
        if state.sCount[line] - state.blkIndent >= 4:
            lowered[line] = state.sCount[line]
            state.sCount[line] = state.blkIndent
    try:
        return table(state, start_line, end_line, silent)
    finally:
        for row, indent in lowered.items():
            state.sCount[row] = indent


def _is_delimiter_row(state: StateBlock, line: int) -> bool:
    if state.sCount[line] - state.blkIndent >= 4:
        return False
    return _DELIMITER_ROW.match(state.src, state.bMarks[line] + state.tShift[line], state.eMarks[line]) is not None
