"""The fast reading of attribute blocks gives exactly the library's result for every text it takes.

`tspdocs.markdown.attributes.simple_attributes` reads simple blocks with one
pattern and hands everything else to mdit_py_plugins' parser. The oracle here is
that parser itself: wherever the fast path returns a result, the library must
accept the same text and return the same dict, keys in the same order. Texts
come from Hypothesis (random characters that attributes treat specially, and
well-formed token sequences that the fast path should take) and from every
brace group in the shipped content and templates.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as library_parse

from tspdocs.markdown.attributes import parse_attributes, simple_attributes
from tspdocs.markdown.treebuilder import parse_attr_text
from tspdocs.tree import Attr

SOURCE = Path(__file__).resolve().parents[1]
SPECIAL = ' "\'\\{}#.=%-_:!\t\n\r\x0b\x1c\u00a0\u2003é٣ßx7'  # quotes, escapes, braces, spaces of every kind, digits
NAME = st.text(st.sampled_from("ab9_:-é٣ß\\'.#=\"%{}! "), max_size=4)  # mostly key characters, some not
TOKEN = st.one_of(
    st.builds(lambda n: f"#{n}", NAME),
    st.builds(lambda n: f".{n}", NAME),
    st.builds(lambda k, v: f"{k}={v}", NAME, NAME),
    st.builds(lambda k, v: f'{k}="{v}"', NAME, st.text(st.sampled_from(SPECIAL), max_size=6)),
    st.sampled_from(["class=x", 'class="a b"', "id=z", "#i", ".c", "-", "%c%", '""', "="]),
)
GAP = st.sampled_from(["", " ", " ", "  ", "\t", "\x0b", "\u00a0"])  # mostly the single space the pattern takes
TOKENS = st.builds(lambda tokens, gaps: "".join(t + g for t, g in zip(tokens, gaps, strict=False)),
                   st.lists(TOKEN, max_size=6), st.lists(GAP, min_size=6))


def library(inner: str) -> list[tuple[str, str]] | None:
    """The library's reading of `{inner}` as ordered items, or None where it refuses the text."""
    try:
        return list(library_parse("{" + inner + "}")[1].items())
    except ParseError:
        return None


def agrees(inner: str) -> None:
    """The fast path, where it answers, and the whole reading give the library's result or its refusal."""
    expected = library(inner)
    fast = simple_attributes(inner)
    if fast is not None:
        assert list(fast.items()) == expected, inner
    if expected is None:
        with pytest.raises(ParseError):
            parse_attributes(inner)
    else:
        assert list(parse_attributes(inner).items()) == expected, inner


@pytest.mark.parametrize("inner", ["#a #b", "#a id=b", "id=b #a", ".a class=b .c", "class=b .a", "a=1 b=2 a=3",
                                   "a.b=c", "a=b.c", ".a\x0b.b", 'a="x"\x0b.b', 'a="x"\t.b', 'a="" .b', ".é٣ #ß:-",
                                   'a="x\\"', 'a="x\\" .b"', 'a="x\\y"', ".a=b", "#a=b", "#a\\b .c\\"])
def test_chosen_texts_agree_with_the_library(inner: str) -> None:
    agrees(inner)


@settings(max_examples=700, deadline=None)
@given(st.text(st.sampled_from(SPECIAL), max_size=24))
def test_random_texts_agree_with_the_library(inner: str) -> None:
    agrees(inner)


@settings(max_examples=700, deadline=None)
@given(TOKENS)
def test_token_sequences_agree_with_the_library(inner: str) -> None:
    agrees(inner)


def shipped_brace_groups() -> list[str]:
    """Every `{…}` on one line of the shipped content and templates, as parse_attr_text would see it."""
    found: set[str] = set()
    for folder in ("content", "templates"):
        for path in sorted((SOURCE / folder).rglob("*")):
            if path.suffix in (".md", ".j2", ".yaml"):
                found.update(re.findall(r"\{[^{}\n]*\}", path.read_text(encoding="utf-8")))
    return sorted(found)


def test_every_shipped_attribute_text_agrees_with_the_library() -> None:
    groups = shipped_brace_groups()
    assert "{.key-message}" in groups and len(groups) > 50, groups
    for group in groups:
        inner = group[1:-1]
        agrees(inner)
        agrees(" ".join(word for word in inner.split() if word != "-"))  # as parse_attr_text passes it on


@pytest.mark.parametrize(("text", "expected"), [
    ("{.key-message}", Attr(classes=["key-message"])),
    ("{#sec:summary .unnumbered}", Attr("sec:summary", ["unnumbered"])),
    ('{when="all.agree_x > 0.5"}', Attr(values={"when": "all.agree_x > 0.5"})),
    ("{- .a}", Attr(classes=["a", "unnumbered"])),
    ('{.a class="b c" document=final .d}', Attr(classes=["a", "b", "c", "d"], values={"document": "final"})),
])
def test_simple_blocks_take_the_fast_path(text: str, expected: Attr) -> None:
    assert simple_attributes(" ".join(word for word in text[1:-1].split() if word != "-")) is not None
    assert parse_attr_text(text) == expected


def test_other_blocks_are_left_to_the_library() -> None:
    for inner in ['a="x\\"y"', "%note% .a", '.a.b', 'a="x"b=y', "#a#b", "# .a"]:
        assert simple_attributes(inner) is None, inner
    with pytest.raises(ParseError, match="Unexpected character whilst scanning key"):
        parse_attributes("abc")
