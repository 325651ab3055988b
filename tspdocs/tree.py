"""The format-neutral document tree that every writer walks.

A closed set of block and inline nodes in the manner of pandoc-types, each
remembering the file and line it came from. Numbers, cross-reference text,
citations and table cells are resolved into the tree before any writer sees
it, so the HTML, PDF and DOCX outputs cannot disagree about them.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import MISSING, Field, dataclass, field, fields, is_dataclass
from typing import Literal

from .errors import Location

Align = Literal["left", "right", "center"] | None


@dataclass(slots=True)
class Node:
    """What every node has: where it came from (file and line), for messages and review anchors."""

    loc: Location | None = field(default=None, kw_only=True, repr=False, compare=False)


@dataclass(slots=True)
class Attr:
    """Pandoc's escape hatch: an identifier, classes and key=value pairs."""

    id: str = ""
    classes: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)


# Inlines ---------------------------------------------------------------------


@dataclass(slots=True)
class Inline(Node):
    """A piece of running text."""


@dataclass(slots=True)
class Text(Inline):
    """Plain words, with their spaces."""

    text: str


@dataclass(slots=True)
class Emph(Inline):
    """Emphasised text (italic)."""

    children: list[Inline]


@dataclass(slots=True)
class Strong(Inline):
    """Strongly emphasised text (bold)."""

    children: list[Inline]


@dataclass(slots=True)
class Strike(Inline):
    """Struck-out text."""

    children: list[Inline]


@dataclass(slots=True)
class Code(Inline):
    """Inline code, printed as written."""

    text: str


@dataclass(slots=True)
class SoftBreak(Inline):
    """A line end in the source: a space to every reader."""


@dataclass(slots=True)
class LineBreak(Inline):
    """A hard line break inside a paragraph."""


@dataclass(slots=True)
class Link(Inline):
    """A hyperlink: a URL, or `#label` for a place in the document."""

    url: str
    children: list[Inline]
    title: str = ""


@dataclass(slots=True)
class Image(Inline):
    """A picture: `src` is a project path for files, `data` its bytes once loaded."""

    src: str
    alt: str
    children: list[Inline] = field(default_factory=list)
    title: str = ""
    attr: Attr = field(default_factory=Attr)
    data: bytes | None = None
    mime: str = ""
    raster: bytes | None = None
    narrow: bytes | None = None  # a chart drawn again for a phone's width (SVG), which HTML offers there
    width_px: int = 0
    height_px: int = 0


@dataclass(slots=True)
class Span(Inline):
    """Inline text carrying attributes (`[text]{.class}`) for writers to style."""

    children: list[Inline]
    attr: Attr = field(default_factory=Attr)


@dataclass(slots=True)
class Note(Inline):
    """A footnote, held where it is called, as Pandoc does; writers place the text."""

    blocks: list[Block]


@dataclass(slots=True)
class Citation:
    """One work cited in a cluster, with the page or note the author gave it."""

    key: str
    prefix: str = ""
    suffix: str = ""
    mode: Literal["normal", "author-in-text", "suppress-author"] = "normal"


@dataclass(slots=True)
class Cite(Inline):
    """A citation cluster; `children` holds the text the citation style produced."""

    citations: list[Citation]
    source: str
    children: list[Inline] = field(default_factory=list)


@dataclass(slots=True)
class Ref(Inline):
    """A cross-reference to a labelled heading, table or figure, resolved to its number."""

    target: str
    children: list[Inline] = field(default_factory=list)
    kind: Literal["sec", "tbl", "fig", ""] = ""
    prefix: str = ""
    number: str = ""


@dataclass(slots=True)
class Quantity(Inline):
    """A figure quoted from the data, as printed, and where it came from: the value's name, its base (the
    respondents behind it), how it is defined and for which rows (`scope`), so every writer can say so."""

    name: str
    text: str
    value: object = None
    base: int | None = None
    definition: str = ""
    scope: str = ""


@dataclass(slots=True)
class Change:
    """A tracked change in a redline (`tspdocs diff`): inserted or deleted, by whom and when (UTC,
    `YYYY-MM-DDTHH:MM:SSZ`), and the anchor the changes summary links to."""

    kind: Literal["inserted", "deleted", "restyled"]
    author: str
    date: str
    id: str = ""


@dataclass(slots=True)
class Changed(Inline):
    """Words inserted or deleted inside one block; a redline never lets a mark cross a block boundary."""

    children: list[Inline]
    change: Change


@dataclass(slots=True)
class Shortcode(Inline):
    """An inline `{{< name args >}}` waiting to be replaced by its value."""

    name: str
    args: list[str]


# Blocks ----------------------------------------------------------------------


@dataclass(slots=True)
class Block(Node):
    """A paragraph-level node."""


@dataclass(slots=True)
class Para(Block):
    """A paragraph."""

    children: list[Inline]


@dataclass(slots=True)
class Plain(Block):
    """Text without paragraph spacing: tight list items and table cells."""

    children: list[Inline]


@dataclass(slots=True)
class Heading(Block):
    """A heading; `number` is its section number once the document is numbered."""

    level: int
    children: list[Inline]
    attr: Attr = field(default_factory=Attr)
    number: str = ""


@dataclass(slots=True)
class ListItem(Node):
    """One item of a list: blocks, since an item may hold paragraphs and lists."""

    blocks: list[Block]


@dataclass(slots=True)
class BulletList(Block):
    """An unordered list; `tight` lists have no space between items."""

    items: list[ListItem]
    tight: bool = True


@dataclass(slots=True)
class OrderedList(Block):
    """A numbered list counting from `start`."""

    items: list[ListItem]
    start: int = 1
    tight: bool = True


@dataclass(slots=True)
class DefinitionItem(Node):
    """A term and its definitions."""

    term: list[Inline]
    definitions: list[list[Block]]


@dataclass(slots=True)
class DefinitionList(Block):
    """A list of terms and definitions."""

    items: list[DefinitionItem]


@dataclass(slots=True)
class BlockQuote(Block):
    """A quotation set off from the text."""

    blocks: list[Block]


@dataclass(slots=True)
class CodeBlock(Block):
    """Preformatted text, printed as written."""

    text: str
    language: str = ""


@dataclass(slots=True)
class Rule(Block):
    """A horizontal rule (a thematic break)."""


@dataclass(slots=True)
class Div(Block):
    """A fenced `:::` block; classes such as `callout-note` or `key-messages` style it."""

    blocks: list[Block]
    attr: Attr = field(default_factory=Attr)

    @property
    def is_callout(self) -> bool:
        """A boxed note: any `callout…` class (Quarto's callout-note, callout-tip, …) or the briefing's
        key messages. Every writer asks here, so a box in one format is a box in all of them."""
        return any(c.startswith("callout") or c == "key-messages" for c in self.attr.classes)


@dataclass(slots=True)
class Column:
    """A table column as data: its name, kind (text, integer, number, fraction) and alignment."""

    align: Align = None
    name: str = ""
    kind: str = "text"


@dataclass(slots=True)
class Cell:
    """A table cell: what it shows, and for data tables the typed value it shows, the respondents behind it
    (`base`) and the shorthand printed instead of a figure that may not be shown (`mark`: [u], [c], [x])."""

    blocks: list[Block]
    align: Align = None
    value: object = None
    base: int | None = None
    mark: str = ""


@dataclass(slots=True)
class Row:
    """A table row of cells."""

    cells: list[Cell]
    change: Change | None = None  # a row inserted or deleted in a redline


@dataclass(slots=True)
class Table(Block):
    """A table with head, body and foot rows, its caption and notes; `data` names the table it shows."""

    columns: list[Column]
    head: list[Row]
    body: list[Row]
    foot: list[Row] = field(default_factory=list)
    caption: list[Inline] = field(default_factory=list)
    attr: Attr = field(default_factory=Attr)
    notes: list[Block] = field(default_factory=list)
    number: str = ""
    row_headers: int = 0
    data: str = ""  # the tables.yaml table a data table shows, so a review maps its cells there


@dataclass(slots=True)
class Figure(Block):
    """A numbered image with its caption and notes."""

    image: Image
    caption: list[Inline] = field(default_factory=list)
    attr: Attr = field(default_factory=Attr)
    number: str = ""
    notes: list[Block] = field(default_factory=list)


@dataclass(slots=True)
class Directive(Block):
    """A ```{name} fenced block (a data table, chart or generated matrix) before it is expanded."""

    name: str
    argument: str
    body: str
    body_line: int


@dataclass(slots=True)
class Include(Block):
    """A `{{< include kind:id >}}` placed by a template, replaced by that file's tree."""

    target: str
    level: int = 1
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Contents(Block):
    """A generated list: `sections` (the contents), `tables` or `figures`."""

    kind: Literal["sections", "tables", "figures"]
    title: str = ""
    entries: list[ContentsEntry] = field(default_factory=list)
    depth: int = 2  # heading levels a contents list shows


@dataclass(slots=True)
class ContentsEntry:
    """One line of a contents list: the label it points to, its level, number and text."""

    target: str
    level: int
    number: str
    text: list[Inline]


@dataclass(slots=True)
class Bibliography(Block):
    """Where the reference list goes; the citation step fills `entries`."""

    title: str = ""  # the catalogue's "References" unless the template names it
    entries: list[BibEntry] = field(default_factory=list)


@dataclass(slots=True)
class BibEntry:
    """One formatted entry of the reference list."""

    key: str
    children: list[Inline]


@dataclass(slots=True)
class ChangedBlocks(Block):
    """Whole blocks inserted or deleted in a redline; their words are marked `Changed` as well, so a
    writer that only marks text (HTML) and one that marks paragraphs too (DOCX) both have what they need."""

    blocks: list[Block]
    change: Change


@dataclass(slots=True)
class Restyled(Block):
    """A block whose text is unchanged but whose kind or style changed in a redline (a paragraph made a
    heading, a heading's level, a box's class): `block` is the new one and `old` the old, so DOCX can mark
    the paragraph style change (`w:pPrChange`) instead of deleting and inserting the same words."""

    block: Block
    old: Block
    change: Change


@dataclass(slots=True)
class PageBreak(Block):
    """Start a new page (a cover's end, a briefing's back page)."""


@dataclass(slots=True)
class CoverLine:
    """One line of a cover, by its role: organisation, audience, title, subtitle, authors, date,
    draft-mark, notice or provenance. Writers choose how each role looks, never what it says."""

    role: str
    children: list[Inline]


@dataclass(slots=True)
class Cover(Block):
    """The cover, built once from the document's metadata (`prepare/front_matter.py`)."""

    lines: list[CoverLine]
    logo: Image | None = None


# The document ----------------------------------------------------------------


@dataclass(slots=True)
class Meta:
    """What writers need beyond the body: cover, running heads, file metadata."""

    title: str
    subtitle: str = ""
    kind: str = "report"
    language: str = "en-GB"
    authors: list[str] = field(default_factory=list)
    organisation: str = ""
    date: dt.date | None = None
    date_text: str = ""
    audience: str = ""
    notice: str = ""
    keywords: list[str] = field(default_factory=list)
    abstract: list[Block] = field(default_factory=list)  # the abstract's content, then its whole block
    cover: list[Block] = field(default_factory=list)
    provenance: str = ""
    draft: bool = False
    numbered: bool = True
    anonymised: bool = False
    word_count: int | None = None
    layout: dict[str, object] = field(default_factory=dict)
    # The page each contents entry's target fell on when this document was last laid out: the PDF writer
    # prints these, checks them against the new layout and lays out again only if one moved.
    contents_pages: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Document:
    """The whole tree: metadata, body, and the project files it was built from (for rebuilds)."""

    meta: Meta
    blocks: list[Block]
    sources: set[str] = field(default_factory=set)


# Walking ---------------------------------------------------------------------


def child_blocks(block: Block) -> list[list[Block]]:
    """Return the lists of blocks nested directly inside `block`."""
    if isinstance(block, Div | BlockQuote | ChangedBlocks):
        return [block.blocks]
    if isinstance(block, Restyled):
        return [[block.block]]
    if isinstance(block, BulletList | OrderedList):
        return [item.blocks for item in block.items]
    if isinstance(block, DefinitionList):
        return [d for item in block.items for d in item.definitions]
    if isinstance(block, Table):
        rows = (*block.head, *block.body, *block.foot)
        return [cell.blocks for row in rows for cell in row.cells] + [block.notes]
    if isinstance(block, Figure):
        return [block.notes]
    return []


def block_inlines(block: Block) -> list[list[Inline]]:
    """Return the lists of inlines held directly by `block` (text, captions, terms)."""
    if isinstance(block, Para | Plain | Heading):
        return [block.children]
    if isinstance(block, Table | Figure):
        return [block.caption]
    if isinstance(block, DefinitionList):
        return [item.term for item in block.items]
    return []


def document_blocks(doc: Document) -> list[Block]:
    """Return the abstract, cover and body blocks together, for steps that read or edit them in place."""
    return [*doc.meta.abstract, *doc.meta.cover, *doc.blocks]


def walk(blocks: list[Block]) -> Iterator[Block]:
    """Yield every block in document order, including those inside footnotes."""
    for block in blocks:
        yield block
        for children in child_blocks(block):
            yield from walk(children)
        for inlines in block_inlines(block):
            for node in walk_inlines(inlines):
                if isinstance(node, Note):
                    yield from walk(node.blocks)


def walk_inlines(inlines: list[Inline]) -> Iterator[Inline]:
    """Yield every inline inside `inlines`, depth first, not entering footnotes."""
    for node in inlines:
        yield node
        children = getattr(node, "children", None)
        if children and not isinstance(node, Image):
            yield from walk_inlines(children)


def inline_lists(blocks: list[Block]) -> Iterator[list[Inline]]:
    """Yield every mutable list of inlines in the document, so a step can replace nodes in place."""
    for block in walk(blocks):
        for inlines in block_inlines(block):
            yield from _nested_lists(inlines)


def _nested_lists(inlines: list[Inline]) -> Iterator[list[Inline]]:
    yield inlines
    for node in inlines:
        children = getattr(node, "children", None)
        if isinstance(children, list) and not isinstance(node, Image):
            yield from _nested_lists(children)


def unlinked(inlines: list[Inline]) -> list[Inline]:
    """Return a copy fit to sit inside another link (a contents entry): no notes, links flattened to text."""
    out: list[Inline] = []
    for node in inlines:
        if isinstance(node, Note):
            continue
        if isinstance(node, Link | Ref | Cite):
            out.extend(unlinked(node.children))
        elif isinstance(node, Emph | Strong | Strike | Span):
            out.append(type(node)(unlinked(node.children)))
        else:
            out.append(node)
    return out


def last_line(block: Block) -> int | None:
    """Return the block's last source line: its first, or the line of its last inline (soft breaks count)."""
    lines = [node.loc.line for inlines in block_inlines(block) for node in walk_inlines(inlines)
             if node.loc is not None and node.loc.line is not None]
    first = block.loc.line if block.loc else None
    return max([*lines, *([first] if first is not None else [])], default=None)


def plain_text(inlines: list[Inline]) -> str:
    """Return the words of some inlines, for alt text, bookmarks and word counts."""
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, Text | Code | Quantity):
            parts.append(node.text)
        elif isinstance(node, SoftBreak | LineBreak):
            parts.append(" ")
        elif isinstance(node, Note):
            continue
        elif isinstance(node, Image):
            parts.append(node.alt)
        elif hasattr(node, "children"):
            parts.append(plain_text(node.children))
    return "".join(parts)


# Dumping ---------------------------------------------------------------------

_DUMP_HIDDEN = frozenset({"loc", "data", "raster"})  # where a node came from, and picture bytes
_DUMP_ALWAYS = frozenset({"tight", "start", "mode"})  # shown even when they hold their default
_DUMP_UNLABELLED = frozenset({"children", "blocks", "items", "cells", "citations", "entries", "text"})


def dump_tree(nodes: Sequence[Block | Inline]) -> str:
    """Return a readable, deterministic dump of blocks or inlines, one node per line, for tests and diffs.

    In the manner of Pandoc's native output and markdown-it-py's `SyntaxTreeNode.pretty()`: each line is
    a node's type, then its fields that differ from their defaults (`Heading level=2 {#sec:x .wide}`,
    attributes written as in Markdown, strings as JSON), then a `text` string bare at the end; nested
    nodes are indented two spaces under it. Child lists such as `children` and `blocks` follow directly,
    other lists (`caption:`, `head:`, `notes:`) under a label. Locations and image bytes are left out.
    """
    lines: list[str] = []
    for node in nodes:
        _dump(node, 0, lines)
    return "".join(line + "\n" for line in lines)


def _dump(node: object, depth: int, lines: list[str]) -> None:
    words = [type(node).__name__]
    text = ""
    nested: list[tuple[str, object]] = []
    for f in fields(node):  # type: ignore[arg-type]
        value = getattr(node, f.name)
        if f.name in _DUMP_HIDDEN or (isinstance(value, list) and not value):
            continue
        if (is_dataclass(value) and not isinstance(value, Attr)) or (
                isinstance(value, list) and all(is_dataclass(v) or isinstance(v, list) for v in value)):
            nested.append((f.name, value))
        elif f.name not in _DUMP_ALWAYS and _is_default(f, value):
            continue
        elif isinstance(value, Attr):
            words.append(_attr_text(value))
        elif f.name == "text" and isinstance(value, str):
            text = _dump_value(value)
        else:
            words.append(f"{f.name}={_dump_value(value)}")
    lines.append("  " * depth + " ".join(words + ([text] if text else [])))
    for name, value in nested:
        if not isinstance(value, list):
            lines.append("  " * (depth + 1) + f"{name}:")
            _dump(value, depth + 2, lines)
        elif name in _DUMP_UNLABELLED:
            for child in value:
                _dump(child, depth + 1, lines)
        elif all(isinstance(v, list) for v in value):  # a definition list item's definitions
            for index, group in enumerate(value):
                lines.append("  " * (depth + 1) + f"{name}[{index}]:")
                for child in group:
                    _dump(child, depth + 2, lines)
        else:
            lines.append("  " * (depth + 1) + f"{name}:")
            for child in value:
                _dump(child, depth + 2, lines)


def _is_default(f: Field[object], value: object) -> bool:
    if f.default is not MISSING:
        return bool(value == f.default)
    if f.default_factory is not MISSING:
        return bool(value == f.default_factory())
    return False


def _attr_text(attr: Attr) -> str:
    parts = ([f"#{attr.id}"] if attr.id else []) + [f".{c}" for c in attr.classes]
    parts += [f"{key}={_dump_value(value)}" for key, value in attr.values.items()]
    return "{" + " ".join(parts) + "}"


def _dump_value(value: object) -> str:
    """Return `value` as JSON, keeping letters as they are but spelling out invisible characters."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except TypeError:  # a data table cell's date, say
        return repr(value)
    return "".join(_visible(ch) for ch in text)


def _visible(ch: str) -> str:
    if ch == " " or unicodedata.category(ch)[0] not in "ZC":
        return ch
    return f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"
