"""The project's data: typed tables from content/data, derived tables and quotable values.

Reading tables.yaml is cheap and needs no pandas; pandas is imported only
when a document actually asks for a table, a chart or a value.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..errors import BuildError, Location, fail
from ..project.model import Project
from ..project.projectfs import ProjectFS
from ..project.validation import known_names, validate
from ..project.yamlio import line_at, load_yaml
from ..store.cache import Cache
from . import plain
from .formats import format_value
from .rows import Rows
from .spec import DataFile, TableSpec, ValueSpec
from .suppression import FigurePolicy

if TYPE_CHECKING:
    from .derive import Frame

DATA_FILE = "content/data/tables.yaml"
DEFAULT_FORMATS = {"integer": "integer", "number": "decimal1", "fraction": "percent", "text": "text",
                   "likert": "integer", "date": "text", "percent": "percent"}


@dataclass
class Value:
    """A figure prose quotes: its value, kind and printed text, and the respondents behind it (`base`,
    None for a figure that is not a survey figure, such as a total of researcher days)."""

    value: Any
    kind: str
    text: str
    base: int | None = None


class Data:
    """Find tables and values by name, computing each at most once per run and, through the cache,
    at most once until the data changes."""

    def __init__(self, fs: ProjectFS, project: Project, *, scope: dict[str, str] | None = None,
                 base: Data | None = None, cache: Cache | None = None) -> None:
        """`scope` keeps only the rows of every file table whose column has the given value (one local
        area's briefing); `base` lends its already-read tables, so each scope reads no file again."""
        self.fs = fs
        self.project = project
        self.scope = scope or {}
        self.base = base
        self.cache: Cache = cache or (base.cache if base else Cache(None))
        self._frames: dict[str, Frame] = {}
        self._rows: dict[str, Rows] = {}
        self._file_rows: dict[str, Rows] = {}
        self._values: dict[str, Value] = {}
        self._stack: list[str] = []

    @cached_property
    def fingerprint(self) -> str:
        """Hash every input data can depend on: tables.yaml, the data files and project.yaml's names."""
        if self.base is not None:
            return self.base.fingerprint
        digest = hashlib.sha256()
        files = [self.fs.root / "content/project.yaml"]
        data = self.fs.root / "content/data"
        if data.is_dir():
            files += sorted(p for p in data.rglob("*") if not p.is_dir())
        for path in files:
            # A link out of the project, a FIFO or a device is refused, with its place, when a table reads
            # it; here it is never opened and only needs to change the hash.
            content = self.fs.digest(path).encode() if self.fs.is_readable(path) else str(path.resolve()).encode()
            digest.update(self.fs.display(path).encode() + b"\0" + content + b"\0")
        return digest.hexdigest()

    def rows(self, name: str, asked_at: Location | None) -> Rows:
        """Return a finished table as plain rows, from the cache when the data has not changed."""
        if name not in self._rows:
            self._check_table(name, asked_at)
            key = Cache.key("rows", name, self.fingerprint, self.scope)
            cached = self.cache.get_json("rows", key)
            if cached is None:
                rows = Rows.from_frame(self.table(name, asked_at))
                if not self.of_respondents(name):
                    rows.bases = [{} for _ in rows.records]
                self.cache.put_json("rows", key, rows.to_json())
            else:
                rows = Rows.from_json(cached)
            self._rows[name] = rows
        return self._rows[name]

    def of_respondents(self, name: str) -> bool:
        """Tell whether a table's figures count respondents (and so have bases): its file table's say."""
        seen: set[str] = set()
        spec = self.spec.tables[name]
        while spec.source and spec.source in self.spec.tables and spec.source not in seen:
            seen.add(spec.source)
            spec = self.spec.tables[spec.source]
        return spec.respondents

    def _check_table(self, name: str, asked_at: Location | None) -> None:
        if name not in self.spec.tables:
            raise fail(known_names(name, list(self.spec.tables), "table") or name, "unknown-table", asked_at)

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

    @property
    def policy(self) -> FigurePolicy:
        """Return the project's rules for printing figures (tables.yaml `figures:`)."""
        figures = self.spec.figures
        return FigurePolicy(figures.min_base, figures.min_count, figures.base_text, figures.on_low_base)

    def check(self) -> None:
        """Read and validate tables.yaml now, so a mistake in it fails every build, used or not."""
        self._loaded  # noqa: B018 - reading the cached property is the check

    def where(self, *keys: str) -> Location:
        """Return the place in tables.yaml that defines something, for messages about it."""
        return Location(DATA_FILE, line_at(self._loaded[1], list(keys)))

    def table(self, name: str, asked_at: Location | None) -> Frame:
        """Return the pandas-backed table; only a cache miss comes here, so only then is pandas imported."""
        self._check_table(name, asked_at)
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

        at = self.where("tables", name)
        if spec.file and (self.scope or self.base):
            from .derive import filter_rows

            frame = (self.base or Data(self.fs, self.project)).table(name, at)
            wanted = {column: value for column, value in self.scope.items() if column in frame.frame.columns}
            return filter_rows(frame, wanted, at) if wanted else frame
        if spec.file:  # read once, for the figures plain Python computes and for pandas alike
            rows = self.file_rows(name, at)
            return Frame(pd.DataFrame({column: pd.Series(rows.column(column), dtype=_dtype(rows.kinds[column]))
                                       for column in rows.columns}), rows.kinds)
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
            key = Cache.key("value", name, self.fingerprint, self.scope)
            cached = self.cache.get_json("values", key)
            if cached is None:
                value = self._compute(name, self.spec.values[name])
                self.cache.put_json("values", key, asdict(value))
            else:
                value = Value(**cached)
            self._values[name] = value
        return self._values[name]

    def describe(self, name: str) -> str:
        """Say how a value is computed, for readers auditing a figure: "agree with driver_funding in
        survey where sector = employment" ("agree" is 4 or 5 on the five-point scale)."""
        spec = self.spec.values[name]
        operation = spec.operation
        argument = getattr(spec, operation)
        if operation == "share":
            what = "share of rows where " + ", ".join(f"{k} = {v}" for k, v in argument.items())
        else:
            what = {"count": "number of rows", "agree": f"share agreeing (4 or 5 of 5) with {argument}",
                    "distinct": f"number of different {argument}", "value": f"{argument} in the one row",
                    }.get(operation, f"{operation} of {argument}")
        where = " where " + ", ".join(f"{k} = {v}" for k, v in spec.where.items()) if spec.where else ""
        return f"{what} in {spec.table}{where}"

    def _compute(self, name: str, spec: ValueSpec) -> Value:
        at = self.where("values", name)
        table = self.spec.tables.get(spec.table)
        operation = spec.operation
        argument = getattr(spec, operation)
        if table is not None and table.file and plain.exact(operation, argument, _kinds(table)):
            computed = self._compute_plain(name, spec, operation, argument, at)
            if computed is not None:
                return computed
        import pandas as pd

        from .derive import base_of, filter_rows, summarise

        frame = self.table(spec.table, at)
        if spec.where:
            frame = filter_rows(frame, spec.where, at)
        frame.require(plain.columns_used(operation, argument), at)
        if operation == "value":
            _one_row(name, len(frame.frame), at)
            raw = frame.frame[argument].iloc[0]
            value, kind = (raw.item() if hasattr(raw, "item") else raw), frame.kinds.get(argument, "text")
            cell_base = frame.bases[argument].iloc[0] if argument in frame.bases.columns else None
            base = None if cell_base is None or pd.isna(cell_base) else int(cell_base)
        else:
            value, kind = summarise(frame, operation, argument, at)
            base = base_of(frame, operation, argument)
        return self._value(spec, value, kind, base, at)

    def _compute_plain(self, name: str, spec: ValueSpec, operation: str, argument: Any,
                       at: Location) -> Value | None:
        """Compute a figure of a file table without pandas (see plain.py), checking what `_compute` checks;
        None for the one case left to pandas, a `value` whose cell is empty (pandas hands on its own NA)."""
        rows = self.file_rows(spec.table, at)
        if spec.where:
            rows = rows.where(spec.where, at)
        rows.require(plain.columns_used(operation, argument), at)
        if operation == "value":
            _one_row(name, len(rows.records), at)
            value = rows.records[0][argument]
            # A file's cell has no base.
            return None if value is None else self._value(spec, value, rows.kinds.get(argument, "text"), None, at)
        value, kind = plain.summarise(rows, operation, argument, at)
        return self._value(spec, value, kind, plain.base_of(rows, operation, argument), at)

    def _value(self, spec: ValueSpec, value: Any, kind: str, base: int | None, at: Location) -> Value:
        if not self.of_respondents(spec.table):
            base = None
        fmt = spec.format or DEFAULT_FORMATS.get(kind, "text")
        try:
            text = format_value(value, fmt)
        except ValueError as exc:
            raise fail(str(exc), "data-spec", at) from None
        return Value(value, kind, text, base)

    def file_rows(self, name: str, at: Location) -> Rows:
        """Return a file table's rows in this data's scope as read, typed but not through pandas."""
        if name not in self._file_rows:
            self._check_table(name, at)
            spec = self.spec.tables[name]
            if self.scope or self.base:
                rows = (self.base or Data(self.fs, self.project)).file_rows(name, at)
                wanted = {column: value for column, value in self.scope.items() if column in rows.columns}
                rows = rows.where(wanted, at) if wanted else rows
            else:
                from .files import read_raw, typed_columns

                columns = typed_columns(read_raw(self.fs, spec, at), spec, at)
                names = list(columns)
                rows = Rows(names, {column: _kinds(spec)[column] for column in names},
                            [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)])
            self._file_rows[name] = rows
        return self._file_rows[name]


def _one_row(name: str, count: int, at: Location) -> None:
    if count != 1:
        raise fail(f"value {name!r} picks {count} rows; its `where` must pick exactly one", "data-spec", at)


def _kinds(spec: TableSpec) -> dict[str, str]:
    """Return the kind of each declared column of a file table, as its pandas table records them."""
    kinds = {}
    for column, declared in (spec.columns or {}).items():
        kind = declared if isinstance(declared, str) else declared.type
        kinds[column] = {"percent": "fraction"}.get(kind, kind)
    return kinds


def _dtype(kind: str) -> str:
    if kind in ("integer", "likert"):
        return "Int64"
    if kind in ("number", "percent"):
        return "Float64"
    return "object"
