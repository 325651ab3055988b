"""Read CriticMarkup comments, `{>> … <<}`, as notes to editors: they are kept in the source, never printed.

`tspdocs review --apply --comments inline` writes a reviewer's comments beside the lines they are about in
this form (the syntax Pandoc's and MultiMarkdown's editors know), so they must not reach a document.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

OPEN, CLOSE = "{>>", "<<}"


def critic_comments_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", "critic_comment", _comment)


def _comment(state: StateInline, silent: bool) -> bool:
    """Skip a comment, and the space before it, so `text {>>note<<}` reads as `text`."""
    if not state.src.startswith(OPEN, state.pos):
        return False
    end = state.src.find(CLOSE, state.pos + len(OPEN))
    if end < 0:
        return False
    if not silent:  # plain text waits in `pending` until the next token is pushed
        state.pending = state.pending.rstrip(" ")
    state.pos = end + len(CLOSE)
    return True
