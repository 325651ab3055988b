"""Footnote mistakes markdown-it's footnote plugin passes over in silence, reported at their line.

Left alone, a reference to an undefined note (`[^nope]`) stays in the text as written, a note defined
twice keeps the last definition and drops the earlier ones, and a definition nobody refers to vanishes from the
output. Pandoc warns for the last two (`Duplicate note reference`, `Note with key ... defined but not
used`); a duplicate stays a warning here for the same reason — the document still builds with the first
definition that Pandoc keeps too (the last) — while an undefined reference is an error, as an unknown
`@sec:` label is, because the reader would otherwise see `[^nope]` printed.

Each problem is pushed as a `refused` (block) or `refused_inline` token that the tree builder reports.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

CODE = "footnote"


def footnote_checks_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.after("footnote_ref", "footnote_undefined", _undefined)
    md.core.ruler.before("footnote_tail", "footnote_definitions", _definitions)


def _undefined(state: StateInline, silent: bool) -> bool:
    """Match `[^label]` that the footnote plugin refused because no `[^label]:` defines it; the scan stops
    at the next `[` too, so a run of `[^` is read once, not once per mark."""
    src, pos = state.src, state.pos
    if not src.startswith("[^", pos):
        return False
    end = pos + 2
    while end < state.posMax and src[end] not in " \n[]":
        end += 1
    if end == pos + 2 or end >= state.posMax or src[end] != "]":
        return False
    if not silent:
        label = src[pos + 2:end]
        token = state.push("refused_inline", "", 0)
        token.content = src[pos:end + 1]
        token.meta = {"message": f"footnote [^{label}] is not defined; add a line '[^{label}]: the note's "
                                 f"text' below the paragraph, or write \\[^{label}] for the brackets",
                      "code": CODE, "level": "error"}
    state.pos = end + 1
    return True


def _definitions(state: StateCore) -> None:
    """Report a label defined twice and a definition never referred to, at the definition's line."""
    refs: dict[str, int] = state.env.get("footnotes", {}).get("refs", {})
    seen: set[str] = set()
    found: list[Token] = []
    for token in state.tokens:
        if token.type != "footnote_reference_open":
            continue
        label = token.meta["label"]
        if label in seen:
            found.append(_warning(token, f"footnote [^{label}] is defined twice; this later definition is "
                                         "the one printed (as in Pandoc): remove one of them"))
        elif refs.get(":" + label, -1) < 0:
            found.append(_warning(token, f"footnote [^{label}] is defined but never referred to, so it is "
                                         f"not printed; refer to it with [^{label}] or remove it"))
        seen.add(label)
    state.tokens[:0] = found  # before the text, so the tree builder meets them before the notes are cut off


def _warning(definition: Token, message: str) -> Token:
    token = Token("refused", "", 0)
    token.map = definition.map
    token.meta = {"message": message, "code": CODE, "level": "warning"}
    return token
