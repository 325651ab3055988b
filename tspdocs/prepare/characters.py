"""Make every string in a prepared document one that XML and HTML may carry.

Text reaches the writers from Markdown, YAML escapes ("\\x0b"), CSV and XLSX
cells and BibTeX, and some of it carries characters neither XML 1.0 nor HTML5
allows: lxml refuses them ("All strings must be XML compatible") and HTML5
calls them parse errors. Rather than guard each place a writer puts text into
XML (runs, attributes, core properties, headers), the finished tree is
cleaned once, at the end of preparation, so that every writer sees only
allowed characters and all of them show the same text. The rule:

- U+000B (vertical tab, what Word writes for a manual line break, Shift+Enter)
  becomes a line break in running text (`t.LineBreak`) and a space elsewhere
  (a title in the file's metadata, an attribute);
- U+000C (form feed, Word's page or section break in exported text) becomes a
  space: a page break in the middle of a sentence, a table cell or a heading is
  never what a report means, and a space keeps the words apart;
- the other C0 controls (U+0000-U+001F except tab, line feed and carriage
  return), DEL and the C1 controls (U+007F-U+009F), the noncharacters U+FFFE
  and U+FFFF and lone surrogates are removed: they have no visible form.

Strings without such characters are left exactly as they are.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass
from typing import Any

from .. import tree as t
from ..errors import Location

LINE_BREAK, PAGE_BREAK = "\x0b", "\x0c"
DISALLOWED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_REMOVED = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def clean_string(text: str, *, line_break: str = " ") -> str:
    """Return `text` with U+000B as `line_break`, U+000C as a space and other disallowed characters gone."""
    if not DISALLOWED.search(text):
        return text
    return _REMOVED.sub("", text).replace(LINE_BREAK, line_break).replace(PAGE_BREAK, " ")


def clean_document(doc: t.Document) -> None:
    """Clean every string in the document in place (see the module's rule)."""
    stack: list[Any] = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            _clean_list(node, stack)
        elif isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, str):
                    node[key] = clean_string(value)
                elif isinstance(value, list | dict) or _is_node(value):
                    stack.append(value)
        elif _is_node(node):
            for spec in fields(node):
                value = getattr(node, spec.name)
                if isinstance(value, str):
                    cleaned = clean_string(value, line_break="\n" if isinstance(node, t.CodeBlock) else " ")
                    if cleaned is not value:
                        setattr(node, spec.name, cleaned)
                elif isinstance(value, list | dict) or _is_node(value):
                    stack.append(value)


def _is_node(value: object) -> bool:
    return is_dataclass(value) and not isinstance(value, type | Location)


def _clean_list(items: list[Any], stack: list[Any]) -> None:
    """Clean a list in place; in a list of inlines a Text holding U+000B becomes text and line breaks."""
    index = 0
    while index < len(items):
        item = items[index]
        if isinstance(item, str):
            items[index] = clean_string(item)
        elif isinstance(item, t.Text) and DISALLOWED.search(item.text):
            parts = clean_string(item.text, line_break=LINE_BREAK).split(LINE_BREAK)
            pieces: list[t.Inline] = []
            for number, part in enumerate(parts):
                if number:
                    pieces.append(t.LineBreak(loc=item.loc))
                if part:
                    pieces.append(t.Text(part, loc=item.loc))
            items[index:index + 1] = pieces
            index += len(pieces)
            continue
        elif isinstance(item, list | dict) or _is_node(item):
            stack.append(item)
        index += 1
