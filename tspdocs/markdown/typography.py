"""Typography as Pandoc's `smart` extension does it, and attribute text kept out of its way.

markdown-it's `replacements` rule also turns `(c)` into ©, `+-` into ±, `?!!!!` into `!!!` and `....`
into `…`; Pandoc keeps all of those as written, so tspdocs replaces that rule with one that makes only
dashes (`--`, `---`, with markdown-it's rules for where they count) and the ellipsis (exactly `...`).

A heading's trailing `{#id key="value"}` and a table caption's are read as attributes by the tree
builder, after the core rules have run. `protect_trailing_attrs` moves that text into an `attr_text`
token, which neither the dashes rule nor `smartquotes` (both touch only `text` tokens) rewrites, so the
attribute values keep their straight quotes and double hyphens.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

# Linear on any input: a match starts only where a run of spaces starts, and the possessive `*+` never hands
# back what it took. The plain `\s*(\{[^{}]*\})\s*$` retried every space of a long run as a start and rescanned
# the rest of the run each time, so a heading of 100,000 spaces and a word took minutes to parse.
TRAILING_ATTR = re.compile(r"(?<!\s)\s*+(\{[^{}]*+\})\s*+$")
CAPTION = re.compile(r"^(?:Table)?:\s+")

_ELLIPSIS = re.compile(r"(?<!\.)\.\.\.(?!\.)")
_EM_DASH = re.compile(r"(^|[^-])---(?=[^-]|$)", flags=re.MULTILINE)
_EN_DASH = re.compile(r"(^|\s)--(?=\s|$)", flags=re.MULTILINE)
_EN_DASH_JOINED = re.compile(r"(^|[^-\s])--(?=[^-\s]|$)", flags=re.MULTILINE)


def typography_plugin(md: MarkdownIt) -> None:
    """Put `dashes` in the place of markdown-it's `replacements`, and protect attributes before both."""
    md.core.ruler.at("replacements", dashes)
    md.core.ruler.before("replacements", "protect_trailing_attrs", protect_trailing_attrs)


def dashes(state: StateCore) -> None:
    """`---` → em dash, `--` → en dash, `...` → ellipsis, in text outside autolinks; nothing else."""
    if not state.md.options.typographer:
        return
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        inside_autolink = False
        for child in token.children:
            if child.type == "link_open" and child.info == "auto":
                inside_autolink = True
            elif child.type == "link_close" and child.info == "auto":
                inside_autolink = False
            elif child.type == "text" and not inside_autolink and ("--" in child.content or "..." in child.content):
                text = _ELLIPSIS.sub("\u2026", child.content)
                text = _EM_DASH.sub("\\1\u2014", text)
                text = _EN_DASH.sub("\\1\u2013", text)
                child.content = _EN_DASH_JOINED.sub("\\1\u2013", text)


def protect_trailing_attrs(state: StateCore) -> None:
    """Split a heading's or a table caption's trailing `{...}` into an `attr_text` token."""
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "inline" or not token.children or i == 0:
            continue
        opening = tokens[i - 1]
        is_caption = (opening.type == "paragraph_open" and i >= 2
                      and tokens[i - 2].type in ("table_close", "grid_table_close")
                      and CAPTION.match(token.content) is not None)
        if opening.type != "heading_open" and not is_caption:
            continue
        last = token.children[-1]
        if last.type != "text":
            continue
        match = TRAILING_ATTR.search(last.content)
        if match is None:
            continue
        attr = Token("attr_text", "", 0)
        attr.content = last.content[match.start():]
        last.content = last.content[:match.start()]
        if last.content:
            token.children.append(attr)
        else:
            token.children[-1] = attr
