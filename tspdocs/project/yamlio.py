"""Load YAML safely, by the YAML 1.2 core schema, remembering the line of every key and item.

PyYAML follows YAML 1.1, where `NO` is false, `1:20` is 80 and `on` is true;
editors of research findings should never meet those surprises, so scalars
are resolved by the 1.2 core schema (only `true`/`false` are booleans, no
sexagesimals, no timestamps) and the schema then says where text was needed.
Anchors, aliases, explicit tags and duplicate keys are refused: they make a
file mean something other than what it shows, and aliases allow
"billion laughs" expansion. libyaml parses where it reads a file as PyYAML's
Python parser does; anything it refuses is parsed again by the latter, whose
messages and lines are the ones reported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, CollectionStartEvent, Event, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from ..errors import Location, fail

# Far deeper than any project file goes, far shallower than Python's recursion limit, which composing
# and converting a node graph recurse into (a few frames a level).
MAX_YAML_DEPTH = 50
# Python refuses to convert longer digit strings (4300); nothing in a project needs more than a few.
MAX_INT_DIGITS = 100
STR, BOOL, INT, FLOAT, NULL = (f"tag:yaml.org,2002:{t}" for t in ("str", "bool", "int", "float", "null"))


class YamlMap(dict[str, Any]):
    """A mapping that knows its own line and the line of each key."""

    line: int
    key_lines: dict[str, int]


class YamlList(list[Any]):
    """A sequence that knows its own line and the line of each item."""

    line: int
    item_lines: list[int]


class _CoreSchemaResolver(BaseResolver):
    """Resolve plain scalars by the YAML 1.2 core schema."""


for _tag, _pattern, _first in (
    (BOOL, r"true|True|TRUE|false|False|FALSE", "tTfF"),
    (INT, r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", "-+0123456789"),
    (FLOAT, (r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
             r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"), "-+0123456789."),
    (NULL, r"~|null|Null|NULL|", ["~", "n", "N", ""]),
):
    _CoreSchemaResolver.add_implicit_resolver(_tag, re.compile(rf"^(?:{_pattern})$"), list(_first))


class _Refusing(Composer):
    """Compose a node graph, refusing anchors, aliases and explicit tags."""

    _depth = 0
    if TYPE_CHECKING:  # the parser beside it in a loader supplies the events
        def peek_event(self) -> Event: ...

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
            raise _Refused("anchors and aliases (&name, *name) are not allowed; write the value out",
                           _line0(event))
        if isinstance(event, ScalarEvent | CollectionStartEvent) and event.tag not in (None, "!"):
            raise _Refused(f"the YAML tag {event.tag!r} is not allowed; remove it", _line0(event))
        if not isinstance(event, CollectionStartEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise _Refused(f"lists and mappings are nested more than {MAX_YAML_DEPTH} levels deep; "
                               "no tspdocs file needs that many", _line0(event))
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Loader(Reader, Scanner, Parser, _Refusing, _CoreSchemaResolver):
    """PyYAML's own Python reader, scanner and parser: the one whose messages and lines are reported."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _CoreSchemaResolver.__init__(self)


if yaml.__with_libyaml__:  # as in every PyYAML wheel; built without it, the Python parser reads everything
    from yaml._yaml import CParser

    class _FastLoader(_Refusing, CParser, _CoreSchemaResolver):
        """libyaml's scanner and parser (ten times faster) under the same composer and resolver.

        Its messages and marks for broken YAML differ from the Python parser's, so it is only trusted
        with files it reads without complaint; see `_compose`.
        """

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            _CoreSchemaResolver.__init__(self)


def _line0(event: Event) -> int:
    """Return the 0-based line of an event: the parser marks every event it makes."""
    assert event.start_mark is not None
    return event.start_mark.line


class _Refused(Exception):
    def __init__(self, message: str, line0: int) -> None:
        super().__init__(message)
        self.line0 = line0


def load_yaml(text: str, path: str, *, first_line: int = 1) -> Any:
    """Return the single document in `text` as dicts, lists and scalars with line numbers.

    `first_line` is the file line where `text` starts (front matter begins on
    line 2 of a Markdown file), so every reported line is a line of the file.
    """
    try:
        node = _compose(text)
    except _Refused as exc:
        raise fail(str(exc), "yaml", Location(path, exc.line0 + first_line)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else None
        raise fail(f"YAML syntax: {exc.problem or exc.context}", "yaml", Location(path, line)) from None
    except yaml.reader.ReaderError as exc:  # a control character, which YAML does not allow
        line = text.count("\n", 0, exc.position) + first_line
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise fail(f"YAML cannot contain the control character U+{code:04X}; remove it", "yaml",
                   Location(path, line)) from None
    if node is None:
        return None
    return _convert(node, path, first_line)


def _compose(text: str) -> Node | None:
    """Return the document's node graph, composed by libyaml when it reads the text as PyYAML does.

    Text libyaml refuses is composed again by the Python parser, so a mistake is reported exactly as
    before: the same message on the same line.
    """
    if yaml.__with_libyaml__ and _libyaml_agrees(text):
        fast = _FastLoader(text)
        try:
            return fast.get_single_node()
        except (yaml.YAMLError, _Refused):
            pass  # reported below, in the Python parser's words
        finally:
            fast.dispose()
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _libyaml_agrees(text: str) -> bool:
    """Say whether libyaml reads `text` as the Python parser does, so its result can stand for the latter's.

    Where they disagree, the Python parser refuses what libyaml reads: a tab inside a plain scalar, a byte
    order mark past the start, a `?` inside a flow collection (`[a?b]`). Characters YAML does not allow
    libyaml reports without saying which. Text holding any of them is left to the Python parser.
    """
    return not ("\t" in text or "\ufeff" in text[1:] or ("?" in text and ("[" in text or "{" in text))
                or Reader.NON_PRINTABLE.search(text))


def _convert(node: Node, path: str, first_line: int) -> Any:
    line = node.start_mark.line + first_line
    if isinstance(node, ScalarNode):
        return _scalar(node, path, line)
    if isinstance(node, SequenceNode):
        items = YamlList(_convert(child, path, first_line) for child in node.value)
        items.line = line
        items.item_lines = [child.start_mark.line + first_line for child in node.value]
        return items
    assert isinstance(node, MappingNode)
    mapping = YamlMap()
    mapping.line = line
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + first_line
        if not isinstance(key_node, ScalarNode):
            raise fail("a mapping key must be plain text", "yaml", Location(path, key_line))
        key = str(key_node.value)
        if key in mapping:
            raise fail(f"duplicate key {key!r} (first on line {mapping.key_lines[key]}); keep one",
                       "duplicate-key", Location(path, key_line))
        mapping[key] = _convert(value_node, path, first_line)
        mapping.key_lines[key] = key_line
    return mapping


def _scalar(node: ScalarNode, path: str, line: int) -> Any:
    value = node.value
    if node.tag == BOOL:
        return value.lower() == "true"
    if node.tag == INT:
        if len(value) > MAX_INT_DIGITS:
            raise fail(f"a number of {len(value):,} digits is longer than the {MAX_INT_DIGITS} allowed; "
                       "put it in quotes if it is text", "yaml", Location(path, line))
        return int(value, 0) if value[:2] in ("0o", "0x") else int(value)
    if node.tag == FLOAT:
        return _float(value)
    if node.tag == NULL:
        return None
    return value


def _float(value: str) -> float:
    lowered = value.lower()
    if lowered.endswith(".inf"):
        return float(lowered.replace(".inf", "inf"))
    if lowered == ".nan":
        return float("nan")
    return float(value)


def line_at(data: Any, loc: Sequence[str | int]) -> int | None:
    """Return the line of the value at `loc` (a key/index path), or of its nearest parent."""
    line = getattr(data, "line", None)
    node = data
    for step in loc:
        if isinstance(node, YamlMap) and isinstance(step, str) and step in node:
            line = node.key_lines[step]
            node = node[step]
        elif isinstance(node, YamlList) and isinstance(step, int) and 0 <= step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
    return line
