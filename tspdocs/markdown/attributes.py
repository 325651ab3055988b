"""Read a Pandoc attribute block `{#id .class key=value}` quickly when it is simple, else as the library does.

mdit_py_plugins' `attrs.parse` walks the text a character at a time through a
state machine (some 40 µs a block; a report has over a hundred). Nearly every
block is a few ids, classes and keys with plain or quoted values, which one
compiled pattern reads at once. Anything else, a comment, an escape, tokens not
parted by a space, and every mistake, goes to the library, so that its results
and its error messages stay the only ones. tests/test_attributes.py proves the
two agree on every text the pattern accepts.
"""

from __future__ import annotations

import re

from mdit_py_plugins.attrs.parse import parse as library_parse

_NAME = r"""[^\s!"#$%&'()*+,./;<=>?@\[\]^`{|}~]+"""  # the library's name: no space, no punctuation but : _ -
_KEY = r"[a-zA-Z\d_:-]+"  # the library's key and bare value characters
_TOKEN = re.compile(rf'(?:#({_NAME})|\.({_NAME})|({_KEY})=(?:({_KEY})|"([^"\\{{}}\n]*)"))(?: |\Z)')


def parse_attributes(inner: str) -> dict[str, str]:
    """Return the attributes between the braces as the library's dict: `id`, `class` (classes joined by
    spaces, `class=` values among them) and each other key; later ids and keys win, as there."""
    fast = simple_attributes(inner)
    return fast if fast is not None else library_parse("{" + inner + "}")[1]


def simple_attributes(inner: str) -> dict[str, str] | None:
    """The fast path: read tokens parted by single spaces, or return None for any text the pattern does not
    take whole (the library then reads it)."""
    attributes: dict[str, str] = {}
    classes: list[str] = []
    position = 0
    while position < len(inner):
        match = _TOKEN.match(inner, position)
        if match is None:
            return None
        identifier, name, key, bare, quoted = match.groups()
        if identifier is not None:
            attributes["id"] = identifier
        elif name is not None:
            classes.append(name)
        else:
            value = bare if bare is not None else quoted
            if key == "class":
                classes.append(value)
            else:
                attributes[key] = value
        position = match.end()
    if classes:
        attributes["class"] = " ".join(classes)
    return attributes
