"""Choose and order findings by predicates written in YAML, so documents and audiences are data.

A predicate is a mapping whose entries must all hold::

    sectors: health                 # the list field contains health
    status: [reviewed, approved]    # the field is one of these
    any: [{audiences: dh}, {sectors: health}]
    not: {phase: final}

Field names are those of a finding's front matter; values are checked
against the names project.yaml defines, so a typo fails the build.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import Location, Problems
from .model import Finding, FindingMeta, Project
from .validation import known_names

Predicate = Callable[[FindingMeta], bool]

_COMBINATORS = ("any", "all", "not")


def compile_predicate(spec: Any, path: str, project: Project) -> Predicate:
    """Return a test for findings described by `spec`, or raise one BuildError listing its mistakes."""
    problems = Problems()
    predicate = _compile(spec, path, project, problems, getattr(spec, "line", None))
    problems.raise_if_errors()
    return predicate


def _compile(spec: Any, path: str, project: Project, problems: Problems, line: int | None) -> Predicate:
    if spec is None:
        return lambda meta: True
    if not isinstance(spec, dict):
        problems.error(f"a selection must be a mapping such as {{sectors: health}}, found {spec!r}",
                       "selection", Location(path, line))
        return lambda meta: True
    tests: list[Predicate] = []
    key_lines = getattr(spec, "key_lines", {})
    for key, value in spec.items():
        where = Location(path, key_lines.get(key, line))
        if key in _COMBINATORS:
            tests.append(_combinator(key, value, path, project, problems, where))
        else:
            tests.append(_field_test(key, value, project, problems, where))
    return lambda meta: all(test(meta) for test in tests)


def _combinator(key: str, value: Any, path: str, project: Project, problems: Problems,
                where: Location) -> Predicate:
    if key == "not":
        inner = _compile(value, path, project, problems, where.line)
        return lambda meta: not inner(meta)
    if not isinstance(value, list):
        problems.error(f"'{key}' takes a list of selections", "selection", where)
        return lambda meta: True
    lines = getattr(value, "item_lines", [where.line] * len(value))
    parts = [_compile(item, path, project, problems, item_line) for item, item_line in zip(value, lines, strict=True)]
    combine = any if key == "any" else all
    return lambda meta: combine(part(meta) for part in parts)


def _field_test(name: str, value: Any, project: Project, problems: Problems, where: Location) -> Predicate:
    fields = FindingMeta.model_fields
    if name not in fields:
        message = known_names(name, [*fields, *_COMBINATORS], "selection field")
        problems.error(message or name, "selection", where)
        return lambda meta: True
    wanted = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    _check_values(name, wanted, project, problems, where)
    wanted_set = set(wanted)

    def test(meta: FindingMeta) -> bool:
        actual = getattr(meta, name)
        if isinstance(actual, list | dict):
            return bool(wanted_set.intersection(actual))
        return str(actual) in wanted_set

    return test


def _check_values(name: str, values: list[str], project: Project, problems: Problems,
                  where: Location) -> None:
    vocabularies: dict[str, tuple[Iterable[str], str]] = {
        "questions": (project.research_questions, "research question"),
        "sectors": (project.sectors, "sector"),
        "evidence": (project.evidence, "evidence source"),
        "audiences": (project.audiences, "audience"),
        "implications": (project.audiences, "audience"),
        "status": (("draft", "reviewed", "approved"), "status"),
        "phase": (("interim", "final"), "phase"),
    }
    if name not in vocabularies:
        return
    allowed, what = vocabularies[name]
    for value in values:
        message = known_names(value, list(allowed), what)
        if message:
            problems.error(f"{name}: {message}", "selection", where)


def natural_key(value: Any) -> tuple[Any, ...]:
    """Sort RQ2 before RQ10 and F9 before F10."""
    if isinstance(value, list):
        value = value[0] if value else ""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(value)))


def select_findings(findings: Iterable[Finding], predicate: Predicate, order_by: list[str]) -> list[Finding]:
    """Return the findings that satisfy `predicate`, sorted by the `order_by` fields."""
    chosen = [f for f in findings if predicate(f.meta)]
    return sorted(chosen, key=lambda f: tuple(natural_key(getattr(f.meta, name)) for name in order_by))
