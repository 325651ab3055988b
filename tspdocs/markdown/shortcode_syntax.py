"""Parse Quarto-style shortcodes: `{{< value respondents >}}` inline, `{{< include finding:F01 >}}` as a block.

Shortcodes are how content asks for something computed (a survey figure, a
generated list) without any way to run code: the name must be one tspdocs
knows and the arguments are plain words or `key=value` pairs.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

# Linear on any input. The possessive `*+` never hands back what it took, so an unclosed `{{< value x` and a
# long run of spaces is read once (the lazy `*?` before `\s*` tried every split of the run: minutes for 100,000
# spaces); and the arguments stop at the next `{{<`, so a paragraph of many unclosed openings is not rescanned
# to its end from each one. The arguments keep their surrounding spaces; `split_args` drops them.
_SHORTCODE = re.compile(r"\{\{<\s*+(?P<name>[A-Za-z][\w-]*+)(?P<args>(?:[^>{]|>(?!\}\})|\{(?!\{<))*+)>\}\}")
# A link target or image source holding shortcodes: `({{< meta centre.web >}} "title")`. A shortcode here
# stops at the first `)` or line end and is at most 200 characters long, so an unclosed one costs little.
_IN_TARGET = r"\{\{<\s*[A-Za-z][\w-]*(?:[^>)\n]|>(?!\}\})){0,200}?>\}\}"
_TARGET = re.compile(rf"\(\s*(?P<target>(?:{_IN_TARGET}|[^\s(){{])+)(?:\s+\"(?P<title>[^\"\n]*)\")?\s*\)")


def shortcodes_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before("paragraph", "shortcode_block", _block, {"alt": ["paragraph"]})
    md.inline.ruler.before("link", "shortcode_inline", _inline)
    md.inline.ruler.after("image", "shortcode_link", _link)  # tried only where markdown-it's link failed


def substitute(text: str, value: Callable[[str, list[str]], str]) -> str:
    """Return `text` with each shortcode replaced by `value(name, args)`: a link target once resolved."""
    return _SHORTCODE.sub(lambda match: value(match["name"], split_args(match["args"])), text)


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


def _link(state: StateInline, silent: bool) -> bool:
    """Read `[text]({{< meta centre.web >}})` and `![alt](…)`, which markdown-it refuses for the spaces in
    the target; the target is kept as written, to be resolved with the other shortcodes."""
    image = state.src.startswith("![", state.pos)
    if not image and not state.src.startswith("[", state.pos):
        return False
    label_start = state.pos + (2 if image else 1)
    label_end = state.md.helpers.parseLinkLabel(state, label_start - 1, not image)
    if label_end < 0:
        return False
    match = _TARGET.match(state.src, label_end + 1)
    if match is None or "{{<" not in match["target"]:
        return False
    if not silent:
        attrs = {"src" if image else "href": match["target"], **({"title": match["title"]} if match["title"] else {})}
        if image:
            token = state.push("image", "img", 0)
            token.attrs = {**attrs, "alt": ""}
            token.content = state.src[label_start:label_end]
            token.children = []
            state.md.inline.parse(token.content, state.md, state.env, token.children)
        else:
            state.push("link_open", "a", 1).attrs = attrs
            end = state.posMax
            state.pos, state.posMax = label_start, label_end  # the link text, read as markdown-it's link does
            state.linkLevel += 1
            state.md.inline.tokenize(state)
            state.linkLevel -= 1
            state.posMax = end
            state.push("link_close", "a", -1)
    state.pos = match.end()
    return True
