"""Plain-English checks for briefings: long sentences, words to avoid, acronyms not spelled out, and
paragraphs hard to read.

Civil servants read briefings quickly; these are the rules of thumb of government writing guidance
(GOV.UK's words to avoid, in `project/plainwords.py`), applied to the text readers will see. The
reading-ease score is textstat's Flesch reading ease: a maintained implementation with a pronouncing
dictionary for syllables, where a hand-written syllable counter would guess. proselint was weighed
and left out: its checks are a general style guide (cliches, hedging, typography) that overlaps
little with GOV.UK's list, and a team needs that list as data it can edit per audience.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .. import tree as t
from ..errors import Location, Problem, Severity
from ..project.model import Lint
from ..project.plainwords import PLAIN_WORDS
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
    """Return the plain-English warnings for one briefing's text, each at the file and line it came from."""
    problems: list[Problem] = []
    allowed = {word.casefold() for word in rules.allow}
    avoid = [(word, re.compile(rf"\b{re.escape(word)}\w*\b", re.IGNORECASE)) for word in rules.avoid
             if word.casefold() not in allowed]
    seen_acronyms: set[str] = set(rules.known_acronyms)
    for passage in passages(t.document_blocks(doc)):
        for start, sentence in _sentences(passage.text):
            words = len(sentence.split())
            if words > rules.max_sentence_words:
                problems.append(_warning(f"a sentence of {words} words (aim for {rules.max_sentence_words} or fewer): "
                                         f"“{_clip(sentence)}”", "long-sentence", passage.where(start)))
        for word, pattern in avoid:
            for match in pattern.finditer(passage.text):
                instead = PLAIN_WORDS.get(word.casefold())
                advice = f"write {instead}" if instead else "say what you mean plainly"
                problems.append(_warning(f"“{match[0]}” is on the list of words to avoid; {advice}",
                                         "avoid-word", passage.where(match.start())))
        problems.extend(_hard_to_read(passage, rules))
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


def _hard_to_read(passage: Passage, rules: Lint) -> list[Problem]:
    """Warn about a paragraph whose Flesch reading ease is below the rules' minimum."""
    if rules.min_reading_ease is None or len(passage.text.split()) < rules.reading_ease_words:
        return []
    import textstat  # imported here: only `check` needs it

    score = textstat.flesch_reading_ease(passage.text)
    if score >= rules.min_reading_ease:
        return []
    return [_warning(f"a paragraph hard to read: reading ease {score:.0f} (Flesch, 0 to 100; aim for "
                     f"{rules.min_reading_ease:g} or more), so use shorter sentences and words: "
                     f"“{_clip(passage.text)}”", "hard-to-read", passage.where(0))]


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
