"""Format numbers the same way everywhere a figure appears: tables, charts and prose."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal

NAMED = {
    "integer": (",", 0, False),
    "number": (",", 1, False),
    "percent": ("", 0, True),
}
_PATTERN = re.compile(r"^(decimal|percent|integer)(\d)?$")


def is_format(name: str) -> bool:
    return name in NAMED or bool(_PATTERN.match(name)) or name == "text"


def format_value(value: object, fmt: str, *, zero: str | None = None, missing: str = "–") -> str:
    """Return `value` as text in format `fmt`: integer (1,234), decimalN, percent or percentN (61%)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    if fmt == "text" or isinstance(value, str):
        return str(value)
    number = float(value)  # type: ignore[arg-type]
    if zero is not None and number == 0:
        return zero
    grouping, places, percent = _parts(fmt)
    if percent:
        number *= 100
    rounded = Decimal(repr(number)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:{grouping}.{places}f}"
    if text.startswith("-") and float(rounded) == 0:
        text = text[1:]
    return text + ("%" if percent else "")


def _parts(fmt: str) -> tuple[str, int, bool]:
    if fmt in NAMED:
        return NAMED[fmt]
    match = _PATTERN.match(fmt)
    if not match:
        raise ValueError(f"unknown number format {fmt!r}")
    kind, digits = match[1], int(match[2] or 0)
    if kind == "percent":
        return "", digits, True
    return ",", digits, False
