"""Curly quotes as markdown-it's `smartquotes` makes them, in time linear in the text.

markdown-it's rule rebuilds a text token's whole string for every quote it replaces and slices the rest of
the string to find the next one, so a paragraph of 80,000 `"` took 18 seconds, and a run of unmatched
openers of one kind was rescanned by every closer of the other. This rule decides exactly as that one does
(same flanking tests, same stack of openers, same levels) but edits each token as a list of characters,
joined once at the end, and keeps a stack of openers per kind, so each quote costs constant time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

_QUOTE = re.compile(r"['\"]")
APOSTROPHE = "\u2019"


def quotes_plugin(md: MarkdownIt) -> None:
    """Put `smartquotes` (this module's) in the place of markdown-it's rule of that name."""
    md.core.ruler.at("smartquotes", smartquotes)


def smartquotes(state: StateCore) -> None:
    if not state.md.options.typographer:
        return
    for token in state.tokens:
        if token.type == "inline" and token.children and _QUOTE.search(token.content):
            _Quotes(token.children, state.md.options.quotes).run()


@dataclass
class _Opener:
    """A quote mark that may open a quotation, waiting for its closing mark."""

    token: int
    pos: int
    single: bool
    level: int


@dataclass
class _Quotes:
    """The state of turning straight quotes curly across one block's inline tokens."""

    tokens: list[Token]
    marks: str  # open and close double, open and close single: "“”‘’"
    stack: list[_Opener] = field(default_factory=list)
    by_kind: dict[bool, list[int]] = field(default_factory=lambda: {True: [], False: []})  # stack indices
    edits: dict[int, list[str]] = field(default_factory=dict)  # a token's characters, once one is replaced

    def run(self) -> None:
        for i, token in enumerate(self.tokens):
            while self.stack and self.stack[-1].level > token.level:
                self._truncate(len(self.stack) - 1)
            if token.type == "text":
                for quote in _QUOTE.finditer(token.content):
                    self._quote(i, quote.start(), quote[0] == "'")
        for i, chars in self.edits.items():
            self.tokens[i].content = "".join(chars)

    def _quote(self, i: int, pos: int, single: bool) -> None:
        text, level = self.tokens[i].content, self.tokens[i].level
        last = text[pos - 1] if pos > 0 else self._neighbour(range(i - 1, -1, -1), -1)
        after = text[pos + 1] if pos + 1 < len(text) else self._neighbour(range(i + 1, len(self.tokens)), 0)
        last_punct, next_punct = _punct(last), _punct(after)
        last_space, next_space = isWhiteSpace(ord(last)), isWhiteSpace(ord(after))
        can_open = not next_space and not (next_punct and not (last_space or last_punct))
        can_close = not last_space and not (last_punct and not (next_space or next_punct))
        if after == '"' and not single and "0" <= last <= "9":  # 1"" : the first is an inch mark
            can_open = can_close = False
        if can_open and can_close:  # between punctuation yes (foo-"-bar), inside a word no (foo"bar)
            can_open, can_close = last_punct, next_punct
        if not can_open and not can_close:
            if single:
                self._put(i, pos, APOSTROPHE)
            return
        if can_close:
            same = self.by_kind[single]
            if same and self.stack[same[-1]].level == level:
                j = same[-1]
                opener = self.stack[j]
                self._put(i, pos, self.marks[3 if single else 1])
                self._put(opener.token, opener.pos, self.marks[2 if single else 0])
                self._truncate(j)
                return
        if can_open:
            self.by_kind[single].append(len(self.stack))
            self.stack.append(_Opener(i, pos, single, level))
        elif single:
            self._put(i, pos, APOSTROPHE)

    def _neighbour(self, indices: range, end: int) -> str:
        """Return the character next to a token's edge, across tokens up to a line break; a space if none."""
        for j in indices:
            token = self.tokens[j]
            if token.type in ("softbreak", "hardbreak"):
                break
            if token.content:
                return token.content[end]
        return " "

    def _put(self, i: int, pos: int, mark: str) -> None:
        chars = self.edits.get(i)
        if chars is None:
            chars = self.edits[i] = list(self.tokens[i].content)
        chars[pos] = mark

    def _truncate(self, size: int) -> None:
        """Drop the openers from stack index `size` up, which a closer below them has passed over."""
        del self.stack[size:]
        for indices in self.by_kind.values():
            while indices and indices[-1] >= size:
                indices.pop()


def _punct(char: str) -> bool:
    return isMdAsciiPunct(ord(char)) or isPunctChar(char)
