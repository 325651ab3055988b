"""Pandoc's line blocks: lines that begin with `| `, kept as written, for addresses and verse.

    | Third Sector Research Centre
    |     Park House
    | Birmingham

Each `|` line is a line of its own, its leading spaces kept (as no-break spaces); a line that begins with a
space instead continues the one above, as in Pandoc. The block becomes a paragraph whose lines end in hard
breaks, which every writer already sets out line by line. A table's `| a | b |` rows never get here:
markdown-it's table rule comes first.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from mdit_py_plugins.utils import is_code_block

_LINE = re.compile(r"\|(?: (.*))?$")


def line_block_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before("paragraph", "line_block", line_block)


def line_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if is_code_block(state, start_line) or _match(state, start_line) is None:
        return False
    if silent:
        return True
    lines: list[str] = []
    line = start_line
    while line < end_line and not state.isEmpty(line) and state.sCount[line] >= state.blkIndent:
        match = _match(state, line)
        if match is not None:
            text = match[1] or ""
            stripped = text.lstrip(" ")
            lines.append("\u00a0" * (len(text) - len(stripped)) + stripped)
        elif lines and state.sCount[line] > state.blkIndent:
            lines[-1] += " " + _text(state, line).strip()  # a continuation line
        else:
            break
        line += 1
    state.push("paragraph_open", "p", 1).map = [start_line, line]
    inline = state.push("inline", "", 0)
    inline.content = "\\\n".join(lines)  # a backslash before the line end: markdown-it's hard break
    inline.map = [start_line, line]
    inline.children = []
    state.push("paragraph_close", "p", -1)
    state.line = line
    return True


def _text(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]]


def _match(state: StateBlock, line: int) -> re.Match[str] | None:
    return _LINE.match(_text(state, line).rstrip("\r"))
