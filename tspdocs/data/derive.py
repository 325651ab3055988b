"""Compute derived tables with pandas: filter, recode, group and summarise, cross-tabulate, Likert shares.

The operations are declared in tables.yaml and nothing an editor writes is
ever evaluated as code; each operation names columns that must exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ..errors import Location, fail
from .plain import AGREE_FROM, NUMERIC_OPERATIONS, columns_used
from .rows import comparable, require_numbers, wanted_values
from .spec import Crosstab, Measure, TableSpec, as_list

LIKERT_COLUMNS = ("strongly_disagree", "disagree", "neutral", "agree", "strongly_agree")


class Frame:
    """A pandas DataFrame with the kind of each column (text, integer, number or fraction) and, for computed
    columns, the base of every cell: how many respondents answered behind it."""

    def __init__(self, frame: pd.DataFrame, kinds: dict[str, str], bases: pd.DataFrame | None = None) -> None:
        self.frame = frame
        self.kinds = kinds
        self.bases = bases if bases is not None else pd.DataFrame(index=frame.index)

    def require(self, columns: list[str], where: Location) -> None:
        missing = [c for c in columns if c not in self.frame.columns]
        if missing:
            raise fail(f"no column {', '.join(repr(c) for c in missing)} in this table "
                       f"(it has {', '.join(map(str, self.frame.columns))})", "data-column", where)

    def require_numbers(self, columns: list[str], where: Location) -> None:
        require_numbers(self.kinds, columns, not self.frame.empty, where)


def filter_rows(frame: Frame, where: dict[str, Any], at: Location) -> Frame:
    """Keep the rows matching every condition, compared as Rows.where compares them."""
    frame.require(list(where), at)
    mask = _mask(frame.frame, where, frame.kinds)
    return Frame(frame.frame[mask], frame.kinds, frame.bases[mask])


def _mask(data: pd.DataFrame, where: dict[str, Any], kinds: dict[str, str]) -> pd.Series:
    mask = pd.Series(True, index=data.index)
    for column, values in where.items():
        kind = kinds.get(column, "text")
        wanted = wanted_values(values, kind)
        mask &= data[column].map(lambda value, k=kind, w=wanted: comparable(None if pd.isna(value) else value, k) in w)
    return mask


def derive(source: Frame, spec: TableSpec, vocabularies: dict[str, dict[str, str]], at: Location) -> Frame:
    frame = filter_rows(source, spec.where, at) if spec.where else source
    order = {k: [str(v) for v in vals] for k, vals in spec.order.items()}
    for column, mapping in spec.recode.items():
        frame.require([column], at)
        if isinstance(mapping, str):
            if mapping not in vocabularies:
                raise fail(f"recode: {mapping!r} is not a list in project.yaml (use one of "
                           f"{', '.join(vocabularies)}) or a mapping", "data-spec", at)
            order.setdefault(column, list(vocabularies[mapping].values()))
            mapping = vocabularies[mapping]
        data = frame.frame.copy()
        data[column] = data[column].map(lambda v, m=mapping: m.get(str(v), v))
        frame = Frame(data, frame.kinds, frame.bases)
    if spec.group_by:
        return _group(frame, as_list(spec.group_by), spec.measures, order, at)
    if spec.crosstab:
        return _crosstab(frame, spec.crosstab, order, at)
    if spec.likert:
        return _likert(frame, spec.likert, at)
    return frame


def summarise(frame: Frame, operation: str, argument: Any, at: Location) -> tuple[Any, str]:
    """Return one summary of some rows and its kind: count, distinct, mean, median, sum, agree or share.

    `agree` is the share answering 4 or 5 on a five-point scale; `share` is
    the share of rows matching a mapping of column to value(s).
    """
    data = frame.frame
    frame.require(columns_used(operation, argument), at)
    if operation in NUMERIC_OPERATIONS:
        frame.require_numbers([argument], at)
    if operation == "count":
        return len(data), "integer"
    if operation == "distinct":
        return int(data[argument].nunique()), "integer"
    if operation == "share":
        return (float(_mask(data, argument, frame.kinds).mean()) if len(data) else None), "fraction"
    series = data[argument].dropna()
    if not len(series):
        return None, "number"
    if operation == "agree":
        return float((series >= AGREE_FROM).mean()), "fraction"
    if operation == "sum":
        total = series.sum()
        return (int(total) if pd.api.types.is_integer_dtype(series) else float(total)), \
            ("integer" if pd.api.types.is_integer_dtype(series) else "number")
    return float(getattr(series, operation)()), "number"


def base_of(frame: Frame, operation: str, argument: Any) -> int | None:
    """Return how many respondents stand behind a summary: those who answered, for a rate or an average;
    the rows themselves, for a count or a share. Totals and distinct counts are not survey figures."""
    if operation in ("count", "share"):
        return len(frame.frame)
    if operation in ("agree", "mean", "median"):
        return int(frame.frame[argument].notna().sum())
    return None


def _group(frame: Frame, keys: list[str], measures: dict[str, Measure], order: dict[str, list[str]],
           at: Location) -> Frame:
    frame.require(keys, at)
    rows = []
    bases = []
    kinds = {key: frame.kinds.get(key, "text") for key in keys}
    for group_key, group in frame.frame.groupby(keys, sort=False):
        values = group_key if isinstance(group_key, tuple) else (group_key,)
        row: dict[str, Any] = dict(zip(keys, values, strict=True))
        base: dict[str, int | None] = {}
        for name, spec in measures.items():
            part, argument = Frame(group, frame.kinds), getattr(spec, spec.operation)
            row[name], kinds[name] = summarise(part, spec.operation, argument, at)
            base[name] = base_of(part, spec.operation, argument)
        rows.append(row)
        bases.append(base)
    result = pd.DataFrame(rows, columns=keys + list(measures))
    return _sorted(Frame(result, kinds, pd.DataFrame(bases, columns=list(measures), dtype="Int64")), keys, order)


def _crosstab(frame: Frame, spec: Crosstab, order: dict[str, list[str]], at: Location) -> Frame:
    columns = [spec.rows, spec.columns] + ([spec.values] if spec.values else [])
    frame.require(columns, at)
    if spec.values and spec.aggregate != "count":
        frame.require_numbers([spec.values], at)
    data = frame.frame
    if spec.aggregate == "count" or spec.values is None:
        table = pd.crosstab(data[spec.rows], data[spec.columns])
        kind = "integer"
        bases = table.copy()  # a count is its own base
    else:
        funcs: dict[str, str | Callable[[pd.Series], float]] = {
            "mean": "mean", "sum": "sum", "agree": lambda s: float((s >= AGREE_FROM).mean())}
        table = pd.crosstab(data[spec.rows], data[spec.columns], values=data[spec.values],
                            aggfunc=funcs[spec.aggregate])
        kind = "fraction" if spec.aggregate == "agree" else "number"
        answered = pd.crosstab(data[spec.rows], data[spec.columns], values=data[spec.values], aggfunc="count")
        bases = answered if spec.aggregate != "sum" else answered.iloc[:, :0]
    if spec.normalize:
        bases = _normalised_bases(table, spec.normalize)
        table = table.div(table.sum(axis=1), axis=0) if spec.normalize == "row" else \
            table.div(table.sum(axis=0), axis=1) if spec.normalize == "column" else table / table.values.sum()
        kind = "fraction"
    if spec.columns in order:
        known = [c for c in order[spec.columns] if c in table.columns]
        table = table[known + [c for c in table.columns if c not in known]]
    bases = bases[[c for c in table.columns if c in bases.columns]]
    table.columns = [str(c) for c in table.columns]
    bases.columns = [str(c) for c in bases.columns]
    table = table.reset_index()
    table.columns.name = None
    bases = bases.reset_index(drop=True).fillna(0).astype("Int64")
    kinds = {spec.rows: "text", **{c: kind for c in table.columns[1:]}}
    return _sorted(Frame(table, kinds, bases), [spec.rows], order)


def _normalised_bases(counts: pd.DataFrame, normalize: str) -> pd.DataFrame:
    """Return the base of every share in a normalised cross-tabulation: its row's, column's or grand total."""
    bases = counts.copy()
    for column in bases.columns:
        if normalize == "row":
            bases[column] = counts.sum(axis=1)
        elif normalize == "column":
            bases[column] = counts[column].sum()
        else:
            bases[column] = counts.values.sum()
    return bases


def _likert(frame: Frame, items: dict[str, str], at: Location) -> Frame:
    frame.require(list(items), at)
    frame.require_numbers(list(items), at)
    rows = []
    kinds = {"item": "text", **{c: "fraction" for c in LIKERT_COLUMNS}, "agree_total": "fraction", "mean": "number"}
    for column, label in items.items():
        series = frame.frame[column].dropna()
        shares = [float((series == score).mean()) if len(series) else None for score in range(1, 6)]
        rows.append({"item": label, **dict(zip(LIKERT_COLUMNS, shares, strict=True)),
                     "agree_total": float((series >= AGREE_FROM).mean()) if len(series) else None,
                     "mean": float(series.mean()) if len(series) else None})
    answered = [len(frame.frame[column].dropna()) for column in items]
    bases = pd.DataFrame({c: answered for c in list(kinds)[1:]}, dtype="Int64")
    return Frame(pd.DataFrame(rows), kinds, bases)


def _sorted(frame: Frame, keys: list[str], order: dict[str, list[str]]) -> Frame:
    """Sort a derived table's rows by `keys` (in the declared order where there is one), bases alike."""
    table = frame.frame

    def rank(column: str) -> Any:
        wanted = order.get(column)
        if wanted:
            return table[column].map(lambda v: wanted.index(str(v)) if str(v) in wanted else len(wanted))
        return table[column]

    if not keys:
        return frame
    index = pd.DataFrame({k: rank(k) for k in keys}).sort_values(keys, kind="stable").index
    return Frame(table.loc[index].reset_index(drop=True), frame.kinds,
                 frame.bases.loc[index].reset_index(drop=True))
