"""The project's data: typed tables from content/data, derived tables and quotable values.

Reading tables.yaml is cheap and needs no pandas; pandas is imported only
when a document actually asks for a table, a chart or a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..errors import BuildError, Location, fail
from ..model import Project
from ..sources import ProjectFS
from ..validation import known_names, validate
from ..yamlio import line_at, load_yaml
from .formats import format_value
from .spec import DataFile, TableSpec, ValueSpec

if TYPE_CHECKING:
    from .derive import Frame

DATA_FILE = "content/data/tables.yaml"
DEFAULT_FORMATS = {"integer": "integer", "number": "decimal1", "fraction": "percent", "text": "text",
                   "likert": "integer", "date": "text", "percent": "percent"}


@dataclass
class Value:
    value: Any
    kind: str
    text: str


class Data:
    """Find tables and values by name, reading and computing each at most once per run."""

    def __init__(self, fs: ProjectFS, project: Project, *, scope: dict[str, str] | None = None,
                 base: Data | None = None) -> None:
        """`scope` keeps only the rows of every file table whose column has the given value (one local
        area's briefing); `base` lends its already-read tables, so each scope reads no file again."""
        self.fs = fs
        self.project = project
        self.scope = scope or {}
        self.base = base
        self._frames: dict[str, Frame] = {}
        self._values: dict[str, Value] = {}
        self._stack: list[str] = []

    @cached_property
    def _loaded(self) -> tuple[DataFile, Any]:
        path = self.fs.root / DATA_FILE
        if not path.is_file():
            return DataFile(), {}
        raw = load_yaml(self.fs.read_text(path), DATA_FILE)
        spec, problems = validate(DataFile, raw if raw is not None else {}, DATA_FILE, line=1)
        if spec is None:
            raise BuildError(problems)
        return spec, raw

    @property
    def spec(self) -> DataFile:
        return self._loaded[0]

    def check(self) -> None:
        """Read and validate tables.yaml now, so a mistake in it fails every build, used or not."""
        self._loaded  # noqa: B018 - reading the cached property is the check

    def where(self, *keys: str) -> Location:
        """Return the place in tables.yaml that defines something, for messages about it."""
        return Location(DATA_FILE, line_at(self._loaded[1], list(keys)))

    def table(self, name: str, asked_at: Location | None) -> Frame:
        if name not in self.spec.tables:
            raise fail(known_names(name, list(self.spec.tables), "table") or name, "unknown-table", asked_at)
        if name not in self._frames:
            if name in self._stack:
                raise fail(f"table {name!r} is derived from itself", "data-spec", self.where("tables", name))
            self._stack.append(name)
            try:
                self._frames[name] = self._build(name, self.spec.tables[name])
            finally:
                self._stack.pop()
        return self._frames[name]

    def _build(self, name: str, spec: TableSpec) -> Frame:
        import pandas as pd

        from .derive import Frame, derive
        from .files import read_raw, typed_columns

        at = self.where("tables", name)
        if spec.file and (self.scope or self.base):
            from .derive import filter_rows

            frame = (self.base or Data(self.fs, self.project)).table(name, at)
            wanted = {column: value for column, value in self.scope.items() if column in frame.frame.columns}
            return filter_rows(frame, wanted, at) if wanted else frame
        if spec.file:
            raw = read_raw(self.fs, spec, at)
            columns = typed_columns(raw, spec, at)
            kinds = {}
            frame_columns = {}
            for column, values in columns.items():
                declared = spec.columns[column] if spec.columns else "text"
                kind = declared if isinstance(declared, str) else declared.type
                kinds[column] = {"percent": "fraction"}.get(kind, kind)
                frame_columns[column] = pd.Series(values, dtype=_dtype(kind, values))
            return Frame(pd.DataFrame(frame_columns), kinds)
        assert spec.source is not None
        source = self.table(spec.source, self.where("tables", name, "from"))
        return derive(source, spec, self.vocabularies, at)

    @cached_property
    def vocabularies(self) -> dict[str, dict[str, str]]:
        project = self.project
        return {
            "sectors": {k: v.name for k, v in project.sectors.items()},
            "evidence": {k: v.name for k, v in project.evidence.items()},
            "audiences": {k: v.name for k, v in project.audiences.items()},
            "questions": {k: v.title for k, v in project.research_questions.items()},
        }

    def value(self, name: str, asked_at: Location | None) -> Value:
        if name not in self.spec.values:
            raise fail(known_names(name, list(self.spec.values), "value") or name, "unknown-value", asked_at)
        if name not in self._values:
            self._values[name] = self._compute(name, self.spec.values[name])
        return self._values[name]

    def _compute(self, name: str, spec: ValueSpec) -> Value:
        from .derive import columns_used, filter_rows, summarise

        at = self.where("values", name)
        frame = self.table(spec.table, at)
        if spec.where:
            frame = filter_rows(frame, spec.where, at)
        operation = spec.operation
        argument = getattr(spec, operation)
        frame.require(columns_used(operation, argument), at)
        if operation == "value":
            if len(frame.frame) != 1:
                raise fail(f"value {name!r} picks {len(frame.frame)} rows; its `where` must pick exactly one",
                           "data-spec", at)
            raw = frame.frame[argument].iloc[0]
            value, kind = (raw.item() if hasattr(raw, "item") else raw), frame.kinds.get(argument, "text")
        else:
            value, kind = summarise(frame.frame, operation, argument)
        fmt = spec.format or DEFAULT_FORMATS.get(kind, "text")
        try:
            text = format_value(value, fmt)
        except ValueError as exc:
            raise fail(str(exc), "data-spec", at) from None
        return Value(value, kind, text)


def _dtype(kind: str, values: list[Any]) -> str:
    if kind in ("integer", "likert"):
        return "Int64"
    if kind in ("number", "percent"):
        return "Float64"
    return "object"
