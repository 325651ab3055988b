"""Read CSV and XLSX files into typed columns, naming the file and line of any cell that does not fit.

Nothing is inferred: each column's type comes from tables.yaml, and an empty
cell, or one holding a missing-value marker (`NA`, `n/a`, `.`, `-`, … or the
table's own `missing:` list), is read as missing only in an `optional` column;
elsewhere it is an error saying so, never a silent NaN.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import BuildError, Location, Problem, fail
from ..project.projectfs import ProjectFS, decode_text
from ..project.safezip import check_office_zip
from .spec import ColumnSpec, TableSpec, column_type

MAX_PROBLEMS = 20
_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_LARGEST_INTEGER = 2**63 - 1
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")  # 1,234,567.5: commas only between thousands


@dataclass
class RawTable:
    """Cells as text, with the file line (or spreadsheet row) each record came from."""

    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    display: str
    header_line: int = 1
    spreadsheet: bool = False  # from XLSX, whose date cells arrive as YYYY-MM-DD whatever a column's format


def read_raw(fs: ProjectFS, spec: TableSpec, where: Location) -> RawTable:
    assert spec.file is not None
    path = fs.resolve(spec.file, base=fs.root / "content/data", where=where, what="data file")
    display = fs.display(path)
    if not path.is_file():
        raise fail(f"data file {spec.file!r} not found (looked for {display})", "missing-file", where)
    if path.suffix.lower() == ".csv":
        return _read_csv(fs.read_bytes(path, where), display)
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(fs.read_bytes(path, where), display, spec.sheet, where)
    raise fail(f"data file {spec.file!r} is neither .csv nor .xlsx", "data-file", where)


def _read_csv(data: bytes, display: str) -> RawTable:
    text = decode_text(data, display)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise fail("the file is empty; it needs a header row and at least one row of data",
                   "data-empty", Location(display, 1)) from None
    except csv.Error as exc:
        raise _unreadable_row(exc, Location(display, 1)) from None
    rows, lines = [], []
    start = reader.line_num + 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise _unreadable_row(exc, Location(display, start)) from None
    return RawTable([h.strip() for h in header], rows, lines, display)


def _unreadable_row(exc: csv.Error, where: Location) -> BuildError:
    """Report a row the csv module refuses: most often a cell over its limit, from a quote never closed."""
    return fail(f"cannot read this row ({exc}); a cell this long usually means a quote (\") opened and never "
                "closed", "data-file", where)


def _read_xlsx(data: bytes, display: str, sheet: str | None, where: Location) -> RawTable:
    check_office_zip(data, display)
    import openpyxl

    try:
        formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    # openpyxl raises many kinds of error for a file that is not a workbook
    except Exception as exc:  # noqa: BLE001
        raise fail(f"not a readable Excel workbook ({type(exc).__name__}: {exc}); re-save it from Excel as .xlsx",
                   "bad-office-file", Location(display)) from None
    name = sheet or values.sheetnames[0]
    if name not in values.sheetnames:
        raise fail(f"{display} has no sheet {name!r}; its sheets are {', '.join(values.sheetnames)}",
                   "data-sheet", where)
    problems = []
    rows: list[list[str]] = []
    lines: list[int] = []
    for number, (formula_row, value_row) in enumerate(zip(formulas[name].iter_rows(),
                                                            values[name].iter_rows(), strict=True), 1):
        cells = []
        for formula_cell, value_cell in zip(formula_row, value_row, strict=True):
            if formula_cell.data_type == "f" and value_cell.value is None:
                problems.append(Problem(
                    f"cell {name}!{formula_cell.coordinate} holds the formula {formula_cell.value} but no saved "
                    "result; open the file in Excel or LibreOffice, recalculate and save it",
                    "data-formula", Location(display, number)))
            cells.append(_cell_text(value_cell.value))
        if any(c.strip() for c in cells):
            rows.append(cells)
            lines.append(number)
    if problems:
        raise BuildError(_first_problems(problems))
    if not rows:
        raise fail(f"sheet {name!r} is empty", "data-empty", Location(display, 1))
    header = [h.strip() for h in rows[0]]
    return RawTable(header, rows[1:], lines[1:], display, lines[0], spreadsheet=True)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    return str(value)


def typed_columns(raw: RawTable, spec: TableSpec, where: Location) -> dict[str, list[Any]]:
    """Convert each declared column; report undeclared or missing columns and every bad cell."""
    assert spec.columns is not None
    declared = {name: column_type(value) for name, value in spec.columns.items()}
    problems: list[Problem] = []
    header_at = Location(raw.display, raw.header_line)
    missing = [name for name in declared if name not in raw.header]
    if missing:
        problems.append(Problem(f"column(s) {', '.join(missing)} declared in tables.yaml are not in the file "
                                f"(it has {', '.join(raw.header)})", "data-column", header_at))
    extra = [name for name in raw.header if name not in declared]
    if extra:
        problems.append(Problem(f"column(s) {', '.join(extra)} are not declared; give each a type in "
                                "content/data/tables.yaml", "data-column", header_at))
    if not raw.rows:
        problems.append(Problem("the table has a header but no rows of data", "data-empty", header_at))
    if problems:
        raise BuildError(problems)
    columns: dict[str, list[Any]] = {}
    for name, column in declared.items():
        index = raw.header.index(name)
        convert = _date_converter(column.format, raw.spreadsheet) if column.type == "date" \
            else CONVERTERS[column.type]
        values = []
        for row, line in zip(raw.rows, raw.lines, strict=True):
            cell = row[index].strip() if index < len(row) else ""
            try:
                values.append(_convert(cell, column, convert, spec.missing))
            except ValueError as exc:
                problems.append(Problem(f"column {name!r}: {exc}", "data-type", Location(raw.display, line)))
                values.append(None)
        columns[name] = values
    if problems:
        raise BuildError(_first_problems(problems))
    return columns


def _first_problems(problems: list[Problem]) -> list[Problem]:
    """The first MAX_PROBLEMS problems of a file, then one at the first line left out saying how many were."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = len(problems) - MAX_PROBLEMS
    return [*problems[:MAX_PROBLEMS], Problem(
        f"{more} more problem{'s' if more != 1 else ''} in this file from this line on not shown; fix those "
        "above and run again to see them", "data-more", problems[MAX_PROBLEMS].location)]


def _convert(cell: str, column: ColumnSpec, convert: Callable[[str], Any], missing: list[str]) -> Any:
    marker = cell in missing
    if cell == "" or (marker and column.optional):
        if column.type == "text":
            return ""
        if column.optional:
            return None
        raise ValueError(f"empty cell in a {column.type} column; fill it in, or mark the column optional")
    if marker and column.type != "text":
        raise ValueError(f"{cell!r} marks a missing value, but the {column.type} column is not optional; mark it "
                         "`optional: true` in tables.yaml, or leave the cell empty")
    return convert(cell)


def _ungrouped(cell: str) -> str:
    """Drop thousands separators; a comma anywhere else (a decimal comma) is not guessed at."""
    return cell.replace(",", "") if _GROUPED.match(cell) else cell


def _integer(cell: str) -> int:
    text = _ungrouped(cell)
    if not _INTEGER.match(text):
        raise ValueError(f"expected a whole number, found {cell!r}")
    value = int(text)
    if abs(value) > _LARGEST_INTEGER:  # pandas keeps whole numbers in 64 bits; a larger one was a traceback
        raise ValueError(f"{_shortened(cell)} is too large a whole number (at most {_LARGEST_INTEGER:,})")
    return value


def _number(cell: str) -> float:
    text = _ungrouped(cell)
    if not _NUMBER.match(text):
        raise ValueError(f"expected a number, found {cell!r}")
    value = float(text)
    if not math.isfinite(value):  # 1e400 reads as infinity, which no table or chart can show
        raise ValueError(f"{_shortened(cell)} is too large a number")
    return value


def _shortened(cell: str) -> str:
    return repr(cell) if len(cell) <= 40 else repr(cell[:20] + "…" + cell[-10:])


def _percent(cell: str) -> float:
    text = cell.strip()
    if text.endswith("%"):
        return _number(text[:-1]) / 100
    return _number(text)


def _likert(cell: str) -> int:
    value = _integer(cell)
    if not 1 <= value <= 5:
        raise ValueError(f"expected a Likert score from 1 to 5, found {cell!r}")
    return value


def _date(cell: str) -> dt.date:
    try:
        return dt.date.fromisoformat(cell)
    except ValueError:
        pass
    raise ValueError(f"expected a date as YYYY-MM-DD, found {cell!r}; for dates written another way give the "
                     "column a format, e.g. {type: date, format: \"%d/%m/%Y\"}")


def _date_converter(form: str | None, spreadsheet: bool) -> Callable[[str], dt.date]:
    """Read dates in the column's strptime `form` (and, in a workbook, its real date cells too)."""
    if form is None:
        return _date

    def convert(cell: str) -> dt.date:
        try:
            return dt.datetime.strptime(cell, form).date()
        except ValueError:
            if spreadsheet and re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell):
                return _date(cell)
            raise ValueError(f"expected a date written as {form!r}, found {cell!r}") from None
    return convert


CONVERTERS: dict[str, Callable[[str], Any]] = {
    "text": str, "integer": _integer, "number": _number, "percent": _percent, "likert": _likert, "date": _date,
}

