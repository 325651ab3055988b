"""Rows: a finished table as plain Python data, which tables, charts and the cache use without pandas."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from ..errors import Location, fail
from .spec import as_list


@dataclass
class Rows:
    columns: list[str]
    kinds: dict[str, str]
    records: list[dict[str, Any]]

    @classmethod
    def from_frame(cls, frame: Any) -> Rows:
        """Convert a pandas-backed Frame, turning numpy scalars and missing values into plain Python."""
        data = frame.frame
        columns = [str(c) for c in data.columns]
        records = [{column: _plain(value) for column, value in zip(columns, row)}
                   for row in data.itertuples(index=False, name=None)]
        return cls(columns, dict(frame.kinds), records)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Rows:
        return cls(value["columns"], value["kinds"], value["records"])

    def to_json(self) -> dict[str, Any]:
        return {"columns": self.columns, "kinds": self.kinds, "records": self.records}

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
        wanted = {column: {_comparable(v) for v in as_list(values)} for column, values in conditions.items()}
        kept = [r for r in self.records if all(_comparable(r[c]) in allowed for c, allowed in wanted.items())]
        return Rows(self.columns, self.kinds, kept)


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


def _comparable(value: Any) -> Any:
    """Compare numbers as numbers and everything else as text, as YAML and CSV may spell them apart."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)
