"""Parse Pandoc's citation syntax into `cite` tokens: `[@key, p. 3; @other]`, `[-@key]`, `@key`.

The same syntax carries cross-references (`@tbl:timetable`), as in
pandoc-crossref; the tree decides which is which by the key's prefix.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from ..tree import Citation

# As Pandoc: a key starts with a letter (any script), a digit or _, and holds internal punctuation.
KEY = r"\w(?:\w|[:.#$%&\-+?<>~/](?=\w))*"
_ITEM = re.compile(rf"^(?P<prefix>.*?)(?P<minus>-?)@(?P<key>{KEY})(?P<suffix>.*)$", re.DOTALL)
_NARRATIVE = re.compile(rf"@(?P<key>{KEY})")
_LOCATOR = re.compile(r" ?\[(?P<suffix>[^\[\]@]*)\]")
_BRACKET = re.compile(r"[\[\]]")


def citations_plugin(md: MarkdownIt) -> None:
    """Add the bracketed rule before links and the narrative rule before `text`-breaking emphasis."""
    md.inline.ruler.before("link", "cite_bracketed", _bracketed)
    md.inline.ruler.before("emphasis", "cite_narrative", _narrative)


def parse_cluster(inner: str) -> list[Citation] | None:
    """Return the citations in the text between brackets, or None if it is not a citation cluster."""
    citations = []
    for part in inner.split(";"):
        match = _ITEM.match(part.strip())
        if match is None or "@" in match["prefix"]:
            return None
        suffix = match["suffix"].strip()
        citations.append(Citation(
            key=match["key"],
            prefix=match["prefix"].strip(),
            suffix=suffix[1:].strip() if suffix.startswith(",") else suffix,
            mode="suppress-author" if match["minus"] else "normal",
        ))
    return citations or None


def _bracketed(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "[":
        return False
    # The next bracket, not the next `]`: looking for a `]` past other `[`s rescanned the rest of the
    # paragraph from every `[` of a long run without one.
    bracket = _BRACKET.search(src, pos + 1)
    if bracket is None or bracket[0] != "]" or src[bracket.end():bracket.end() + 1] in ("(", "[", "{"):
        return False
    end = bracket.start()
    inner = src[pos + 1:end]
    citations = parse_cluster(inner)
    if citations is None:
        return False
    if not silent:
        token = state.push("cite", "", 0)
        token.meta = {"citations": citations, "source": src[pos:end + 1]}
    state.pos = end + 1
    return True


def _narrative(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "@" or (pos > 0 and (src[pos - 1].isalnum() or src[pos - 1] in "_\\")):
        return False
    match = _NARRATIVE.match(src, pos)
    if match is None:
        return False
    end = match.end()
    suffix = ""
    locator = _LOCATOR.match(src, end)
    if locator and src[locator.end():locator.end() + 1] not in ("(", "["):
        suffix, end = locator["suffix"].strip(), locator.end()
    if not silent:
        token = state.push("cite", "", 0)
        token.meta = {
            "citations": [Citation(match["key"], suffix=suffix, mode="author-in-text")],
            "source": src[pos:end],
        }
    state.pos = end
    return True
