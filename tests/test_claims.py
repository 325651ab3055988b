"""Claims are parsed by their own small grammar, never by Python, and missing data never makes one hold."""

from __future__ import annotations

import keyword

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tspdocs.errors import BuildError, Location, fail
from tspdocs.prepare.claims import (
    MAX_DEPTH,
    And,
    Base,
    Claim,
    Compare,
    Condition,
    Extreme,
    Figure,
    Not,
    Number,
    Operand,
    Or,
    Truth,
    Value,
    parse_claim,
)

WHERE = Location("content/briefings/north.md", 12)
FIGURES = {
    "private": Figure(0.5, 4, "50%"),
    "public": Figure(1.0, 3, "100%"),
    "missing": Figure(None, 2, "*"),
    "nobase": Figure(0.3, None, "30%"),
    "nan": Figure(float("nan"), 5, "n/a"),
}


def lookup(name: str) -> Figure:
    if name not in FIGURES:
        raise fail(f"unknown value '{name}'", "value", WHERE)
    return FIGURES[name]


def cmp(left: Operand | str, op: str, right: Operand | str) -> Compare:
    def operand(x: Operand | str) -> Operand:
        return Value(x) if isinstance(x, str) else x
    return Compare((operand(left), operand(right)), (op,))


def holds(text: str) -> bool:
    return parse_claim(text, WHERE).evaluate(lookup).holds


# Parsing

def test_not_binds_tighter_than_and_which_binds_tighter_than_or() -> None:
    claim = parse_claim("not a > b and c < d or e == f", WHERE)
    assert claim.expr == Or((And((Not(cmp("a", ">", "b")), cmp("c", "<", "d"))), cmp("e", "==", "f")))
    assert parse_claim("a > 1 or b > 1 and c > 1", WHERE).expr == Or((
        cmp("a", ">", Number("1")), And((cmp("b", ">", Number("1")), cmp("c", ">", Number("1"))))))


def test_comparisons_chain_like_python() -> None:
    claim = parse_claim("1 < a <= b != 50%", WHERE)
    assert claim.expr == Compare((Number("1"), Value("a"), Value("b"), Number("50", percent=True)),
                                 ("<", "<=", "!="))


@pytest.mark.parametrize(("number", "value"), [
    (Number("12"), 12.0), (Number("0.25"), 0.25), (Number("50", True), 0.5), (Number("1.1", True), 0.011),
    (Number("100", True), 1.0),
])
def test_numbers_and_percentages(number: Number, value: float) -> None:
    assert number.value == value


def test_parentheses_group_and_vanish_from_the_tree() -> None:
    one = Number("1")
    assert parse_claim("(a > 1 or b > 1) and c > 1", WHERE).expr == And((
        Or((cmp("a", ">", one), cmp("b", ">", one))), cmp("c", ">", one)))
    assert parse_claim("((a)) > (1)", WHERE).expr == cmp("a", ">", one)
    assert parse_claim("not(a>1)", WHERE).expr == Not(cmp("a", ">", one))


def test_base_min_and_max() -> None:
    claim = parse_claim("base(a) >= 10 and min(a, b) > max(c)", WHERE)
    assert claim.expr == And((cmp(Base("a"), ">=", Number("10")),
                              cmp(Extreme("min", ("a", "b")), ">", Extreme("max", ("c",)))))


def test_names_may_hold_dots_hyphens_digits_and_underscores() -> None:
    claim = parse_claim("tbl.col-2 > tbl.2010 and agree_reach_v2 < 1", WHERE)
    assert claim.names() == ["tbl.col-2", "tbl.2010", "agree_reach_v2"]


def test_true_and_false() -> None:
    assert parse_claim("true or not false", WHERE).expr == Or((Truth(True), Not(Truth(False))))


def test_names_in_order_of_first_mention() -> None:
    claim = parse_claim("b > a and base(c) > 1 and max(a, d) > b", WHERE)
    assert claim.names() == ["b", "a", "c", "d"]
    assert parse_claim("true", WHERE).names() == []


@pytest.mark.parametrize(("text", "normal"), [
    ("  a>b   and(c<50%)", "a > b and c < 50%"),
    ("(a > 1 and b > 1) and c > 1", "(a > 1 and b > 1) and c > 1"),
    ("not (a > 1 or b > 1)", "not (a > 1 or b > 1)"),
    ("not not a > 1", "not not a > 1"),
    ("(a > 1 or b > 1) or c > 1", "(a > 1 or b > 1) or c > 1"),
    ("a > 1 or (b > 1 and c > 1)", "a > 1 or b > 1 and c > 1"),
    ("max(a,b)<base( c )", "max(a, b) < base(c)"),
])
def test_str_is_a_normal_form_that_parses_back(text: str, normal: str) -> None:
    claim = parse_claim(text, WHERE)
    assert str(claim) == normal
    assert parse_claim(normal, None) == claim


def test_a_claim_keeps_its_source_and_place_but_equality_is_structure() -> None:
    claim = parse_claim("a>b", WHERE)
    assert (claim.source, claim.where) == ("a>b", WHERE)
    assert claim == parse_claim("(a) > (b)", Location("other.md", 3))


# Evaluation

@pytest.mark.parametrize(("text", "expected"), [
    ("private < public", True),
    ("private > public", False),
    ("base(private) == 4 and base(public) < base(private)", True),
    ("min(private, public) == 50% and max(private, public) == 1", True),
    ("private >= 50% > nobase", True),
    ("private < 50%", False),
    ("true", True),
    ("not false", True),
    ("false or true and not false", True),
])
def test_known_figures(text: str, expected: bool) -> None:
    assert holds(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("missing > 0", False),
    ("not missing > 0", False),
    ("missing == missing", False),
    ("missing != 1", False),
    ("missing > 0 or private < public", True),       # one true part decides `or`
    ("missing > 0 and private > public", False),
    ("not (missing > 0 and private > public)", True),  # one false part decides `and`
    ("not (missing > 0 and private < public)", False),  # unknown and true is unknown
    ("not (missing > 0 or private > public)", False),  # unknown or false is unknown
    ("base(nobase) > 0", False),
    ("not base(nobase) > 0", False),
    ("base(missing) == 2", True),  # a suppressed value still has its base
    ("max(private, missing) > 0", False),
    ("not min(private, missing) < 0", False),
    ("nan == nan", False),
    ("not nan == 1", False),
    ("private < public < missing", False),
    ("not (private < public < missing)", False),
    ("not (public < private < missing)", True),  # a false link decides the chain
])
def test_unknowns_never_make_a_claim_hold(text: str, expected: bool) -> None:
    assert holds(text) is expected


def test_verdict_explains_the_figures_with_their_bases() -> None:
    verdict = parse_claim("private > public and base(private) >= 10", WHERE).evaluate(lookup)
    assert not verdict.holds
    assert verdict.figures == {"private": FIGURES["private"], "public": FIGURES["public"]}
    assert verdict.explain() == "private is 50% (base 4), public is 100% (base 3)"


def test_explaining_missing_data_and_missing_bases() -> None:
    verdict = parse_claim("missing > nobase", WHERE).evaluate(lookup)
    assert verdict.explain() == "missing has no data (base 2), nobase is 30% (base unknown)"
    assert parse_claim("true", WHERE).evaluate(lookup).explain() == "no figures"


@pytest.mark.parametrize("text", ["ghost > 1", "false and ghost > 1", "true or base(ghost) > 1"])
def test_an_unknown_name_fails_even_where_it_would_not_be_needed(text: str) -> None:
    with pytest.raises(BuildError, match="unknown value 'ghost'"):
        parse_claim(text, WHERE).evaluate(lookup)


# Errors: each is one `claim` problem at the attribute's file:line, quoting the text and naming the column

@pytest.mark.parametrize(("text", "column", "says"), [
    ("(a > b", 7, "unbalanced '(' at column 1: expected ')', found the end of the claim"),
    ("a > b)", 6, "unbalanced ')'"),
    ("((a > b) and c > 1", 19, "unbalanced '('"),
    ("foo(x) > 1", 1, "unknown function 'foo': the functions are base, min and max"),
    ("__import__(os) > 1", 1, "names start with a letter"),
    ("a >", 4, "expected a figure, a comparison, 'not' or '(', found the end of the claim"),
    ("a > b and", 10, "found the end of the claim"),
    ("and a > b", 1, "found 'and'"),
    ("a > b and and c > d", 11, "found 'and' (column 11, near 'and c > d')"),
    ("a > b c", 7, "expected 'and', 'or', a comparison or the end, found 'c'"),
    ("a > 1 AND b > 1", 7, "found 'AND'"),
    ("a > 1,5", 5, "bad number '1,5'"),
    ("a > 1,234", 5, "no thousands separators"),
    ("a > 1_000", 5, "bad number '1_000'"),
    ("a > 1e5", 5, "bad number '1e5'"),
    ("a > .5", 5, "such as 0.5"),
    ("__class__ > 1", 1, "unexpected character '_': names start with a letter"),
    ("a.__class__ > 1", 2, "attributes are not supported"),
    ("a + b > 1", 3, "arithmetic is not supported"),
    ("a > -1", 5, "arithmetic is not supported"),
    ("lambda: 1", 1, "'lambda' is a Python keyword"),
    ("a > 1 if b else c", 7, "'if' is a Python keyword"),
    ("True", 1, "write true"),
    ("a is None", 3, "'is' is a Python keyword"),
    ("a > 1; b > 1", 6, "a claim is a single expression"),
    ("a == 'x'", 6, "quotes are not allowed"),
    ('a == "x"', 6, "quotes are not allowed"),
    ("a = 1", 3, "test equality with '=='"),
    ("a > 1 && b > 1", 7, "write 'and', 'or' and 'not'"),
    ("a", 1, "'a' is a figure, not a statement; compare it, e.g. a > 0"),
    ("a > 1 and b", 11, "'b' is a figure, not a statement"),
    ("not 50%", 5, "'50%' is a figure"),
    ("(a > 1) < 2", 1, "only figures can be compared, not the statement 'a > 1'"),
    ("a < (b > 1)", 5, "only figures can be compared"),
    ("base(a, b) > 1", 7, "expected ')': base takes one name, found ','"),
    ("base > 1", 6, "expected '(' after base"),
    ("max() > 1", 5, "expected a value name inside max(), found ')'"),
    ("max(a, ) > 1", 8, "expected a value name inside max()"),
    ("min(a b) > 1", 7, "expected ',' or ')', found 'b'"),
    ("min(not) > 1", 5, "min() takes value names, not 'not'"),
    ("a% > 1", 2, "found '%'"),
    ("a > 1 % %", 9, "found '%'"),
    ("a[0] > 1", 2, "unexpected character '['"),
])
def test_syntax_errors_point_at_the_column_and_say_what_was_expected(text: str, column: int, says: str) -> None:
    with pytest.raises(BuildError) as caught:
        parse_claim(text, WHERE)
    [problem] = caught.value.problems
    assert (problem.code, problem.location) == ("claim", WHERE)
    assert problem.message.startswith(f"claim '{text}': ")
    assert f"(column {column}," in problem.message
    assert says in problem.message
    assert str(problem).startswith("content/briefings/north.md:12: error [claim] ")


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_an_empty_claim_says_what_to_write(text: str) -> None:
    with pytest.raises(BuildError, match="empty claim: write a condition such as") as caught:
        parse_claim(text, WHERE)
    assert caught.value.problems[0].location == WHERE


def test_too_long() -> None:
    with pytest.raises(BuildError, match="1,001 characters long; the limit is 1,000") as caught:
        parse_claim("a" * 997 + " > 1", WHERE)
    assert caught.value.problems[0].location == WHERE
    assert parse_claim("a" * 996 + " > 1", WHERE).names() == ["a" * 996]


@pytest.mark.parametrize("text", [
    "(" * (MAX_DEPTH + 1) + "a > 1" + ")" * (MAX_DEPTH + 1),
    "not " * (MAX_DEPTH + 1) + "a > 1",
    "not (" * 20 + "a > 1" + ")" * 20,
    "(" * 999,
    "not " * 249,
])
def test_too_deep_is_a_problem_not_a_recursion_error(text: str) -> None:
    with pytest.raises(BuildError, match=f"nested more than {MAX_DEPTH} levels deep") as caught:
        parse_claim(text, WHERE)
    assert caught.value.problems[0].location == WHERE


def test_as_deep_as_allowed_parses() -> None:
    claim = parse_claim("(" * MAX_DEPTH + "a > 1" + ")" * MAX_DEPTH, WHERE)
    assert claim.expr == cmp("a", ">", Number("1"))
    assert parse_claim("not " * MAX_DEPTH + "a > 1", WHERE).evaluate({"a": Figure(2, 9, "2")}.__getitem__).holds


# Properties

# Mostly well-formed pieces, so that many joins parse, with a few that never may.
TOKENS = ["a > 1", "b.c <= 50%", "base(d-e) == 3", "max(a, b) != min(c) < 0.5", "true", "false", "and", "or",
          "not", "(", ")", "<", "a", "1", "%", ",", "1,5", "_", ".", "+", "'", "lambda", "=", "__class__"]
KEYWORDS = {"and", "or", "not", "true", "false", "base", "min", "max", *keyword.kwlist}
names = st.from_regex(r"\A[a-z][a-z0-9_]{0,5}(-[a-z0-9]{1,3})?(\.[a-z0-9]{1,4})?\Z").filter(
    lambda name: name not in KEYWORDS)
numbers = st.builds(Number, st.from_regex(r"\A[0-9]{1,4}(\.[0-9]{1,3})?\Z"), st.booleans())
operands: st.SearchStrategy[Operand] = st.one_of(
    numbers, names.map(Value), names.map(Base),
    st.builds(Extreme, st.sampled_from(["min", "max"]), st.lists(names, min_size=1, max_size=3).map(tuple)))
comparisons = st.integers(1, 3).flatmap(lambda n: st.builds(
    Compare, st.lists(operands, min_size=n + 1, max_size=n + 1).map(tuple),
    st.lists(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), min_size=n, max_size=n).map(tuple)))
conditions: st.SearchStrategy[Condition] = st.recursive(
    st.one_of(st.booleans().map(Truth), comparisons),
    lambda inner: st.one_of(inner.map(Not), st.lists(inner, min_size=2, max_size=3).map(tuple).map(And),
                            st.lists(inner, min_size=2, max_size=3).map(tuple).map(Or)),
    max_leaves=12)


def any_figure(name: str) -> Figure:
    """Deterministic but varied figures, some missing a value or a base."""
    size = len(name)
    return Figure(None if size % 3 == 0 else size / 10, None if size % 4 == 0 else size, f"{size}0%")


def check(text: str) -> None:
    try:
        claim = parse_claim(text, WHERE)
    except BuildError as exc:
        assert [p.code for p in exc.problems] == ["claim"]
        return
    again = parse_claim(str(claim), None)
    assert again == claim
    assert str(again) == str(claim)
    verdict = claim.evaluate(any_figure)
    negated = Claim(Not(claim.expr)).evaluate(any_figure)
    assert not (verdict.holds and negated.holds)  # a claim and its negation never both hold
    assert list(verdict.figures) == claim.names()


@settings(deadline=None)
@given(st.text(max_size=120))
def test_any_text_parses_or_is_a_build_error(text: str) -> None:
    check(text)


@settings(deadline=None, max_examples=300)
@given(st.lists(st.sampled_from(TOKENS), max_size=25), st.sampled_from(["", " "]))
def test_token_soup_parses_or_is_a_build_error(tokens: list[str], glue: str) -> None:
    check(glue.join(tokens))


@settings(deadline=None, max_examples=300)
@given(conditions, st.data())
def test_edited_claims_parse_or_are_a_build_error(tree: Condition, data: st.DataObject) -> None:
    """Near-misses of valid claims reach the parser's error paths far more often than random text does."""
    text = str(Claim(tree))
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 3)))
    check(text[:start] + data.draw(st.sampled_from(["", *TOKENS])) + text[end:])


@settings(deadline=None, max_examples=300)
@given(conditions)
def test_every_tree_prints_as_text_that_parses_back_to_it(tree: Condition) -> None:
    text = str(Claim(tree))
    assume(len(text) <= 1000)
    assert parse_claim(text, None).expr == tree
