"""Plain-English checks for briefings: long sentences, words to avoid, acronyms not spelled out.

Civil servants read briefings quickly; these are the rules of thumb of
government writing guidance, applied to the text readers will see.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .. import tree as t
from ..errors import Location, Problem, Severity
from ..project.model import Lint
from ..tree import plain_text

_SENTENCE_END = re.compile(r"(?<=[.!?])[’”)]?\s+(?=[A-Z“‘(0-9])")
_ACRONYM = re.compile(r"\b([A-Z]{2,})(s?)\b")
_ROMAN = re.compile(r"^[IVXLC]+$")


@dataclass
class Passage:
    """A run of text a reader sees as one paragraph, with where each piece came from."""

    text: str
    pieces: list[tuple[int, Location | None]]

    def where(self, offset: int) -> Location | None:
        found = None
        for start, loc in self.pieces:
            if start > offset:
                break
            found = loc
        return found


def passages(blocks: list[t.Block]) -> Iterator[Passage]:
    for block in t.walk(blocks):
        for inlines in t.block_inlines(block):
            pieces: list[tuple[int, Location | None]] = []
            text = ""
            for node in inlines:
                pieces.append((len(text), node.loc))
                text += plain_text([node])
            if text.strip():
                yield Passage(text, pieces)


def lint_briefing(doc: t.Document, rules: Lint) -> list[Problem]:
    problems: list[Problem] = []
    avoid = [re.compile(rf"\b{re.escape(word)}\w*\b", re.IGNORECASE) for word in rules.avoid]
    seen_acronyms: set[str] = set(rules.known_acronyms)
    for passage in passages(t.document_blocks(doc)):
        for start, sentence in _sentences(passage.text):
            words = len(sentence.split())
            if words > rules.max_sentence_words:
                problems.append(_warning(f"a sentence of {words} words (aim for {rules.max_sentence_words} or fewer): "
                                         f"“{_clip(sentence)}”", "long-sentence", passage.where(start)))
        for pattern in avoid:
            for match in pattern.finditer(passage.text):
                problems.append(_warning(f"“{match[0]}” is on the list of words to avoid; say what you mean plainly",
                                         "avoid-word", passage.where(match.start())))
        for match in _ACRONYM.finditer(passage.text):
            acronym = match[1]
            if acronym in seen_acronyms or _ROMAN.match(acronym) or acronym.isdigit():
                continue
            seen_acronyms.add(acronym)
            before = passage.text[max(0, match.start() - 1):match.start()]
            if before != "(":
                problems.append(_warning(f"{acronym} is not spelled out where it first appears; write the words "
                                         f"first, then ({acronym}{match[2]})", "acronym", passage.where(match.start())))
    return problems


def _sentences(text: str) -> Iterator[tuple[int, str]]:
    start = 0
    for match in _SENTENCE_END.finditer(text):
        yield start, text[start:match.start() + 1]
        start = match.end()
    if text[start:].strip():
        yield start, text[start:]


def _clip(sentence: str, words: int = 8) -> str:
    parts = sentence.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _warning(message: str, code: str, where: Location | None) -> Problem:
    return Problem(message, code, where, Severity.WARNING)
