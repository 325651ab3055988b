"""Markdown that once took minutes to parse (issue 18): long runs read once, not once per character.

Each input is sized so that the old, quadratic code took many seconds (a heading with 100,000 spaces and
a word: 84 s; an unclosed shortcode and 100,000 spaces: over two minutes) and the linear code well under
one. The tests assert what the parser makes of the input; `hang_guard` only stops a regression from
hanging the suite, it measures nothing.
"""

from __future__ import annotations

import random
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import pytest

from tspdocs import tree as t
from tspdocs.errors import Problems
from tspdocs.markdown.treebuilder import build_blocks

RUN = 100_000


@contextmanager
def hang_guard(seconds: int = 20) -> Iterator[None]:
    """Fail, instead of hanging the suite, if the body runs for `seconds` (far beyond the linear time)."""
    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise TimeoutError(f"still parsing after {seconds} s: the input is read more than once")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def blocks(text: str) -> list[t.Block]:
    problems = Problems()
    with hang_guard():
        result = build_blocks(text, "content/sections/x.md", 1, problems)
    assert not problems.errors, list(problems)
    return result


def test_a_heading_with_a_long_run_of_spaces_and_a_word() -> None:
    [heading] = blocks("# Title" + " " * RUN + "x\n")
    assert isinstance(heading, t.Heading)
    assert heading.children == [t.Text("Title" + " " * RUN + "x")]


@pytest.mark.parametrize("tail", ["}", "{", "{#a"])
def test_a_heading_with_a_long_run_of_spaces_and_half_an_attribute_keeps_it_as_text(tail: str) -> None:
    [heading] = blocks("# Title" + " " * RUN + tail + "\n")
    assert isinstance(heading, t.Heading)
    assert t.plain_text(heading.children) == "Title" + " " * RUN + tail
    assert heading.attr == t.Attr()


def test_attributes_after_a_long_run_of_spaces_are_still_read() -> None:
    [heading] = blocks("# Title" + " " * RUN + "{#sec:intro .unnumbered}\n")
    assert isinstance(heading, t.Heading)
    assert heading.children == [t.Text("Title")]
    assert heading.attr == t.Attr("sec:intro", ["unnumbered"], {})


@pytest.mark.parametrize("opening", ["{{< value x", "{{<", "a {{< value", "{{< value x >}"])
def test_an_unclosed_shortcode_followed_by_spaces_is_text(opening: str) -> None:
    [para] = blocks(opening + " " * RUN + "y\n")
    assert isinstance(para, t.Para)
    assert t.plain_text(para.children) == opening + " " * RUN + "y"
    assert not any(isinstance(node, t.Shortcode) for node in para.children)


def test_many_unclosed_shortcodes_in_one_paragraph_are_text() -> None:
    [para] = blocks("{{< value x " * (RUN // 10) + "\n")
    assert isinstance(para, t.Para)
    assert not any(isinstance(node, t.Shortcode) for node in para.children)


def test_a_shortcode_with_a_long_run_of_spaces_before_its_close_is_read() -> None:
    [para] = blocks("In all, {{< value respondents" + " " * RUN + ">}} people.\n")
    assert isinstance(para, t.Para)
    assert para.children[1] == t.Shortcode("value", ["respondents"])
    [block] = blocks("{{< include finding:F01" + " " * RUN + ">}}\n")
    assert block == t.Include("finding:F01")


def test_an_opening_inside_a_shortcode_starts_a_new_one() -> None:
    [para] = blocks("{{< value z {{< value w >}}\n")
    assert isinstance(para, t.Para)
    assert para.children == [t.Text("{{< value z "), t.Shortcode("value", ["w"])]


def test_a_long_run_of_double_quotes_is_curled_in_pairs() -> None:
    [para] = blocks('"' * RUN + "\n")
    assert isinstance(para, t.Para)
    assert para.children == [t.Text("\u201c\u201d" * (RUN // 2))]


def test_openers_of_one_kind_are_not_rescanned_by_closers_of_the_other() -> None:
    text = "'a " * (RUN // 6) + 'a" ' * (RUN // 6)
    [para] = blocks(text + "\n")
    assert isinstance(para, t.Para)
    assert t.plain_text(para.children) == text.rstrip()  # no pair matches, so every quote stays straight


def test_curly_quotes_are_markdown_its_own() -> None:
    """The oracle: markdown-it's smartquotes rule, on random text made of quotes, words, spaces and markup."""
    from markdown_it import MarkdownIt

    from tspdocs.markdown.quotes import quotes_plugin

    def typographer() -> MarkdownIt:
        md = MarkdownIt("js-default", {"typographer": True, "quotes": "\u201c\u201d\u2018\u2019"})
        return md.enable(["smartquotes"])

    theirs, ours = typographer(), typographer().use(quotes_plugin)
    pieces = [*"\"\"\"'''  ab1*_`[]()-.,!?\n", "**", "\n\n", "  \n", "`x`", "[a](b)"]
    rng = random.Random(18)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        assert ours.render(text) == theirs.render(text), text


@pytest.mark.parametrize("mark", ["[", "!["])
def test_a_long_run_of_unclosed_brackets_is_text(mark: str) -> None:
    """Each `[` was tried as a link label over the next `maxNesting` brackets: 100,000 took 33 s."""
    [para] = blocks("Text and [a link](https://example.org) " + mark * RUN + "\n")
    assert isinstance(para, t.Para)
    assert t.plain_text(para.children) == "Text and a link " + mark * RUN
    assert [n.url for n in para.children if isinstance(n, t.Link)] == ["https://example.org"]


def test_a_long_run_of_brackets_closed_once_is_text_but_the_last() -> None:
    """Plain bracket matching leaves all but the last `[` open, so only that one is tried as a label."""
    [para] = blocks("[a link](https://example.org) " + "[" * RUN + "]\n")
    assert isinstance(para, t.Para)
    assert t.plain_text(para.children) == "a link " + "[" * RUN + "]"


def test_links_are_read_as_markdown_it_reads_them_without_the_bracket_guard() -> None:
    """The oracle: markdown-it with and without the guard, on random text made of brackets, links, code
    spans, images, escapes and reference definitions."""
    from markdown_it import MarkdownIt

    from tspdocs.markdown.bracket_guard import bracket_guard_plugin

    theirs, ours = MarkdownIt("js-default"), MarkdownIt("js-default").use(bracket_guard_plugin)
    pieces = [*"[[[]]()!`\\ ab\n", "](x)", "][r]", "`]`", "<http://a]>", "![i](p.png)", "[r]: /u\n\n", "\n\n",
              "[[", "]]", "[a]", "*", "_"]
    rng = random.Random(18)
    for _ in range(6000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        assert ours.render(text) == theirs.render(text), text


@pytest.mark.parametrize("available", [10**9, 9_000], ids=["lines-fit", "words-do-not-fit"])
def test_column_widths_of_a_very_wide_table_are_shared_in_one_pass(available: int) -> None:
    """A pipe table of 20,000 columns spent 5 s summing every column's width once per column; at
    200,000 columns that is hours, so the guard catches the sum coming back into the loop."""
    from tspdocs.writers.docx.widths import _share

    with hang_guard():
        widths = _share(available, [1_000] * 200_000, [2_000] * 200_000)
    assert sum(widths) == available and len(widths) == 200_000


def test_tspdocs_syntax_is_read_alike_with_and_without_the_bracket_guard() -> None:
    """The same oracle through tspdocs' own parser, whose spans, citations, notes and shortcodes also
    start at `[`: the tokens are the same with the guard switched off."""
    from markdown_it.token import Token

    from tspdocs.markdown import parser

    ours, theirs = parser.__wrapped__(), parser.__wrapped__()
    theirs.inline.ruler.disable("bracket_guard")

    def shape(tokens: list[Token]) -> list[tuple[str, str]]:
        return [(tok.type, tok.content) for block in tokens for tok in [block, *(block.children or [])]]

    pieces = [*"[[]]()!` ab\n", "](x)", "]{.c}", "[@k]", "[^n]", "[^n]: note\n\n", "{{< meta a >}}", "~x~",
              "^y^", "$m$", "`]`", "[r]: /u\n\n", "\n\n", "[[", "]]"]
    rng = random.Random(14)
    for _ in range(1500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        assert shape(ours.parse(text)) == shape(theirs.parse(text)), text
