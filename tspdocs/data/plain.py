"""Summaries of a file table's rows in plain Python, so a figure quoted from the survey needs no pandas.

Importing pandas costs a cold build (a first briefing) a third of a second; most quoted figures are
counts, shares and agreement rates of a file's rows, which plain Python computes exactly as pandas does.
Sums and means of decimal columns are left to pandas (`exact`): numpy adds floating-point numbers in
another order than Python, and the last digit could differ. What a summary means is told in derive.py,
whose `summarise` this follows step by step, with the same checks and messages.
"""

from __future__ import annotations

from typing import Any

from ..errors import Location
from .rows import Rows, comparable, wanted_values

AGREE_FROM = 4
NUMERIC_OPERATIONS = ("mean", "median", "sum", "agree")
WHOLE_NUMBERS = frozenset({"integer", "likert"})  # kinds whose sums and means are exact in plain Python


def exact(operation: str, argument: Any, kinds: dict[str, str]) -> bool:
    """Tell whether plain Python gives a summary exactly as pandas does (see the module docstring)."""
    if operation in ("count", "share", "agree", "value"):
        return True
    if operation == "distinct":
        return kinds.get(argument, "text") not in ("number", "fraction")
    return kinds.get(argument, "text") in WHOLE_NUMBERS


def summarise(rows: Rows, operation: str, argument: Any, at: Location) -> tuple[Any, str]:
    """Return one summary of some rows and its kind, as derive.summarise does for a pandas table."""
    rows.require(columns_used(operation, argument), at)
    if operation in NUMERIC_OPERATIONS:
        rows.require_numbers([argument], at)
    if operation == "count":
        return len(rows.records), "integer"
    if operation == "distinct":
        return len({value for value in rows.column(argument) if value is not None}), "integer"
    if operation == "share":
        return (_matching(rows, argument) / len(rows.records) if rows.records else None), "fraction"
    series = [value for value in rows.column(argument) if value is not None]
    if not series:
        return None, "number"
    if operation == "agree":
        return sum(value >= AGREE_FROM for value in series) / len(series), "fraction"
    if operation == "sum":
        return int(sum(series)), "integer"
    if operation == "median":
        import statistics  # 6 ms to import, for an operation no value can ask for yet

        return float(statistics.median(series)), "number"  # the middle one, or the mean of the middle two
    return float(sum(series)) / len(series), "number"  # the mean, as numpy divides: a float by the count


def _matching(rows: Rows, conditions: dict[str, Any]) -> int:
    wanted = {column: wanted_values(values, rows.kinds.get(column, "text")) for column, values in conditions.items()}
    return sum(all(comparable(record[column], rows.kinds.get(column, "text")) in allowed
                   for column, allowed in wanted.items()) for record in rows.records)


def base_of(rows: Rows, operation: str, argument: Any) -> int | None:
    """Return how many respondents stand behind a summary, as derive.base_of does."""
    if operation in ("count", "share"):
        return len(rows.records)
    if operation in ("agree", "mean", "median"):
        return sum(value is not None for value in rows.column(argument))
    return None


def columns_used(operation: str, argument: Any) -> list[str]:
    if operation == "count":
        return []
    if operation == "share":
        return list(argument)
    return [argument]
