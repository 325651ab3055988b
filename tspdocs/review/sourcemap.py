"""Map each character of a paragraph's rendered text back to its place in the Markdown it came from.

The rendered text is the source with its markup taken away (emphasis marks, link targets, footnote
calls, heading and list markers, attribute blocks) and typography applied (curly quotes, dashes,
ellipses, line ends as spaces). So the rendered characters are found in order in the source, and what
is skipped between them must be markup. Where the source holds words the rendered text lacks (a value
shortcode, a citation key) the map is refused: a tracked change is then reported, never guessed into
place.
"""

from __future__ import annotations

import re

# What typography made of the source's characters: a rendered character and the source texts it stands for.
EQUIVALENT = {"“": ('"',), "”": ('"',), "‘": ("'",), "’": ("'",), "—": ("---",), "–": ("--",), "…": ("...",)}
LEADING = re.compile(r"[ \t]*(?:#{1,6}[ \t]+|[-*+][ \t]+|\d{1,9}[.)][ \t]+|>[ \t]?|\[\^[^\]\s]+\]:[ \t]*)*")
# Markup that may sit between rendered characters holding letters: a footnote call, a link's target,
# an attribute block, a span's attributes.
SKIPPABLE = re.compile(r"\[\^[^\]\s]+\]|\]\([^)\s]*(?:\s+\"[^\"]*\")?\)|\{[#.][^}]*\}|\]\{[^}]*\}")


def source_map(rendered: str, source: str) -> list[int] | None:
    """Return, for each character of `rendered`, its index in `source`; None when they do not correspond."""
    positions: list[int] = []
    at = LEADING.match(source).end()  # type: ignore[union-attr]  # the pattern matches the empty string
    for char in rendered:
        if char.isspace():
            found = _next_space(source, at)
            positions.append(found if found is not None else at)
            at = found + 1 if found is not None else at
            continue
        match = _find(source, at, char)
        if match is None:
            return None
        start, end = match
        positions.append(start)
        at = end
    if not _markup_only(source[at:]):
        return None
    return positions


def _find(source: str, at: int, char: str) -> tuple[int, int] | None:
    """Return where `char` (or the source text typography made it from) next starts and ends, skipping only
    markup; None if words come first."""
    texts = (char, *EQUIVALENT.get(char, ()))
    for index in range(at, len(source)):
        for text in texts:
            if source.startswith(text, index):
                gap = source[at:index]
                if _markup_only(gap):
                    return index, index + len(text)
                if not _unclosed(gap):  # words that no markup still open could hide: the texts differ
                    return None
    return None


def _unclosed(gap: str) -> bool:
    """Tell whether the gap ends inside markup begun in it (a link's target, a footnote call, attributes),
    whose words the rendered text lacks until it closes."""
    return any(gap.rfind(opener) > gap.rfind(closer)
               for opener, closer in (("](", ")"), ("[^", "]"), ("{", "}")))


def _next_space(source: str, at: int) -> int | None:
    """Return where the next white space is, if only markup comes before it."""
    for index in range(at, len(source)):
        if source[index].isspace():
            return index if _markup_only(source[at:index]) else None
    return None


def _markup_only(text: str) -> bool:
    return not any(char.isalnum() for char in SKIPPABLE.sub("", text))


def insertion_point(positions: list[int], offset: int, source_end: int) -> int:
    """Return where text inserted before rendered character `offset` goes in the source."""
    if offset < len(positions):
        return positions[offset]
    return positions[-1] + 1 if positions else source_end
