"""Claims: what a sentence depends on, e.g. `when="agree_private > agree_public"`, parsed and checked per variant.

Figures change per variant and data refresh while the words around them do not,
so an author states what a sentence relies on and it is checked wherever the
sentence appears. The text is parsed by this grammar and the tree walked: it
never reaches Python's eval, attributes or calls.

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := operand (("<" | "<=" | ">" | ">=" | "==" | "!=") operand)*   # chained: a < b < c
    operand := NUMBER ["%"] | NAME | "base" "(" NAME ")" | ("min" | "max") "(" NAME ("," NAME)* ")"
             | "(" expr ")" | "true" | "false"

Unknowns follow Kleene's logic. A figure with no data (value None or NaN),
`base(x)` without a base, and `min`/`max` over any unknown are unknown; so is a
comparison with an unknown side, and `not` of an unknown. `and` is false if any
part is false, else unknown if any is; `or` is true if any part is true, else
unknown if any is. A claim that ends unknown does not hold: missing data never
confirms a sentence, negated or not.
"""

from __future__ import annotations

import keyword
import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from ..errors import BuildError, Location, fail

MAX_LENGTH = 1000
MAX_DEPTH = 32


@dataclass(frozen=True)
class Figure:
    """What a value name resolves to for one variant; value None means no data."""

    value: float | None
    base: int | None
    text: str


Lookup = Callable[[str], Figure]

# The parsed tree. Operands are figures and conditions are statements; the parser
# never lets one stand where the other belongs, so evaluation needs no type checks.


@dataclass(frozen=True)
class Number:
    """A literal as written (kept as text so `str(claim)` re-parses exactly); `50%` is 0.5."""

    text: str
    percent: bool = False

    @property
    def value(self) -> float:
        # "1.1e-2" is the float nearest 1.1%, which 1.1 / 100 is not.
        return float(f"{self.text}e-2" if self.percent else self.text)


@dataclass(frozen=True)
class Value:
    """A figure named in a claim: a value of the data."""

    name: str


@dataclass(frozen=True)
class Base:
    """`base(name)`: the number of respondents behind a value."""

    name: str


@dataclass(frozen=True)
class Extreme:
    """`min(...)` or `max(...)` of several values."""

    function: Literal["min", "max"]
    names: tuple[str, ...]


@dataclass(frozen=True)
class Truth:
    """`true` or `false` written in a claim."""

    value: bool


@dataclass(frozen=True)
class Compare:
    """A chain of comparisons, `a < b <= c`, true when every link holds."""

    operands: tuple[Operand, ...]
    ops: tuple[str, ...]


@dataclass(frozen=True)
class Not:
    """`not` a condition."""

    arg: Condition


@dataclass(frozen=True)
class And:
    """Conditions that must all hold."""

    args: tuple[Condition, ...]


@dataclass(frozen=True)
class Or:
    """Conditions of which one must hold."""

    args: tuple[Condition, ...]


Operand = Number | Value | Base | Extreme
Condition = Truth | Compare | Not | And | Or
Node = Operand | Condition

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne}


@dataclass(frozen=True)
class Verdict:
    """Whether a claim holds for one variant, and the figures it was judged on."""

    holds: bool
    figures: dict[str, Figure]

    def explain(self) -> str:
        """One line for a build message, e.g. `a is 50% (base 4), b has no data (base 2)`."""
        return ", ".join(_describe(name, fig) for name, fig in self.figures.items()) or "no figures"


def _describe(name: str, fig: Figure) -> str:
    said = "has no data" if _known(fig.value) is None else f"is {fig.text}"
    return f"{name} {said} ({'base unknown' if fig.base is None else f'base {fig.base}'})"


@dataclass(frozen=True)
class Claim:
    """A parsed condition; equal claims have the same structure, however they were written."""

    expr: Condition
    source: str = field(default="", compare=False)
    where: Location | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return _show(self.expr)

    def names(self) -> list[str]:
        """Every value name mentioned, in order of first mention, so a caller can check them all first."""
        return list(dict.fromkeys(_names(self.expr)))

    def evaluate(self, lookup: Lookup) -> Verdict:
        """Judge the claim; every name is looked up first, so an unknown one fails whatever the data."""
        figures = {name: lookup(name) for name in self.names()}
        return Verdict(_truth(self.expr, figures) is True, figures)


def _names(node: Node) -> Iterator[str]:
    match node:
        case Value(name) | Base(name):
            yield name
        case Extreme(_, names):
            yield from names
        case Compare(operands, _):
            for operand in operands:
                yield from _names(operand)
        case Not(arg):
            yield from _names(arg)
        case And(args) | Or(args):
            for arg in args:
                yield from _names(arg)


def _show(node: Node) -> str:
    """Print with the fewest brackets that re-parse to the same tree."""
    match node:
        case Number(text, percent):
            return text + "%" * percent
        case Value(name):
            return name
        case Base(name):
            return f"base({name})"
        case Extreme(function, names):
            return f"{function}({', '.join(names)})"
        case Truth(value):
            return "true" if value else "false"
        case Compare(operands, ops):
            return _show(operands[0]) + "".join(f" {op} {_show(o)}" for op, o in zip(ops, operands[1:], strict=True))
        case Not(arg):
            return "not " + _wrap(arg, (And, Or))
        case And(args):
            return " and ".join(_wrap(arg, (And, Or)) for arg in args)
        case Or(args):
            return " or ".join(_wrap(arg, (Or,)) for arg in args)


def _wrap(node: Condition, looser: tuple[type, ...]) -> str:
    return f"({_show(node)})" if isinstance(node, looser) else _show(node)


def _known(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def _number(node: Operand, figures: dict[str, Figure]) -> float | None:
    match node:
        case Number():
            return node.value
        case Value(name):
            return _known(figures[name].value)
        case Base(name):
            base = figures[name].base
            return None if base is None else float(base)
        case Extreme(function, names):
            values = [_known(figures[name].value) for name in names]
            known = [v for v in values if v is not None]
            if len(known) < len(values):
                return None
            return min(known) if function == "min" else max(known)


def _truth(node: Condition, figures: dict[str, Figure]) -> bool | None:
    match node:
        case Truth(value):
            return value
        case Compare(operands, ops):
            values = [_number(o, figures) for o in operands]
            return _all(None if a is None or b is None else _OPS[op](a, b)
                        for op, a, b in zip(ops, values[:-1], values[1:], strict=True))
        case Not(arg):
            inner = _truth(arg, figures)
            return None if inner is None else not inner
        case And(args):
            return _all(_truth(arg, figures) for arg in args)
        case Or(args):
            return _any(_truth(arg, figures) for arg in args)


def _all(values: Iterable[bool | None]) -> bool | None:
    """Kleene `and`: one false part decides; otherwise one unknown part leaves it unknown."""
    held = list(values)
    return False if False in held else None if None in held else True


def _any(values: Iterable[bool | None]) -> bool | None:
    """Kleene `or`: one true part decides; otherwise one unknown part leaves it unknown."""
    held = list(values)
    return True if True in held else None if None in held else False


# Parsing. Tokens are (kind, text, offset); a kind is "number", "name", "op", one of "(),%" or "end".
_NAME = r"[A-Za-z][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*(?:\.[A-Za-z0-9][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*)*"
_TOKEN = re.compile(rf"(?P<space>\s+)|(?P<number>[0-9](?:[0-9A-Za-z_.]|,[0-9])*)|(?P<name>{_NAME})"
                    r"|(?P<op><=|>=|==|!=|<|>)|(?P<punct>[(),%])")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_FUNCTIONS = ("base", "min", "max")
_WORDS = ("and", "or", "not", "true", "false", *_FUNCTIONS)
_PYTHON = frozenset(keyword.kwlist) - set(_WORDS)
_HINTS = {
    "=": "test equality with '=='", "+": "arithmetic is not supported; compare the figures themselves",
    "&": "write 'and', 'or' and 'not'", "'": "claims compare figures, not text, so quotes are not allowed",
    ";": "a claim is a single expression", "_": "names start with a letter",
    ".": "after '.' a name goes on with a letter or digit; attributes are not supported",
    "0.": "write a digit before the decimal point, such as 0.5",
}
for _same, _as in (("-*/", "+"), ("|!", "&"), ('"`', "'")):
    _HINTS.update(dict.fromkeys(_same, _HINTS[_as]))

_Token = tuple[str, str, int]


def _unexpected(text: str, offset: int) -> str:
    char = text[offset]
    key = "0." if char == "." and text[offset + 1:offset + 2].isdigit() else char
    hint = _HINTS.get(key, "expected a name, number, operator or bracket")
    return f"unexpected character {char!r}: {hint}"


def _python(word: str) -> str:
    hint = {"True": ": write true", "False": ": write false",
            "None": ": a figure with no data already makes its comparisons not hold"}.get(word, "")
    return f"'{word}' is a Python keyword, not claim syntax{hint}"


def parse_claim(text: str, where: Location | None) -> Claim:
    """Parse a `when` attribute, or raise BuildError with the column and what was expected there."""
    if len(text) > MAX_LENGTH:
        raise fail(f"claim '{text[:40]}…' is {len(text):,} characters long; the limit is {MAX_LENGTH:,}: "
                   "split it, or name the comparison as a value in tables.yaml", "claim", where)
    if not text.strip():
        raise fail("empty claim: write a condition such as when=\"agree_private > agree_public\"", "claim", where)
    return Claim(_Parser(text, where).claim(), text, where)


class _Parser:
    """Recursive descent, one method per grammar rule; depth is capped so no input can exhaust the stack."""

    def __init__(self, text: str, where: Location | None) -> None:
        self.text, self.where, self.depth, self.index = text, where, 0, 0
        self.tokens = list(self._tokens())

    def error(self, message: str, offset: int) -> BuildError:
        rest = self.text[offset:offset + 20].strip()
        near = f", near '{rest}'" if rest else ", at the end"
        quoted = self.text if len(self.text) <= 100 else self.text[:97] + "…"
        return fail(f"claim '{quoted}': {message} (column {offset + 1}{near})", "claim", self.where)

    def _tokens(self) -> Iterator[_Token]:
        offset = 0
        while offset < len(self.text):
            found = _TOKEN.match(self.text, offset)
            if found is None:
                raise self.error(_unexpected(self.text, offset), offset)
            kind = found.lastgroup or ""
            if kind == "name" and found.group() in _PYTHON:
                raise self.error(_python(found.group()), offset)
            if kind != "space":
                yield (found.group() if kind == "punct" else kind, found.group(), offset)
            offset = found.end()
        yield ("end", "", offset)

    @property
    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def accept(self, kind: str, text: str | None = None) -> bool:
        found = self.peek[0] == kind and text in (None, self.peek[1])
        self.index += found
        return found

    def expect(self, kind: str, what: str) -> _Token:
        if self.peek[0] != kind:
            raise self.error(f"expected {what}, found {self._found()}", self.peek[2])
        return self.take()

    def _found(self) -> str:
        kind, text, _ = self.peek
        return "the end of the claim" if kind == "end" else f"'{text}'"

    def nest(self, offset: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"nested more than {MAX_DEPTH} levels deep in brackets and 'not'", offset)

    def claim(self) -> Condition:
        node = self.or_()
        if self.peek[0] == ")":
            raise self.error("unbalanced ')': no '(' opens it", self.peek[2])
        if self.peek[0] != "end":
            raise self.error(f"expected 'and', 'or', a comparison or the end, found {self._found()}", self.peek[2])
        return self.condition(node, self.tokens[0][2])

    def condition(self, node: Node, offset: int) -> Condition:
        """Refuse a bare figure where a statement is needed: `a and b` says nothing about a or b."""
        if isinstance(node, (Truth, Compare, Not, And, Or)):
            return node
        raise self.error(f"'{_show(node)}' is a figure, not a statement; compare it, e.g. {_show(node)} > 0", offset)

    def operand(self, node: Node, offset: int) -> Operand:
        if isinstance(node, (Number, Value, Base, Extreme)):
            return node
        raise self.error(f"only figures can be compared, not the statement '{_show(node)}'", offset)

    def series(self, part: Callable[[], Node], word: str) -> list[tuple[Node, int]]:
        """Parse `part (word part)*`, remembering where each part starts for error messages."""
        parts = []
        while True:
            start = self.peek[2]
            parts.append((part(), start))
            if not self.accept("name", word):
                return parts

    def or_(self) -> Node:
        parts = self.series(self.and_, "or")
        return parts[0][0] if len(parts) == 1 else Or(tuple(self.condition(*part) for part in parts))

    def and_(self) -> Node:
        parts = self.series(self.not_, "and")
        return parts[0][0] if len(parts) == 1 else And(tuple(self.condition(*part) for part in parts))

    def not_(self) -> Node:
        start = self.peek[2]
        if not self.accept("name", "not"):
            return self.compare()
        self.nest(start)
        arg_start = self.peek[2]
        node = Not(self.condition(self.not_(), arg_start))
        self.depth -= 1
        return node

    def compare(self) -> Node:
        start = self.peek[2]
        first = self.atom()
        if self.peek[0] != "op":
            return first
        operands, ops = [self.operand(first, start)], []
        while self.peek[0] == "op":
            ops.append(self.take()[1])
            start = self.peek[2]
            operands.append(self.operand(self.atom(), start))
        return Compare(tuple(operands), tuple(ops))

    def atom(self) -> Node:
        kind, text, offset = self.peek
        if kind == "number":
            return self.number()
        if kind == "(":
            self.take()
            self.nest(offset)
            node = self.or_()
            if self.peek[0] != ")":
                raise self.error(f"unbalanced '(' at column {offset + 1}: expected ')', found {self._found()}",
                                 self.peek[2])
            self.take()
            self.depth -= 1
            return node
        if kind == "name" and text not in ("and", "or", "not"):
            self.take()
            return self.word(text, offset)
        raise self.error(f"expected a figure, a comparison, 'not' or '(', found {self._found()}", offset)

    def number(self) -> Number:
        _, text, offset = self.take()
        if not _DECIMAL.fullmatch(text):
            raise self.error(f"bad number '{text}': write digits with an optional decimal point, such as 1234 or "
                             "0.25 (no thousands separators, decimal commas, underscores or exponents)", offset)
        return Number(text, self.accept("%"))

    def word(self, text: str, offset: int) -> Node:
        if text in ("true", "false"):
            return Truth(text == "true")
        if text in _FUNCTIONS:
            return self.call(text)
        if self.peek[0] == "(":
            raise self.error(f"unknown function '{text}': the functions are base, min and max", offset)
        return Value(text)

    def call(self, function: str) -> Node:
        self.expect("(", f"'(' after {function}")
        names = [self.name(function)]
        while function != "base" and self.accept(","):
            names.append(self.name(function))
        if self.peek[0] != ")":
            what = "')': base takes one name" if function == "base" else "',' or ')'"
            raise self.error(f"expected {what}, found {self._found()}", self.peek[2])
        self.take()
        if function == "base":
            return Base(names[0])
        return Extreme("min" if function == "min" else "max", tuple(names))

    def name(self, function: str) -> str:
        _, text, offset = self.expect("name", f"a value name inside {function}()")
        if text in _WORDS:
            raise self.error(f"{function}() takes value names, not '{text}'", offset)
        return text
