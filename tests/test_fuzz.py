"""Property-based fuzzing: Hypothesis writes well-formed Markdown documents (Unicode words, inline
formatting, nested lists, pipe tables, quotes, headings, footnotes, code and ::: divs) and every word
must survive the tree builder and each writer, in order.

The generator builds a small model of the document first, then renders it to Markdown, so the words
each output must show (and their order) are known without parsing the Markdown again. Only words made
of letters and digits (plus a few emoji in HTML and DOCX) are compared: the typographer may change
quotes and dashes. Runs are derandomised, without an example database, so CI sees the same examples.
"""

from __future__ import annotations

import functools
import html
import io
import re
import string
import subprocess
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import W, paragraph_text
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lxml import etree

from tspdocs import tree as t
from tspdocs.errors import Problems
from tspdocs.markdown.treebuilder import build_blocks
from tspdocs.project.projectfs import ProjectFS
from tspdocs.writers.base import WriteContext
from tspdocs.writers.docx import write_docx
from tspdocs.writers.html import build_page, page_html
from tspdocs.writers.pdf import layout_pdf

REPO = Path(__file__).resolve().parents[1]
CTX = WriteContext(ProjectFS.at(REPO), 1292457600)


def fuzz_settings(max_examples: int) -> settings:
    """Deterministic runs (a fixed seed per test, no example database) that still shrink a failure to a
    minimal document; the explain phase is left out, as it re-runs the slow writers many times."""
    return settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate, Phase.shrink], print_blob=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# Words -----------------------------------------------------------------------

ASCII = string.ascii_letters + string.digits
WELSH = "ŵŷâêîôûŴŶÂÊÎÔÛẁẃẅỳýÿëïẀẂỲ"
ACCENTED = "éèàáäçñøåüößæœłőğşčžąęíóúÉÇÑØÅĳ"
GREEK_CYRILLIC = "αβγδλπωΩЖжщЯяё"
CJK = "日本語中文漢字한국어かなカタ"
WELSH_FLAG = "🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f"  # a tag sequence
EMOJI = ["😀", "🎉", "👍🏽", WELSH_FLAG, "👩\u200d🔬", "❤️"]  # skin tone, ZWJ and variation selector too


def _word(alphabet: str) -> st.SearchStrategy[str]:
    return st.text(st.sampled_from(alphabet), min_size=1, max_size=8)


# Words a reader of the PDF can be expected to see: scripts that need no shaping.
PRINTABLE_WORD = st.one_of(
    _word(string.ascii_lowercase), _word(ASCII), _word(WELSH + "wyaeiou"), _word(ACCENTED + "abc"),
    _word(GREEK_CYRILLIC), _word(CJK), _word(ASCII + WELSH + ACCENTED + CJK),
)
# Any letters and decimal digits at all, for the writers that just copy text.
WILD_WORD = st.text(st.characters(categories=("L", "Nd")), min_size=1, max_size=6)


# The document model ----------------------------------------------------------
# Inlines: Word, Emoji, Punct (glued to what precedes it), Emph, Strong, Strike, Code, Link, Quoted, NoteRef.

@dataclass
class Word:
    text: str


@dataclass
class Emoji:
    text: str


@dataclass
class Punct:
    text: str


@dataclass
class Emph:
    children: list[object]
    delimiter: str = "*"


@dataclass
class Strong:
    children: list[object]
    delimiter: str = "**"


@dataclass
class Strike:
    children: list[object]


@dataclass
class Code:
    tokens: list[object]  # Word or str (symbols, which are not compared)


@dataclass
class Link:
    children: list[object]


@dataclass
class Quoted:
    children: list[object]


@dataclass
class NoteRef:
    """`[^n]` here, and `[^n]: first paragraph` at the end, with any further blocks indented under it."""

    first: list[object]
    more: list[object]


@dataclass
class Para:
    inlines: list[object]


@dataclass
class Heading:
    level: int
    inlines: list[object]


@dataclass
class Item:
    inlines: list[object]
    sublist: ListBlock | None = None


@dataclass
class ListBlock:
    ordered: bool
    start: int
    items: list[Item]
    marker: str  # `-`, `*` or `+` for bullets; `.` or `)` after the number


@dataclass
class Table:
    aligns: list[str]
    header: list[list[object]]
    rows: list[list[list[object]]]


@dataclass
class Quote:
    blocks: list[object]


@dataclass
class CodeBlock:
    language: str
    lines: list[list[object]]


@dataclass
class Div:
    kind: str  # a bare class, or a callout (which shows its title)
    title: list[Word]
    blocks: list[object]


@dataclass
class Doc:
    blocks: list[object]
    markdown: str = ""
    body_words: list[str] = field(default_factory=list)
    note_words: list[str] = field(default_factory=list)
    notes: list[NoteRef] = field(default_factory=list)  # in the order they are referenced


# Strategies ------------------------------------------------------------------

PUNCT = st.sampled_from([",", ".", "!", "?", ";", "…", "'", "--"])
CODE_SYMBOLS = st.sampled_from(["<", ">", "&", "*", "_", "#", "\\", "[", "]", "'", '"', "--", "&amp;"])
INLINE_KINDS = st.sampled_from(["word", "word", "word", "emoji", "punct", "emph", "strong", "strike", "code",
                                "link", "quoted", "note"])
DIV_KINDS = st.sampled_from(["note", "aside", "callout-note", "callout-warning", "key-messages"])
ALIGNS = st.sampled_from(["---", ":--", "--:", ":-:"])


class Grammar:
    """Strategies for documents whose words come from `words`, each built once (building is costly)."""

    def __init__(self, words: st.SearchStrategy[str]) -> None:
        self.word = words.map(Word)
        self.emoji = st.sampled_from(EMOJI).map(Emoji)
        self.code = st.builds(Code, st.lists(st.one_of(self.word, CODE_SYMBOLS), min_size=1, max_size=4))
        self.few_words = st.lists(self.word, min_size=1, max_size=3)
        # Emphasis nests two deep.
        self.emphasised = {2: self._inlines(notes=False, max_pieces=2, depth=2)}
        self.emphasised[1] = self._inlines(notes=False, max_pieces=3, depth=1)
        line = st.lists(st.one_of(self.word, CODE_SYMBOLS), min_size=1, max_size=5)
        self.code_block = st.builds(CodeBlock, st.sampled_from(["", "python", "r", "text"]),
                                    st.lists(line, min_size=1, max_size=3))

        # A note: a paragraph, then perhaps more paragraphs, a list, a quote, code or a table (no notes).
        note_para = st.builds(Para, self._inlines(notes=False, max_pieces=5))
        note_block = st.one_of(note_para, note_para, self._list(0, notes=False), self.code_block,
                               st.builds(Quote, st.lists(note_para, min_size=1, max_size=2)),
                               self._table(notes=False))
        self.note = st.builds(NoteRef, self._inlines(notes=False, max_pieces=5),
                              st.lists(note_block, max_size=2))

        self.para = st.builds(Para, self._inlines(notes=True, max_pieces=8))
        self.list = self._list(0, notes=True)
        self.table = self._table(notes=True)
        self.heading_inlines = self._inlines(notes=True, max_pieces=3)
        simple = st.one_of(self.para, self.para, self.list, self.table, self.code_block)
        quote = st.builds(Quote, st.lists(st.one_of(self.para, self.list), min_size=1, max_size=2))
        title = st.lists(self.word, min_size=1, max_size=3)
        inner_div = st.builds(Div, DIV_KINDS, title,
                              st.lists(st.one_of(simple, quote), min_size=1, max_size=2))
        div = st.builds(Div, DIV_KINDS, title,
                        st.lists(st.one_of(simple, quote, inner_div), min_size=1, max_size=2))
        self.block = st.one_of(simple, simple, quote, div)

    def _inlines(self, *, notes: bool, max_pieces: int, depth: int = 0) -> st.SearchStrategy[list[object]]:
        """A run of inlines that starts and ends with a plain word (so emphasis always flanks cleanly)."""

        @st.composite
        def run(draw: st.DrawFn) -> list[object]:
            pieces: list[object] = [draw(self.word)]
            for _ in range(draw(st.integers(0, max_pieces))):
                kind = draw(INLINE_KINDS)
                if kind == "word":
                    pieces.append(draw(self.word))
                elif kind == "emoji":
                    pieces.append(draw(self.emoji))
                elif kind == "punct" and len(pieces) > 1 and not isinstance(pieces[-1], Punct):
                    # Never after the first word: `12.` or `3)` opening a paragraph would start a list.
                    pieces.append(Punct(draw(PUNCT)))
                elif kind in ("emph", "strong", "strike") and depth < 2:
                    inner = draw(self.emphasised[depth + 1])
                    underscore = draw(st.booleans())
                    if kind == "emph":
                        pieces.append(Emph(inner, "_" if underscore else "*"))
                    elif kind == "strong":
                        pieces.append(Strong(inner, "__" if underscore else "**"))
                    else:
                        pieces.append(Strike(inner))
                elif kind == "code":
                    pieces.append(draw(self.code))
                elif kind == "link" and depth == 0:
                    pieces.append(Link(draw(self.few_words)))
                elif kind == "quoted" and depth == 0:
                    pieces.append(Quoted(draw(self.few_words)))
                elif kind == "note" and notes and not isinstance(pieces[-1], NoteRef | Punct):
                    pieces.append(draw(self.note))
            pieces.append(draw(self.word))
            return pieces

        return run()

    def _list(self, depth: int, *, notes: bool) -> st.SearchStrategy[ListBlock]:
        """Bullet or numbered lists nested up to three levels."""
        sub = self._list(depth + 1, notes=notes) if depth < 2 else st.none()
        item = st.builds(Item, self._inlines(notes=notes, max_pieces=4), st.one_of(st.none(), st.none(), sub))
        start = st.integers(1, 12) if depth == 0 else st.just(1)  # only `1.` may interrupt a paragraph

        @st.composite
        def a_list(draw: st.DrawFn) -> ListBlock:
            ordered = draw(st.booleans())
            marker = draw(st.sampled_from([".", ")"] if ordered else ["-", "*", "+"]))
            return ListBlock(ordered, draw(start), draw(st.lists(item, min_size=1, max_size=3)), marker)

        return a_list()

    def _table(self, *, notes: bool) -> st.SearchStrategy[Table]:
        cell = self._inlines(notes=notes, max_pieces=2)

        @st.composite
        def table(draw: st.DrawFn) -> Table:
            columns = draw(st.integers(1, 4))
            cells = st.lists(cell, min_size=columns, max_size=columns)
            aligns = draw(st.lists(ALIGNS, min_size=columns, max_size=columns))
            return Table(aligns, draw(cells), draw(st.lists(cells, min_size=1, max_size=3)))

        return table()

    def documents(self, max_sections: int = 5) -> st.SearchStrategy[Doc]:
        @st.composite
        def document(draw: st.DrawFn) -> Doc:
            """Headings that never skip a level, each followed by some blocks; maybe a preamble first."""
            body: list[object] = draw(st.lists(self.block, max_size=2))
            level = 0
            for _ in range(draw(st.integers(0 if body else 1, max_sections))):
                step = draw(st.sampled_from(["deeper", "deeper", "same", "back"]))
                if step == "deeper" or level == 0:
                    level = min(level + 1, 4)
                elif step == "back":
                    level = draw(st.integers(1, level))
                body.append(Heading(level, draw(self.heading_inlines)))
                body.extend(draw(st.lists(self.block, max_size=2)))
            doc = Doc(body)
            Renderer(doc).render()
            return doc

        return document()


# Rendering the model to Markdown, noting the words each output must show --------

LINE_START_UNSAFE = re.compile(r"^(\d{1,9}[.)]|[-+*>#=|:~`\[!<_]|\s)")


class Renderer:
    def __init__(self, doc: Doc) -> None:
        self.doc = doc

    def render(self) -> None:
        lines = self.blocks(self.doc.blocks)
        for number, note in enumerate(self.doc.notes, 1):
            lines += ["", f"[^{number}]: " + self.inline_text(note.first, soft_breaks=False)]
            for block in note.more:
                lines += ["", *(f"    {line}" if line else "" for line in self.block(block))]
            self.doc.note_words += words_of(note.first) + words_of(note.more)
        self.doc.markdown = "\n".join(lines).strip("\n") + "\n"
        self.doc.body_words = words_of(self.doc.blocks)

    def blocks(self, nodes: list[object]) -> list[str]:
        lines: list[str] = []
        for node in nodes:
            if lines:
                lines.append("")
            lines += self.block(node)
        return lines

    def block(self, node: object) -> list[str]:
        if isinstance(node, Para):
            return self.inline_text(node.inlines).split("\n")
        if isinstance(node, Heading):
            return ["#" * node.level + " " + self.inline_text(node.inlines, soft_breaks=False)]
        if isinstance(node, ListBlock):
            return self.list_lines(node)
        if isinstance(node, Table):
            def row(cells: list[list[object]]) -> str:
                return "| " + " | ".join(self.inline_text(c, soft_breaks=False) for c in cells) + " |"

            return [row(node.header), "|" + "|".join(node.aligns) + "|", *(row(r) for r in node.rows)]
        if isinstance(node, Quote):
            return [f"> {line}" if line else ">" for line in self.blocks(node.blocks)]
        if isinstance(node, CodeBlock):
            body = [code_text(line) for line in node.lines]
            return ["```" + node.language, *body, "```"]
        if isinstance(node, Div):
            fence = ":" * (3 + div_height(node))  # an enclosing div's fence is longer than any inside it
            if node.kind.startswith("callout"):
                title = " ".join(w.text for w in node.title)
                opening = f'{fence} {{.{node.kind} title="{title}"}}'
            else:
                opening = f"{fence} {node.kind}"
            return [opening, "", *self.blocks(node.blocks), "", fence]
        raise AssertionError(node)

    def list_lines(self, node: ListBlock) -> list[str]:
        lines: list[str] = []
        for index, item in enumerate(node.items):
            marker = f"{node.start + index}{node.marker} " if node.ordered else f"{node.marker} "
            indent = " " * len(marker)  # continuation lines and sublists line up with the item's text
            content = self.inline_text(item.inlines).split("\n")
            if item.sublist is not None:
                content += self.list_lines(item.sublist)
            lines.append(marker + content[0])
            lines += [indent + line for line in content[1:]]
        return lines

    def inline_text(self, pieces: list[object], soft_breaks: bool = True) -> str:
        """Join pieces with spaces; some gaps become soft or hard line breaks, where the new line cannot
        start a list, quote, heading or table."""
        chunks: list[str] = []
        for piece in pieces:
            if isinstance(piece, Punct | NoteRef) and chunks:
                chunks[-1] += self.inline(piece)
            else:
                chunks.append(self.inline(piece))
        out = chunks[0]
        for index, chunk in enumerate(chunks[1:], 1):
            if soft_breaks and index % 5 == 0 and not LINE_START_UNSAFE.match(chunk):
                out += ("\\\n" if index % 10 == 0 else "\n") + chunk
            else:
                out += " " + chunk
        return out

    def inline(self, piece: object) -> str:
        if isinstance(piece, Word | Emoji | Punct):
            return piece.text
        if isinstance(piece, Emph | Strong):
            return piece.delimiter + self.inline_text(piece.children, soft_breaks=False) + piece.delimiter
        if isinstance(piece, Strike):
            return "~~" + self.inline_text(piece.children, soft_breaks=False) + "~~"
        if isinstance(piece, Code):
            return "`" + code_text(piece.tokens) + "`"
        if isinstance(piece, Link):
            return "[" + self.inline_text(piece.children, soft_breaks=False) + "](https://example.org/x)"
        if isinstance(piece, Quoted):
            return '"' + self.inline_text(piece.children, soft_breaks=False) + '"'
        if isinstance(piece, NoteRef):
            self.doc.notes.append(piece)
            return f"[^{len(self.doc.notes)}]"
        raise AssertionError(piece)


def code_text(tokens: list[object]) -> str:
    return " ".join(tok.text if isinstance(tok, Word) else str(tok) for tok in tokens)


def div_height(node: Div) -> int:
    return max((1 + div_height(b) for b in node.blocks if isinstance(b, Div)), default=0)


def words_of(node: object) -> list[str]:
    """The words (and emoji) a reader sees, in order; a note's words are not counted where it is called."""
    if isinstance(node, list):
        return [w for child in node for w in words_of(child)]
    if isinstance(node, Word | Emoji):
        return [node.text]
    if isinstance(node, Punct | NoteRef | str):
        return []
    if isinstance(node, Code):
        return words_of(node.tokens)
    if isinstance(node, Emph | Strong | Strike | Link | Quoted):
        return words_of(node.children)
    if isinstance(node, Para | Heading):
        return words_of(node.inlines)
    if isinstance(node, ListBlock):
        return [w for item in node.items for w in words_of(item.inlines) + words_of(item.sublist or [])]
    if isinstance(node, Table):
        return words_of(node.header) + words_of(node.rows)
    if isinstance(node, Quote):
        return words_of(node.blocks)
    if isinstance(node, CodeBlock):
        return words_of(node.lines)
    if isinstance(node, Div):
        return (words_of(node.title) if node.kind.startswith("callout") else []) + words_of(node.blocks)
    raise AssertionError(node)


# Checking outputs -------------------------------------------------------------

def normal(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def missing_in_order(words: list[str], text: str) -> list[str]:
    """Return the words not found in `text` at or after where the previous word was found."""
    text = normal(text)
    position, missing = 0, []
    for word in words:
        found = text.find(normal(word), position)
        if found < 0:
            missing.append(word)
        else:
            position = found + len(normal(word))
    return missing


def build(doc: Doc) -> tuple[t.Document, Problems]:
    problems = Problems()
    blocks = build_blocks(doc.markdown, "fuzz.md", 1, problems)
    return t.Document(t.Meta(title="Fuzz", organisation="Hypothesis"), blocks), problems


def html_text(page: str) -> str:
    """The page's text from the main content on (the notes follow it): tags dropped, entities read."""
    main = page.split('<main id="content">', 1)[1]
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


def docx_parts_text(data: bytes) -> tuple[str, str]:
    """Text of word/document.xml and of word/footnotes.xml (empty when there are no notes)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        parts = [archive.read(name) if name in names else b"" for name in
                 ("word/document.xml", "word/footnotes.xml")]
    texts = []
    for part in parts:
        if not part:
            texts.append("")
            continue
        root = etree.fromstring(part)
        texts.append("\n".join(paragraph_text(p) for p in root.iter(f"{{{W}}}p")))
    return texts[0], texts[1]


def docx_body_text(data: bytes) -> tuple[str, str]:
    """Text of the document's body after the cover (so cover words cannot stand in for lost ones),
    and of its footnotes."""
    body, notes = docx_parts_text(data)
    cover = docx_cover_text()
    assert body.startswith(cover)
    return body[len(cover):], notes


@functools.cache
def docx_cover_text() -> str:
    return docx_parts_text(write_docx(build(Doc([]))[0], CTX).data)[0]


def pdf_text(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        return subprocess.run(["pdftotext", "-enc", "UTF-8", handle.name, "-"], capture_output=True,
                              text=True, check=True).stdout


def explain(doc: Doc) -> str:
    return f"\n--- markdown ---\n{doc.markdown}--- end ---"


# Properties -------------------------------------------------------------------

ANY_DOCUMENT = Grammar(st.one_of(PRINTABLE_WORD, PRINTABLE_WORD, WILD_WORD)).documents()
PRINTABLE_DOCUMENT = Grammar(PRINTABLE_WORD).documents(max_sections=2)


@given(ANY_DOCUMENT)
@fuzz_settings(300)
def test_tree_builder_accepts_every_well_formed_document(doc: Doc) -> None:
    tree, problems = build(doc)
    assert not problems.errors, [str(p) for p in problems.errors] + [explain(doc)]
    assert tree.blocks


@given(ANY_DOCUMENT)
@fuzz_settings(120)
def test_html_keeps_every_word_in_order(doc: Doc) -> None:
    tree, _problems = build(doc)
    text = html_text(page_html(tree, CTX, print_mode=False))
    missing = missing_in_order(doc.body_words + doc.note_words, text)
    assert not missing, f"HTML lost {missing}{explain(doc)}"


@given(ANY_DOCUMENT)
@fuzz_settings(120)
def test_docx_keeps_every_word_in_order(doc: Doc) -> None:
    tree, _problems = build(doc)
    body, notes = docx_body_text(write_docx(tree, CTX).data)
    missing = missing_in_order(doc.body_words, body)
    assert not missing, f"DOCX body lost {missing}{explain(doc)}"
    missing = missing_in_order(doc.note_words, notes)
    assert not missing, f"DOCX footnotes lost {missing}{explain(doc)}"


@pytest.mark.slow
@given(PRINTABLE_DOCUMENT)
@fuzz_settings(15)
def test_pdf_shows_every_word(doc: Doc) -> None:
    tree, _problems = build(doc)
    result = layout_pdf(build_page(tree, CTX, print_mode=True), CTX)
    # Lines wrap anywhere in CJK and footnotes float to the page foot: look for each word, spacing aside.
    text = re.sub(r"\s+", "", unicodedata.normalize("NFC", pdf_text(result.data)))
    words = [w for w in doc.body_words + doc.note_words if w not in EMOJI]
    missing = [w for w in words if unicodedata.normalize("NFC", w) not in text]
    assert not missing, f"PDF lost {missing}{explain(doc)}"

