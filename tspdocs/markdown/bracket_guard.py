"""Let an `[` that nothing can close be text at once, so runs of brackets parse in linear time.

markdown-it tries each `[` as a link label (and the span, shortcode-link and image rules do the same
through `parseLinkLabel`): from each one it runs every inline rule, in validation mode, over the brackets
after it, up to `maxNesting` deep. That is linear but about 300 rule passes per bracket: a paragraph of
100,000 `[` took 33 s to parse. Every rule that starts at `[` (links, images, spans, citations, footnotes,
shortcode links) needs a label closed by a `]` after it, so an `[` that cannot be closed is literal text,
exactly as markdown-it would leave it. This rule, first after `text`, says so in constant time, and in
validation mode too, so the nested scans of earlier brackets are as cheap. An `![` is passed over whole,
or the image rule would scan the rest of the text.

An `[` cannot be closed when no `]` follows it; or when it lies after every character that can start a
token hiding a bracket (code, autolinks, escapes, link destinations, attributes, citations, notes, math,
sub- and superscripts) and plain bracket matching over the rest of the text leaves it unmatched: there
every `[` and `]` counts, so the label scan is bracket matching. Both are found once per text.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

# Characters that can start an inline token with a bracket inside it that the label scan does not count.
_HIDERS = "`<\\$({@^~"


def bracket_guard_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.after("text", "bracket_guard", _unclosable)


def _unclosable(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    width = 1 if src[pos] == "[" else 2 if src.startswith("![", pos) else 0
    if not width:
        return False
    last_close, unmatched = _brackets(state)
    if pos < last_close and pos + width - 1 not in unmatched:
        return False
    if not silent:
        state.pending += src[pos:pos + width]
    state.pos = pos + width
    return True


def _brackets(state: StateInline) -> tuple[int, frozenset[int]]:
    """Return where the text's last `]` is (-1 for none) and the `[` after the last hiding character that
    plain bracket matching leaves open; found once per text and kept in `env`."""
    src = state.src
    memo = state.env.get("bracket_guard")
    if memo is None or memo[0] is not src:
        start = max(src.rfind(char) for char in _HIDERS) + 1
        open_at: list[int] = []
        for index in range(start, len(src)):
            if src[index] == "[":
                open_at.append(index)
            elif src[index] == "]" and open_at:
                open_at.pop()
        memo = (src, src.rfind("]"), frozenset(open_at))
        state.env["bracket_guard"] = memo
    return memo[1], memo[2]
