"""Let an `[` that nothing can close be text at once, so runs of brackets parse in linear time.

markdown-it tries each `[` as a link label (and the span, shortcode-link and image rules do the same
through `parseLinkLabel`): from each one it runs every inline rule, in validation mode, over the brackets
after it, up to `maxNesting` deep. That is linear but about 300 rule passes per bracket: a paragraph of
100,000 `[` took 33 s to parse. Every rule that starts at `[` (links, images, spans, citations, footnotes,
shortcode links) needs a `]` after it, so an `[` with no `]` anywhere after it in the text is literal
text, exactly as markdown-it would leave it; this rule, first after `text`, says so in constant time
(the text's last `]` is found once per text), and in validation mode too, so the nested scans of earlier
brackets are as cheap. An `![` is passed over whole, or the image rule would scan the rest of the text.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline


def bracket_guard_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.after("text", "bracket_guard", _unclosable)


def _unclosable(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    width = 1 if src[pos] == "[" else 2 if src.startswith("![", pos) else 0
    if not width or pos < _last_close(state):
        return False
    if not silent:
        state.pending += src[pos:pos + width]
    state.pos = pos + width
    return True


def _last_close(state: StateInline) -> int:
    """Return where the text's last `]` is (-1 for none), found once per text and kept in `env`."""
    memo = state.env.get("bracket_guard_last")
    if memo is None or memo[0] is not state.src:
        memo = (state.src, state.src.rfind("]"))
        state.env["bracket_guard_last"] = memo
    last: int = memo[1]
    return last
