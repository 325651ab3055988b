"""What content/data/tables.yaml may say: typed source tables, derived tables and quotable values."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..project.model import Text

ColumnType = Literal["text", "integer", "number", "percent", "likert", "date"]
Scalar = str | int | float | bool


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# How data files commonly write a missing value; a table's `missing:` replaces the list.
DEFAULT_MISSING = ("NA", "n/a", "N/A", ".", "-", "\u2013")


class ColumnSpec(Model):
    type: ColumnType
    optional: bool = False  # may hold empty cells, and the table's missing-value markers, read as missing
    format: str | None = None  # a date column's strptime format, e.g. "%d/%m/%Y"; YYYY-MM-DD without it

    @model_validator(mode="after")
    def _date_format(self) -> ColumnSpec:
        if self.format is not None and (self.type != "date" or "%" not in self.format):
            raise ValueError("`format` is for date columns, written with strptime codes: "
                             "{type: date, format: \"%d/%m/%Y\"}")
        return self


class Measure(Model):
    """One summary of a group: exactly one of the operations."""

    count: Literal["rows"] | None = None
    mean: str | None = None
    median: str | None = None
    sum: str | None = None
    agree: str | None = None
    share: dict[str, Scalar | list[Scalar]] | None = None

    @model_validator(mode="after")
    def _one_operation(self) -> Measure:
        chosen = [name for name in ("count", "mean", "median", "sum", "agree", "share") if getattr(self, name)]
        if len(chosen) != 1:
            raise ValueError("give exactly one of count, mean, median, sum, agree, share")
        return self

    @property
    def operation(self) -> str:
        return next(name for name in ("count", "mean", "median", "sum", "agree", "share") if getattr(self, name))


class Crosstab(Model):
    rows: str
    columns: str
    values: str | None = None
    aggregate: Literal["count", "mean", "sum", "agree"] = "count"
    normalize: Literal["row", "column", "all"] | None = None


class TableSpec(Model):
    """A table from a file (`file` + `columns`) or derived from another (`from` + one operation)."""

    description: Text | None = None
    file: Text | None = None
    sheet: Text | None = None
    respondents: bool = True  # each row is a respondent, so figures have bases; false for other facts
    columns: dict[str, ColumnType | ColumnSpec] | None = None
    source: Annotated[str | None, Field(alias="from")] = None
    where: dict[str, Scalar | list[Scalar]] = Field(default_factory=dict)
    recode: dict[str, str | dict[str, str]] = Field(default_factory=dict)
    group_by: str | list[str] | None = None
    measures: dict[str, Measure] = Field(default_factory=dict)
    crosstab: Crosstab | None = None
    likert: dict[str, str] | None = None
    order: dict[str, list[Scalar]] = Field(default_factory=dict)
    missing: list[str] = Field(default_factory=lambda: list(DEFAULT_MISSING))  # markers of a missing value

    @model_validator(mode="after")
    def _file_or_derived(self) -> TableSpec:
        if bool(self.file) == bool(self.source):
            raise ValueError("give either `file` (with `columns`) or `from` (a table to derive from)")
        if self.source and "missing" in self.model_fields_set:
            raise ValueError("`missing` belongs on the table read from a file; derived tables follow it")
        if self.source and "respondents" in self.model_fields_set:
            raise ValueError("`respondents` belongs on the table read from a file; derived tables follow it")
        if self.file and not self.columns:
            raise ValueError("a table read from a file must declare the type of every column in `columns`")
        if self.source:
            ops = [op for op in ("group_by", "crosstab", "likert") if getattr(self, op)]
            if len(ops) > 1:
                raise ValueError(f"give one of group_by, crosstab or likert, not {' and '.join(ops)}")
            if self.group_by and not self.measures:
                raise ValueError("group_by needs `measures` saying what to compute for each group")
        return self


class ValueSpec(Model):
    """One figure that prose quotes, computed the same way wherever it appears."""

    table: str
    where: dict[str, Scalar | list[Scalar]] = Field(default_factory=dict)
    count: Literal["rows"] | None = None
    distinct: str | None = None
    agree: str | None = None
    share: dict[str, Scalar | list[Scalar]] | None = None
    mean: str | None = None
    sum: str | None = None
    value: str | None = None
    format: str | None = None
    min_base: int | None = Field(None, ge=1)  # this figure's own minimum base, over the project's

    @model_validator(mode="after")
    def _one_operation(self) -> ValueSpec:
        chosen = [n for n in ("count", "distinct", "agree", "share", "mean", "sum", "value") if getattr(self, n)]
        if len(chosen) != 1:
            raise ValueError("give exactly one of count, distinct, agree, share, mean, sum, value")
        return self

    @property
    def operation(self) -> str:
        return next(n for n in ("count", "distinct", "agree", "share", "mean", "sum", "value") if getattr(self, n))


class FiguresSpec(Model):
    """The project's rules for printing survey figures; see README, "Bases and small numbers"."""

    min_base: int = Field(30, ge=1)
    min_count: int = Field(3, ge=1)
    base_text: Text = "{base} respondents"
    on_low_base: Literal["fail"] = "fail"

    @model_validator(mode="after")
    def _base_placeholder(self) -> FiguresSpec:
        if "{base}" not in self.base_text:
            raise ValueError("base_text must say where the number goes, as {base}: e.g. \"{base} respondents\"")
        return self


class DataFile(Model):
    figures: FiguresSpec = Field(default_factory=FiguresSpec)
    tables: dict[str, TableSpec] = Field(default_factory=dict)
    values: dict[str, ValueSpec] = Field(default_factory=dict)


def column_type(spec: ColumnType | ColumnSpec) -> ColumnSpec:
    return spec if isinstance(spec, ColumnSpec) else ColumnSpec(type=spec)


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]
