"""Turn YAML data into models, and pydantic's errors into `file:line` problems editors can act on."""

from __future__ import annotations

import difflib
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import BuildError, Location, Problem
from .yamlio import line_at

M = TypeVar("M", bound=BaseModel)

PATTERN_NAMES = {
    r"^RQ[1-9][0-9]*$": "a research question id such as RQ3",
    r"^F[0-9]{2,3}$": "a finding id such as F07",
    r"^[a-z][a-z0-9-]*$": "a lower-case name such as health or criminal-justice",
    r"^[a-z0-9][a-z0-9.-]*$": "the name of a CSL style such as apa or harvard-cite-them-right",
    r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$": "a language tag such as en-GB or cy",
}


def validate(model: type[M], data: Any, path: str, *, line: int | None = None,
             context: str = "") -> tuple[M | None, list[Problem]]:
    """Return the model built from `data`, or None and one problem per invalid field."""
    if not isinstance(data, dict):
        found = "nothing" if data is None else f"{type(data).__name__} {data!r}"
        where = Location(path, getattr(data, "line", line))
        return None, [Problem(f"{context or 'this file'} should be a mapping of fields, found {found}",
                              "schema", where)]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = [
            Problem(_message(model, err, context), "schema",
                    Location(path, line_at(data, err["loc"]) or getattr(data, "line", line)))
            for err in exc.errors()
        ]
        return None, problems


def _message(model: type[BaseModel], err: Any, context: str) -> str:
    field = _field_path(err["loc"], context)
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    if kind == "missing":
        return f"missing required field '{field}'"
    if kind == "extra_forbidden":
        return f"unknown field '{field}'{_suggest(model, err['loc'])}"
    if kind == "literal_error":
        return f"{field}: {value!r} is not allowed; use one of {ctx['expected']}"
    if kind == "string_pattern_mismatch":
        wanted = PATTERN_NAMES.get(ctx.get("pattern", ""), f"text matching {ctx.get('pattern')}")
        return f"{field}: {value!r} is not {wanted}"
    if kind == "string_type":
        hint = " (YAML read it as a number or true/false: put it in quotes)" \
            if isinstance(value, bool | int | float) else ""
        return f"{field}: expected text, found {value!r}{hint}"
    if kind == "too_short":
        return f"{field}: give at least {ctx.get('min_length', 1)} item(s)"
    if kind in ("string_too_short",):
        return f"{field}: must not be empty"
    if kind.startswith("date"):
        return f"{field}: {value!r} is not a date; write it as YYYY-MM-DD"
    return f"{field}: {err['msg'].lower()} (found {value!r})"


def _field_path(loc: tuple[Any, ...], context: str) -> str:
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return f"{context}.{text}" if context and text else (text or context)


def _suggest(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    fields = _fields_at(model, loc[:-1])
    if not fields:
        return ""
    close = difflib.get_close_matches(str(loc[-1]), fields, n=1)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; allowed fields are {', '.join(sorted(fields))}"


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Return the field names allowed at `loc` inside `model`, following nested models."""
    current: Any = model
    for step in loc:
        if isinstance(step, int):
            continue
        info = getattr(current, "model_fields", {}).get(step)
        if info is None:
            return []
        current = _inner_model(info.annotation)
    return list(getattr(current, "model_fields", {}))


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def known_names(value: str, allowed: dict[str, Any] | list[str], what: str) -> str | None:
    """Return a message when `value` is not one of `allowed`, with a suggestion; else None."""
    if value in allowed:
        return None
    names = list(allowed)
    close = closest(value, names)
    hint = f"; did you mean '{close}'?" if close else ""
    return f"unknown {what} {value!r}{hint} (known: {', '.join(names)})"


def closest(value: str, names: list[str]) -> str | None:
    """Return the name a user most likely meant: the same but for case, else the nearest by edits in which
    swapping two neighbouring letters counts once (Damerau–Levenshtein), so `hd` suggests `dh`."""
    folded = [name for name in names if name.casefold() == value.casefold()]
    if folded:
        return folded[0]
    scored = sorted((_edits(value.casefold(), name.casefold()), index, name) for index, name in enumerate(names))
    if scored and scored[0][0] <= max(1, len(value) // 3):
        return scored[0][2]
    close = difflib.get_close_matches(value, names, n=1)
    return close[0] if close else None


def resolve_name(value: str, allowed: dict[str, Any] | list[str], what: str, code: str) -> str:
    """Return the name `value` stands for, matching case-insensitively; raise a usage error naming the
    known names and the likeliest one otherwise."""
    if value in allowed:
        return value
    folded = [name for name in allowed if name.casefold() == value.casefold()]
    if len(folded) == 1:
        return folded[0]
    raise BuildError([Problem(known_names(value, allowed, what) or value, code)])


def _edits(a: str, b: str) -> int:
    """Return the optimal string alignment distance between `a` and `b`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, other in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]
