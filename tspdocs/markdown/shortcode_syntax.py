"""Parse Quarto-style shortcodes: `{{< value respondents >}}` inline, `{{< include finding:F01 >}}` as a block.

Shortcodes are how content asks for something computed (a survey figure, a
generated list) without any way to run code: the name must be one tspdocs
knows and the arguments are plain words or `key=value` pairs.
"""

from __future__ import annotations

import re
import shlex

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

# Linear on any input. The possessive `*+` never hands back what it took, so an unclosed `{{< value x` and a
# long run of spaces is read once (the lazy `*?` before `\s*` tried every split of the run: minutes for 100,000
# spaces); and the arguments stop at the next `{{<`, so a paragraph of many unclosed openings is not rescanned
# to its end from each one. The arguments keep their surrounding spaces; `split_args` drops them.
_SHORTCODE = re.compile(r"\{\{<\s*+(?P<name>[A-Za-z][\w-]*+)(?P<args>(?:[^>{]|>(?!\}\})|\{(?!\{<))*+)>\}\}")


def shortcodes_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before("paragraph", "shortcode_block", _block, {"alt": ["paragraph"]})
    md.inline.ruler.before("link", "shortcode_inline", _inline)


def split_args(text: str) -> list[str]:
    """Split shortcode arguments like a shell would, so `title="Key messages"` stays one word."""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    line = state.src[begin:state.eMarks[start_line]].rstrip()
    match = _SHORTCODE.fullmatch(line)
    if match is None:
        return False
    if silent:
        return True
    token = state.push("shortcode_block", "", 0)
    token.meta = {"name": match["name"], "args": split_args(match["args"])}
    token.map = [start_line, start_line + 1]
    state.line = start_line + 1
    return True


def _inline(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("{{<", state.pos):
        return False
    match = _SHORTCODE.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        token = state.push("shortcode", "", 0)
        token.meta = {"name": match["name"], "args": split_args(match["args"])}
    state.pos = match.end()
    return True
