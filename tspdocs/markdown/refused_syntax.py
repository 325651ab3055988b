"""Pandoc syntax tspdocs does not support, found at its line and refused with the tspdocs way to write it.

Left to markdown-it, a simple table becomes a paragraph over a rule, an example list `(@)` a paragraph of
`(@)` marks and `$x^2$` text with dollars: the words come out garbled and nobody is told. Each rule here
recognises one construct as Pandoc does and pushes a `refused` token (block) or `refused_inline` token,
whose `meta["message"]` the tree builder reports as an error (`meta["code"]`) at the token's line.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.utils import is_code_block

_DASH_RUNS = re.compile(r"-{2,}(?:\s+-{2,})+")  # two or more runs of dashes: a simple table's column rule
_DASH_LINE = re.compile(r"-{3,}")  # a line of dashes alone: the top border of a multiline table
_EXAMPLE = re.compile(r"\(@[\w-]*\)\s")
_HEADER_LINES = 20  # a multiline table's header is a few lines; looking no further keeps the rule linear

SIMPLE = ("this is a Pandoc simple table (a header line over runs of dashes), which tspdocs does not read; "
          "write it as a pipe table (| a | b | over |---|---|), or as a grid table (+---+) for cells of "
          "several lines")
MULTILINE = ("this is a Pandoc multiline table, which tspdocs does not read; write it as a grid table (+---+), "
             "whose cells may hold several lines and paragraphs")
EXAMPLE = ("(@) example lists are not numbered by tspdocs; write an ordered list (1. 2. 3.) and refer to an "
           "example by its number in words")
MATH = ("tspdocs does not typeset TeX math ($...$); write the formula as text (x^2^ for a superscript, H~2~O "
        "for a subscript) or as a picture, and write a dollar sign that is money as \\$")


def refused_syntax_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before("hr", "refused_table", _table)  # before hr, which would read the dashes as a rule
    md.block.ruler.before("paragraph", "refused_example_list", _example_list)
    md.inline.ruler.before("escape", "refused_math", _math)


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]].rstrip()


def _refuse(state: StateBlock, start_line: int, message: str) -> bool:
    """Push the refusal and pass over the construct, up to its next blank line."""
    line = start_line + 1
    while line < state.lineMax and not state.isEmpty(line):
        line += 1
    token = state.push("refused", "", 0)
    token.map = [start_line, line]
    token.meta = {"message": message, "code": "unsupported-syntax"}
    state.line = line
    return True


def _table(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if is_code_block(state, start_line) or start_line + 1 >= end_line or state.isEmpty(start_line + 1):
        return False
    text = _line(state, start_line)
    below = _line(state, start_line + 1)
    if _DASH_RUNS.fullmatch(below) and not _DASH_RUNS.fullmatch(text) and not text.startswith("|"):
        message = SIMPLE
    elif _DASH_LINE.fullmatch(text) and _has_column_rule(state, start_line + 1, end_line):
        message = MULTILINE
    else:
        return False
    return silent or _refuse(state, start_line, message)


def _has_column_rule(state: StateBlock, line: int, end_line: int) -> bool:
    """Say whether a run-of-dashes line follows within a header's few lines, before any blank line."""
    for below in range(line + 1, min(end_line, line + _HEADER_LINES)):
        if state.isEmpty(below):
            return False
        if _DASH_RUNS.fullmatch(_line(state, below)):
            return True
    return False


def _example_list(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if is_code_block(state, start_line):
        return False
    start = state.bMarks[start_line] + state.tShift[start_line]
    if not _EXAMPLE.match(state.src, start, state.eMarks[start_line] + 1):
        return False
    return silent or _refuse(state, start_line, EXAMPLE)


def _math(state: StateInline, silent: bool) -> bool:
    """Recognise `$…$` and `$$…$$` as Pandoc's tex_math_dollars does: the opening `$` is followed by a
    non-space, the closing one follows a non-space and is not followed by a digit, so `$5 and $10` is money."""
    src, pos = state.src, state.pos
    if src[pos] != "$" or pos + 1 >= state.posMax:
        return False
    if src.startswith("$$", pos):
        end = src.find("$$", pos + 2, state.posMax)
        if end < 0:
            return False
        end += 2
    else:
        end = _closing_dollar(state, pos)
        if end < 0:
            return False
    if not silent:
        token = state.push("refused_inline", "", 0)
        token.content = src[pos:end]
        token.meta = {"message": MATH, "code": "unsupported-syntax"}
    state.pos = end
    return True


def _closing_dollar(state: StateInline, pos: int) -> int:
    """Return the position after the `$` closing the one at `pos`, or -1.

    Whether a `$` can close depends only on its neighbours, so once a search from `pos` finds none, none
    is found from any later `$` of the same text either: noting that keeps `$a $b $c …` linear.
    """
    src = state.src
    memo = state.env.get("refused_math_none")  # (text, end of the search, where it started) of a failed one
    if src[pos + 1].isspace() or (memo and memo[0] is src and memo[1] == state.posMax and memo[2] < pos):
        return -1
    end = src.find("$", pos + 1, state.posMax)
    while end >= 0:
        if not src[end - 1].isspace() and src[end - 1] != "\\" and not src[end + 1:end + 2].isdigit():
            return end + 1
        end = src.find("$", end + 1, state.posMax)
    state.env["refused_math_none"] = (src, state.posMax, pos)
    return -1
