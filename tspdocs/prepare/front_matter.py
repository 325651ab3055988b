"""Build the cover and the abstract block once, as tree blocks, from the document's metadata.

What a cover says — which lines, in what order, in which words — is decided
here; each writer only chooses how a line of each role looks. The abstract
becomes one block (heading, text, keywords, word count) that writers render
like any other.
"""

from __future__ import annotations

from .. import tree as t
from ..labels import label
from ..project.projectfs import ProjectFS

LOGO = "assets/logos/logo.png"


def add_front_matter(doc: t.Document, fs: ProjectFS) -> None:
    """Set `doc.meta.cover` and wrap `doc.meta.abstract` in its block; run after every other step."""
    doc.meta.cover = [t.Cover(cover_lines(doc.meta), _logo(doc.meta, fs))]
    if doc.meta.abstract:
        doc.meta.abstract = [abstract_block(doc.meta)]


def cover_lines(meta: t.Meta) -> list[t.CoverLine]:
    """Return the cover's lines in reading order, leaving out those the document has nothing for."""
    lines: list[tuple[str, list[t.Inline]]] = [
        ("organisation", _text(meta.organisation)),
        ("audience", _text(label("audience", audience=meta.audience) if meta.audience else "")),
        ("title", _text(meta.title)),
        ("subtitle", _text(meta.subtitle)),
        ("authors", _text(", ".join(meta.authors))),
        ("date", _text(meta.date_text)),
        ("draft-mark", _text(label("draft-mark") if meta.draft else "")),
        ("notice", [t.Strong([t.Text(label("notice"))]), t.Text(" " + meta.notice)] if meta.notice else []),
        ("provenance", _text(meta.provenance)),
    ]
    return [t.CoverLine(role, children) for role, children in lines if children]


def abstract_block(meta: t.Meta) -> t.Div:
    """Return the abstract with its heading, and the keywords and word count a journal asks to see."""
    blocks: list[t.Block] = [t.Heading(1, [t.Text(label("abstract"))], t.Attr("abstract", ["unnumbered"]))]
    blocks.extend(meta.abstract)
    if meta.keywords:
        blocks.append(t.Para([t.Strong([t.Text(label("keywords"))]), t.Text(" " + "; ".join(meta.keywords))]))
    if meta.word_count:
        blocks.append(t.Para([t.Strong([t.Text(label("word-count"))]), t.Text(f" {meta.word_count:,}")]))
    return t.Div(blocks, t.Attr("", ["abstract"]))


def _text(text: str) -> list[t.Inline]:
    return [t.Text(text)] if text else []


def _logo(meta: t.Meta, fs: ProjectFS) -> t.Image | None:
    """Return the cover logo, named by the organisation; none when the document must not say whose it is."""
    path = fs.root / LOGO
    if not meta.organisation or not path.is_file():
        return None
    return t.Image(LOGO, meta.organisation, data=fs.read_bytes(path), mime="image/png")
