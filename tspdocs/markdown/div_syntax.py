"""Pandoc's fenced divs: `::: {.callout-note}` … `:::`, nested as Pandoc nests them.

mdit-py-plugins' container rule closes a block at the first bare `:::`, so in

    ::: a
    ::: b
    text
    :::
    :::

`a` ended at `b`'s fence and the last `:::` was left as a paragraph; and a block never closed ran silently
to the end of its parent, taking the rest of the document into the box. Here, as in Pandoc, a fence with
something after the colons opens a div (nested ones included) and a bare fence of three or more colons
closes the innermost open one. The tokens are the container plugin's (`container_div_open`/`_close`), and
the opening's `meta["closed"]` says whether a closing fence was found, for the tree builder to report.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from mdit_py_plugins.utils import is_code_block

_FENCE = re.compile(r"(:{3,})(.*)$")
_CODE_FENCE = re.compile(r"(`{3,}|~{3,})")


def divs_plugin(md: MarkdownIt) -> None:
    """Put the fenced-div rule in the place of the container plugin's `container_div` rule."""
    rule = next(r for r in md.block.ruler.__rules__ if r.name == "container_div")
    md.block.ruler.at("container_div", fenced_div, {"alt": list(rule.alt)})


def _fence(state: StateBlock, line: int) -> re.Match[str] | None:
    start = state.bMarks[line] + state.tShift[line]
    return _FENCE.match(state.src, start, state.eMarks[line])


def fenced_div(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if is_code_block(state, start_line):
        return False
    opening = _fence(state, start_line)
    if opening is None or not opening[2].strip():
        return False
    if silent:
        return True
    line, depth, closed = start_line, 0, False
    code = ""  # the fence of a code block being skipped: a ::: inside one is code, not a fence
    while True:
        line += 1
        if line >= end_line:
            break  # the end of the document or of the parent block: never closed
        start = state.bMarks[line] + state.tShift[line]
        if start < state.eMarks[line] and state.sCount[line] < state.blkIndent:
            break  # a non-empty line indented less than the div: its list item or quote has ended
        if is_code_block(state, line):
            continue
        code_fence = _CODE_FENCE.match(state.src, start, state.eMarks[line])
        if code_fence and (not code or code_fence[1].startswith(code)):
            code = "" if code else code_fence[1]
            continue
        fence = None if code else _fence(state, line)
        if fence is None:
            continue
        if fence[2].strip():
            depth += 1
        elif depth:
            depth -= 1
        else:
            closed = True
            break

    old_parent, old_line_max = state.parentType, state.lineMax
    state.parentType = "container"
    state.lineMax = line  # lazy continuation lines never run past the closing fence
    token = state.push("container_div_open", "div", 1)
    token.markup = opening[1]
    token.block = True
    token.info = opening[2]
    token.map = [start_line, line]
    token.meta["closed"] = closed
    state.md.block.tokenize(state, start_line + 1, line)
    token = state.push("container_div_close", "div", -1)
    token.markup = opening[1]
    token.block = True
    state.parentType, state.lineMax = old_parent, old_line_max
    state.line = line + (1 if closed else 0)
    return True
