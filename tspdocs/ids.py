"""The HTML ids tspdocs makes itself, which no label in the content may take.

The HTML writer names footnotes `fn1`/`fnref1`, reference-list entries `ref-<key>` and the titles of the
lists it writes (`toc-title`, `notes-title`, ...), and the shipped page layout's main element is `content`.
A heading written `{#fn1}` or `{#content}` would give the page two elements with one id, and a link or a
screen reader would land on the wrong one, so numbering refuses such a label at its line.
"""

from __future__ import annotations

import re

_GENERATED = (
    (re.compile(r"fn(?:ref)?\d+"), "footnotes"),
    (re.compile(r"ref-.*"), "entries in the reference list"),
    (re.compile(r"(?:toc|lot|lof|refs|notes)-title"), "the titles of the lists tspdocs writes"),
    (re.compile(r"content"), "the page layout's main text"),
)


def generated_use(ident: str) -> str | None:
    """Return what tspdocs gives the HTML id `ident` to, or None if a label may have it."""
    return next((use for pattern, use in _GENERATED if pattern.fullmatch(ident)), None)
