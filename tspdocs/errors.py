"""Problems in a project's inputs, reported as `file:line:col: severity [code] message`.

A user's mistake is a `Problem`, never an exception with a traceback: loaders
collect every problem they find, and a phase that cannot go on raises one
`BuildError` carrying all of them (the way mkdocs aborts once after listing
every configuration error). Anything else that escapes is a bug in tspdocs
and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"  # worth knowing, never wrong: a figure suppressed because its base is small


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: a project-relative path and, when known, line and column."""

    path: str
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the inputs, with a stable `code` per kind of problem; `documents` names the
    documents it was found in when it depends on the document (a label one document lacks)."""

    message: str
    code: str
    location: Location | None = None
    severity: Severity = Severity.ERROR
    documents: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.severity.value} [{self.code}] {self.full_message}"

    @property
    def full_message(self) -> str:
        """Return the message, with the documents it is found in when they matter."""
        if not self.documents:
            return self.message
        names = list(self.documents)
        listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
        return f"{self.message}; in {listed}"

    def as_dict(self) -> dict[str, object]:
        loc = self.location
        return {
            "path": loc.path if loc else None,
            "line": loc.line if loc else None,
            "col": loc.col if loc else None,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.full_message,
        }


class BuildError(Exception):
    """Raised once a phase has found problems it cannot build past."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(merged(problems), key=_sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type, tuple[list[Problem]]]:
        # Rebuilt from its problems when it crosses from a worker process back to the build.
        return (BuildError, (self.problems,))


def merged(problems: Iterable[Problem]) -> list[Problem]:
    """Return each problem once: the same mistake seen by several documents is one problem, naming them all.

    A problem that names its document is merged with those of the same kind at the same place whatever
    their wording (the labels a message suggests differ from document to document); the first wording
    stays.
    """
    out: dict[object, Problem] = {}
    for problem in problems:
        if not problem.documents:
            out.setdefault(problem, problem)
            continue
        key = (problem.code, problem.location, problem.severity)
        first = out.get(key)
        if first is None:
            out[key] = problem
        else:
            documents = tuple(dict.fromkeys(first.documents + problem.documents))
            out[key] = Problem(first.message, first.code, first.location, first.severity, documents)
    return list(out.values())


def _sort_key(problem: Problem) -> tuple[str, int, int]:
    loc = problem.location
    if loc is None:
        return ("", 0, 0)
    return (loc.path, loc.line or 0, loc.col or 0)


@dataclass
class Problems:
    """Collect problems across files so that one run reports them all."""

    items: list[Problem] = field(default_factory=list)

    def error(self, message: str, code: str, location: Location | None = None) -> None:
        self.items.append(Problem(message, code, location, Severity.ERROR))

    def warning(self, message: str, code: str, location: Location | None = None) -> None:
        self.items.append(Problem(message, code, location, Severity.WARNING))

    def info(self, message: str, code: str, location: Location | None = None) -> None:
        self.items.append(Problem(message, code, location, Severity.INFO))

    def add(self, problem: Problem) -> None:
        self.items.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity is Severity.ERROR]

    def raise_if_errors(self) -> None:
        """Stop the run if any error was collected; warnings alone never stop it."""
        if self.errors:
            raise BuildError(self.errors)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def fail(message: str, code: str, location: Location | None = None) -> BuildError:
    """Return a BuildError for a single problem, for code paths that cannot continue."""
    return BuildError([Problem(message, code, location)])
