"""Rows: a finished table as plain Python data, which tables, charts and the cache use without pandas."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from ..errors import Location, fail
from .spec import as_list


@dataclass
class Rows:
    """Columns, their kinds and the records; `bases[i][column]` is how many respondents stand behind a
    computed cell of record i (absent for a cell read from a file, which has no base)."""

    columns: list[str]
    kinds: dict[str, str]
    records: list[dict[str, Any]]
    bases: list[dict[str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.bases:
            self.bases = [{} for _ in self.records]

    @classmethod
    def from_frame(cls, frame: Any) -> Rows:
        """Convert a pandas-backed Frame, turning numpy scalars and missing values into plain Python."""
        data = frame.frame
        columns = [str(c) for c in data.columns]
        records = [{column: _plain(value) for column, value in zip(columns, row, strict=True)}
                   for row in data.itertuples(index=False, name=None)]
        based = [str(c) for c in frame.bases.columns]
        bases = [{column: int(base) for column, base in zip(based, row, strict=True) if _plain(base) is not None}
                 for row in frame.bases.itertuples(index=False, name=None)] if based else []
        return cls(columns, dict(frame.kinds), records, bases)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Rows:
        return cls(value["columns"], value["kinds"], value["records"], value["bases"])

    def to_json(self) -> dict[str, Any]:
        return {"columns": self.columns, "kinds": self.kinds, "records": self.records, "bases": self.bases}

    def base(self, index: int, column: str) -> int | None:
        """Return the base of one cell, or None for a cell that is not a survey figure."""
        return self.bases[index].get(column)

    def require(self, names: list[str], where: Location | None) -> None:
        missing = [name for name in names if name not in self.columns]
        if missing:
            raise fail(f"no column {', '.join(repr(c) for c in missing)} in this table "
                       f"(it has {', '.join(self.columns)})", "data-column", where)

    def column(self, name: str) -> list[Any]:
        return [record[name] for record in self.records]

    def where(self, conditions: dict[str, Any], at: Location | None) -> Rows:
        """Keep the rows whose columns hold the given value, or one of the given values."""
        self.require(list(conditions), at)
        wanted = {column: wanted_values(values, self.kinds.get(column, "text"))
                  for column, values in conditions.items()}
        kept = [i for i, r in enumerate(self.records)
                if all(comparable(r[c], self.kinds.get(c, "text")) in allowed for c, allowed in wanted.items())]
        return Rows(self.columns, self.kinds, [self.records[i] for i in kept], [self.bases[i] for i in kept])

    def require_numbers(self, names: list[str], where: Location | None) -> None:
        require_numbers(self.kinds, names, bool(self.records), where)


def _plain(value: Any) -> Any:
    """Return a JSON-able Python value: numbers, text (dates as YYYY-MM-DD) or None."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value


NUMERIC_KINDS = frozenset({"integer", "number", "fraction", "likert"})


def require_numbers(kinds: dict[str, str], names: list[str], has_rows: bool, where: Location | None) -> None:
    """Refuse columns that hold text where numbers are needed; with no rows at all, say that instead."""
    text = [name for name in names if kinds.get(name, "text") not in NUMERIC_KINDS]
    if text and not has_rows:  # no values to tell a number column by: the empty table is the mistake
        raise fail("the table has no rows, so there are no numbers to show; check the where: that selects "
                   "its rows", "no-data", where)
    if text:
        raise fail(f"column {', '.join(repr(c) for c in text)} holds text, but a number is needed here",
                   "data-type", where)


def comparable(value: Any, kind: str) -> Any:
    """Return `value` as the column's kind compares it: a number column by number, any other by text.

    The column's declared kind decides, not the value's look: in a text column `007` and `7` differ,
    so a `where:` on a text column should quote its values."""
    if value is None:
        return None
    if kind in NUMERIC_KINDS:
        try:
            return float(value)
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def wanted_values(values: Any, kind: str) -> set[Any]:
    return {comparable(value, kind) for value in as_list(values)}
