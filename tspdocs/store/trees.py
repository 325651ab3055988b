"""Keep parsed Markdown in the build cache, so a build parses only the text that changed since the last.

A parse depends on nothing but the text, where it sits (file and first line) and
the parser's own code, so the trees of every text a build parsed are kept, keyed
by all three, in one pack file (one write per build, however many texts it
parsed). A later build rebuilds each tree from the pack instead of parsing the
text again, and replays the problems the parse reported, so messages are the same.

The pack is JSON: nodes are stored by the name of their class, and only the
tree's own classes and locations are ever rebuilt, so nothing in the cache can
run code (store/cache.py). One object in two places (a footnote called twice)
is rebuilt as one. Entries no build has used for
`KEEP_FOR` builds are dropped when the pack is next written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import math
import threading
from functools import cache
from pathlib import Path
from typing import Any

from .. import tree as t
from ..errors import Location, Problem, Problems, Severity
from .cache import Cache

KIND = "blocks"
PACK = "pack"
KEEP_FOR = 10  # builds: long enough for a day of switching between documents, short enough to stay small
_CLASSES: dict[str, type] = {
    cls.__name__: cls for cls in (*(v for v in vars(t).values() if isinstance(v, type) and dataclasses.is_dataclass(v)),
                                  Location)}
_FIELDS = {name: tuple(f.name for f in dataclasses.fields(cls)) for name, cls in _CLASSES.items()}
_SEVERITIES = {s.value: s for s in Severity}


class _Unstorable(Exception):
    """The tree holds something the pack cannot rebuild exactly; it is parsed again next time."""


@cache
def parser_fingerprint() -> str:
    """Hash the code a parse depends on: tspdocs' Markdown package, the tree and its locations, and the
    versions of markdown-it-py and its plugins (their package files name them), read without importing
    them, so a build whose every text is in the pack need not load the parser at all."""
    package = Path(__file__).resolve().parents[1]
    files = [*sorted((package / "markdown").glob("*.py")), package / "tree.py", package / "errors.py",
             Path(__file__).resolve()]
    for library in ("markdown_it", "mdit_py_plugins"):
        spec = importlib.util.find_spec(library)
        if spec is None or spec.origin is None:
            return ""  # without the parser nothing can be parsed; the miss reports that
        files.append(Path(spec.origin))
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class ParseCache:
    """The pack of one build: read when the first text is looked up, written by `save` if it grew."""

    def __init__(self, cache: Cache, *, keep_renders: bool = True) -> None:
        """`keep_renders` False keeps only texts read from files: a batch renders every area's template
        with its own figures, texts no later build meets again, which would only swell the pack."""
        self.cache = cache
        self.keep_renders = keep_renders
        self._pack: dict[str, Any] | None = None
        self._used: set[str] = set()
        self._added = False
        self._lock = threading.Lock()  # a batch's threads share their session, and so this

    def blocks(self, text: str, path: str, first_line: int, problems: Problems, *,
               rendered: bool = False) -> list[t.Block]:
        """Return a new tree of `text`, as `build_blocks` would, from the pack when it holds one;
        `rendered` marks a template's output."""
        key = Cache.key(KIND, parser_fingerprint(), path, first_line, text)
        entries = self._entries()
        entry = entries.get(key)
        found = decode(entry.get("tree")) if isinstance(entry, dict) else None
        if found is not None:
            blocks, reported = found
            self._used.add(key)
            problems.extend(reported)
            return blocks
        from ..markdown.treebuilder import build_blocks  # the parser loads only for a text not in the pack

        reported_here = Problems()
        blocks = build_blocks(text, path, first_line, reported_here)
        stored = encode(blocks, reported_here.items) if self.keep_renders or not rendered else None
        if stored is not None:
            entries[key] = {"tree": stored}
            self._used.add(key)
            self._added = True
        problems.extend(reported_here.items)
        return blocks

    def save(self) -> None:
        """Hand the pack to the cache (written at its commit) if a text was parsed; entries unused for
        `KEEP_FOR` builds go."""
        with self._lock:
            self._save()

    def _save(self) -> None:
        if not self._added or self._pack is None:
            return
        generation = int(self._pack.get("generation", 0)) + 1
        entries = self._pack["entries"]
        for key in self._used:
            entries[key]["used"] = generation
        kept = {key: entry for key, entry in entries.items()
                if isinstance(entry, dict) and isinstance(entry.get("used"), int)
                and entry["used"] > generation - KEEP_FOR}
        self.cache.put_json(KIND, PACK, {"generation": generation, "entries": kept})
        self._added = False

    def _entries(self) -> dict[str, Any]:
        with self._lock:
            return self._read()

    def _read(self) -> dict[str, Any]:
        if self._pack is None:
            pack = self.cache.get_json(KIND, PACK)
            valid = isinstance(pack, dict) and isinstance(pack.get("entries"), dict) \
                and isinstance(pack.get("generation"), int)
            self._pack = pack if valid else {"generation": 0, "entries": {}}
        entries: dict[str, Any] = self._pack["entries"]
        return entries


# The encoding: JSON's own values as themselves, a list as a list, and everything else as a one-key
# object saying what it is: {"n": [class, fields...]} a node, {"t": [...]} a tuple, {"d": {...}} a dict
# of text keys, {"p": [...]} a reported problem, and {"r": k} the k-th list, tuple, dict or node met
# (counted in the order written) met again: a footnote called twice is one list of blocks in both places.


def encode(blocks: list[t.Block], problems: list[Problem]) -> dict[str, Any] | None:
    """Return the tree and its parse's problems as JSON data, or None if they cannot be kept exactly."""
    seen: dict[int, int] = {}
    try:
        return {"blocks": _encode(blocks, seen), "problems": [_problem(p, seen) for p in problems]}
    except _Unstorable:
        return None


def decode(data: object) -> tuple[list[t.Block], list[Problem]] | None:
    """Rebuild what `encode` kept, as new objects; None for anything else (a damaged pack is a miss)."""
    try:
        assert isinstance(data, dict)
        made: list[object] = []
        blocks = _decode(data["blocks"], made)
        problems = [_unproblem(p, made) for p in data["problems"]]
        assert isinstance(blocks, list) and all(isinstance(b, t.Block) for b in blocks)
        return blocks, problems
    except (AssertionError, KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None


def _encode(value: object, seen: dict[int, int]) -> object:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Unstorable
        return value
    if id(value) in seen:
        return {"r": seen[id(value)]}
    seen[id(value)] = len(seen)
    kind = type(value)
    if kind is list:
        return [_encode(item, seen) for item in value]  # type: ignore[attr-defined]
    if kind is tuple:
        return {"t": [_encode(item, seen) for item in value]}  # type: ignore[attr-defined]
    if kind is dict:
        if not all(type(key) is str for key in value):  # type: ignore[attr-defined]
            raise _Unstorable
        return {"d": {key: _encode(item, seen) for key, item in value.items()}}  # type: ignore[attr-defined]
    name = kind.__name__
    if _CLASSES.get(name) is not kind:
        raise _Unstorable
    return {"n": [name, *(_encode(getattr(value, field), seen) for field in _FIELDS[name])]}


def _decode(value: object, made: list[object]) -> object:
    """Rebuild `value`; `made` holds every list, tuple, dict and node so far, in `_encode`'s order."""
    if not isinstance(value, list | dict):
        return value
    if isinstance(value, dict) and "r" in value:
        found = made[value["r"]]
        assert found is not None  # a reference to an object not yet finished would be a cycle
        return found
    index = len(made)
    made.append(None)
    built: object
    if isinstance(value, list):
        built = [_decode(item, made) for item in value]
    else:
        (tag, body), = value.items()
        if tag == "n":
            name, *values = body
            fields = [_decode(v, made) for v in values]
            built = _CLASSES[name](**dict(zip(_FIELDS[name], fields, strict=True)))
        elif tag == "t":
            built = tuple(_decode(item, made) for item in body)
        elif tag == "d":
            built = {key: _decode(item, made) for key, item in body.items()}
        else:
            raise ValueError(tag)
    made[index] = built
    return built


def _problem(problem: Problem, seen: dict[int, int]) -> dict[str, Any]:
    return {"p": [problem.message, problem.code, _encode(problem.location, seen), problem.severity.value,
                  list(problem.documents)]}


def _unproblem(data: dict[str, Any], made: list[object]) -> Problem:
    message, code, location, severity, documents = data["p"]
    where = _decode(location, made)
    assert where is None or isinstance(where, Location)
    return Problem(str(message), str(code), where, _SEVERITIES[severity], tuple(str(d) for d in documents))
