"""Wrap each paragraph written for a block in a hidden `_tsp…` bookmark, and pack the manifest saying
where each came from (see `review/manifest.py`), so a file reviewed in Word maps back to its source lines.

Word keeps bookmarks whose names start with an underscore and hides them from the reader; it rewrites
`w14:paraId` and strips inline `customXml`, so neither can carry the anchor. A block that writes several
paragraphs (a contents list, a reference list) gets one bookmark per paragraph: a reviewer who deletes
one keeps the others.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph
from lxml import etree  # type: ignore[import-untyped, unused-ignore]
from lxml.etree import SubElement  # type: ignore[import-untyped, unused-ignore]

from ... import tree as t
from ...errors import BuildError, Location
from ...review.manifest import NAMESPACE, PREFIX, Anchor, Generated, Manifest, digest, lines_hash, paragraph_text
from ..base import WriteContext
from .fastxml import P_PR, R_PR, W

MAX_NAME = 40  # Word's limit on a bookmark's name
DELETED = qn("w:del")
BOOKMARK_START, BOOKMARK_END, ID, NAME = f"{W}bookmarkStart", f"{W}bookmarkEnd", f"{W}id", f"{W}name"
BEFORE_START = frozenset((P_PR, BOOKMARK_START))


def document_id(meta: t.Meta) -> str:
    """Return a stable id for the document: the same report keeps it from one commit to the next. Area
    briefings share their title and differ in the subtitle naming the place, so a subtitle counts too (and
    only when there is one, so the ids of documents without one stay as they were)."""
    return digest(f"{meta.kind}\n{meta.title}\n{meta.audience}" + (f"\n{meta.subtitle}" if meta.subtitle else ""))


def anchor_paragraphs(written: list[tuple[Paragraph, t.Block]], doc: t.Document, ctx: WriteContext,
                      new_id: Callable[[], int]) -> Manifest:
    """Bookmark every paragraph in `written` (each with the block it was written for) and describe each."""
    meta = doc.meta
    provenance = ctx.provenance
    manifest = Manifest(document_id(meta), meta.title, provenance.commit, provenance.dirty)
    labels = _labels(doc)
    sources = _Sources(ctx)
    position: dict[int, int] = {}  # paragraphs written so far for each block, by the block's id()
    origins: dict[int, _Origin] = {}  # where each block came from, by its id(): a table writes many paragraphs
    for paragraph, block in written:
        index = position[id(block)] = position.get(id(block), -1) + 1
        p = paragraph._p
        text = paragraph_text(p)
        if not text.strip() or _vanishes(p):
            continue  # spacers, empty cells, and paragraphs a redline deletes: nothing a reviewer can change
        name = f"{PREFIX}{manifest.document[:8]}_{len(manifest.anchors) + 1:05d}"
        assert len(name) <= MAX_NAME
        _wrap(p, name, new_id())
        origin = origins.get(id(block))
        if origin is None:
            origin = origins[id(block)] = _Origin(block, sources)
        generated = _generated(block, index, labels, origin.cells)
        manifest.anchors[name] = Anchor(origin.loc.path, origin.loc.line, origin.last, type(block).__name__, text,
                                        digest(text), origin.source_hash,
                                        tuple(g for g in generated if g.text in text))
    return manifest


class _Origin:
    """What every paragraph written for one block shares: the lines it was printed from, their hash, and
    for a table its cells in writing order."""

    def __init__(self, block: t.Block, sources: _Sources) -> None:
        self.loc = loc = _printed_from(block)
        self.last = t.last_line(block) if loc is block.loc else loc.line
        self.source_hash = sources.hash(loc.path, loc.line, self.last)
        self.cells = _cells(block) if isinstance(block, t.Table) else []


def _vanishes(p: BaseOxmlElement) -> bool:
    """Tell whether accepting the paragraph's tracked changes removes it (a redline's deleted paragraph).

    A bookmark is no tracked content, so one left in such a paragraph would keep it, empty, in every
    reader that accepts the changes: Pandoc's, for one.
    """
    if next(p.iter(DELETED), None) is None:
        return False  # no deletion anywhere, so no deleted mark: one scan in C instead of two finds
    properties = p.find(P_PR)  # find() with a path goes through lxml's ElementPath, in Python: slower
    mark = properties.find(R_PR) if properties is not None else None
    return mark is not None and mark.find(DELETED) is not None and not paragraph_text(p, accepted=True).strip()


def _wrap(p: BaseOxmlElement, name: str, bookmark_id: int) -> None:
    """Put the bookmark's start before the paragraph's first run (after its properties and any bookmark
    already starting there, such as a caption's cross-reference target) and its end after the last.

    Made in place with lxml, as `fastxml` makes elements: the XML is what `ooxml.element` writes, and
    python-docx's parser made a whole document for each element."""
    position = 0
    while position < len(p) and p[position].tag in BEFORE_START:
        position += 1
    ident = str(bookmark_id)
    start = SubElement(p, BOOKMARK_START)
    start.set(ID, ident)
    start.set(NAME, name)
    if position < len(p) - 1:
        p[position].addprevious(start)
    SubElement(p, BOOKMARK_END).set(ID, ident)


def _printed_from(block: t.Block) -> Location:
    """Return where the block's text comes from: for a block a template wrote from a finding's front matter
    (a key message), the finding's line for its first such field, which `assembly.relocate_fields` gave
    that text. Each field's text is also a generated piece, so a remark inside it maps to its own line."""
    loc = block.loc or Location("")
    if not _from_template(block):
        return loc
    return next((field for inlines in t.block_inlines(block) for node in t.walk_inlines(inlines)
                 if (field := _field_of(node)) is not None), loc)


def _from_template(block: t.Block) -> bool:
    return block.loc is not None and block.loc.path.startswith("templates/")


def _field_of(node: t.Inline) -> Location | None:
    """Return the finding's line for a field a template printed as this text of its block (a block
    `_from_template`: the caller asks that once per block), if it is one."""
    if not isinstance(node, t.Text):
        return None
    if node.loc is None or not node.loc.path or node.loc.path.startswith("templates/"):
        return None
    return node.loc


def _labels(doc: t.Document) -> dict[str, Location]:
    """Return where each label (heading, table, figure id) is defined."""
    return {block.attr.id: block.loc for block in t.walk(t.document_blocks(doc))
            if isinstance(block, t.Heading | t.Table | t.Figure) and block.attr.id and block.loc}


def _generated(block: t.Block, index: int, labels: dict[str, Location],
               cells: list[tuple[t.Column, t.Cell]]) -> list[Generated]:
    """Return what generated parts of the `index`-th paragraph written for `block` (`cells`: a table's, as
    `_cells` lists them)."""
    if isinstance(block, t.Contents | t.Bibliography):
        entries = block.entries
        if not 0 < index <= len(entries):  # the list's title
            return []
        entry = entries[index - 1]
        if isinstance(entry, t.BibEntry):
            return [Generated("citation", entry.key, t.plain_text(entry.children))]
        where = labels.get(entry.target, Location(""))
        return [Generated("contents", entry.target, t.plain_text(entry.text), where.path, where.line)]
    if isinstance(block, t.Table) and index >= bool(block.caption):
        return _data_cell(block, cells, index - bool(block.caption))
    found: list[Generated] = []
    template = _from_template(block)
    for inlines in t.block_inlines(block):
        for node in t.walk_inlines(inlines):
            if template and isinstance(node, t.Text) and (field := _field_of(node)) is not None:
                found.append(Generated("front-matter", "", node.text, field.path, field.line))
            elif isinstance(node, t.Quantity):
                found.append(Generated("value", node.name, node.text))
            elif isinstance(node, t.Cite):
                found.append(Generated("citation", ",".join(c.key for c in node.citations),
                                       t.plain_text(node.children)))
            elif isinstance(node, t.Ref):
                where = labels.get(node.target, Location(""))
                shown = t.plain_text(node.children) or node.number
                found.append(Generated("reference", node.target, shown, where.path, where.line))
    return found


def _cells(table: t.Table) -> list[tuple[t.Column, t.Cell]]:
    """Return a table's cells, each with its column, in the order the writer writes their paragraphs."""
    return [(column, cell) for row in (*table.head, *table.body, *table.foot)
            for column, cell in zip(table.columns, row.cells, strict=False)]


def _data_cell(table: t.Table, cells: list[tuple[t.Column, t.Cell]], index: int) -> list[Generated]:
    """Return the data behind a table's `index`-th cell paragraph, if the cell shows a value from the data."""
    if index >= len(cells) or cells[index][1].value is None:
        return []
    column, cell = cells[index]
    shown = [node for block in cell.blocks for inlines in t.block_inlines(block) for node in inlines]
    where = table.loc or Location("")  # the table's directive, which names the data it shows
    return [Generated("data", column.name, t.plain_text(shown), where.path, where.line, table.data)]


class _Sources:
    """Read source files once each, to hash the lines each block came from (once per block: a table's
    cell paragraphs all come from its lines)."""

    def __init__(self, ctx: WriteContext) -> None:
        self.ctx = ctx
        self.lines: dict[str, list[str] | None] = {}
        self.hashes: dict[tuple[str, int, int], str] = {}

    def hash(self, path: str, first: int | None, last: int | None) -> str:
        if not path or first is None or last is None:
            return ""
        key = (path, first, last)
        if key not in self.hashes:
            if path not in self.lines:
                self.lines[path] = self._read(path)
            lines = self.lines[path]
            self.hashes[key] = lines_hash(lines, first, last) if lines is not None else ""
        return self.hashes[key]

    def _read(self, path: str) -> list[str] | None:
        fs = self.ctx.fs
        try:  # a read refuses whatever is not a regular file inside the project, as BuildError
            return fs.read_text(fs.resolve(path)).splitlines(keepends=True)
        except BuildError:  # a template's rendering, say: there is no file to hash
            return None


def add_manifest_part(document: DocxDocument, manifest: Manifest, data: bytes) -> None:
    """Carry the manifest (`data` is its JSON) as a custom XML part, with the item properties Word keeps
    such parts by."""
    package = document.part.package
    root = etree.Element(f"{{{NAMESPACE}}}manifest", nsmap={"tsp": NAMESPACE})
    root.text = data.decode("utf-8")
    item = Part(package.next_partname("/customXml/item%d.xml"), CT.XML,
                etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), package)
    guid = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{NAMESPACE}:{manifest.document}")).upper() + "}"
    props_xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<ds:datastoreItem ds:itemID="{guid}" '
                 'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"><ds:schemaRefs>'
                 f'<ds:schemaRef ds:uri="{NAMESPACE}"/></ds:schemaRefs></ds:datastoreItem>')
    number = str(item.partname).removeprefix("/customXml/item").removesuffix(".xml")
    props = Part(PackURI(f"/customXml/itemProps{number}.xml"), CT.OFC_CUSTOM_XML_PROPERTIES,
                 props_xml.encode("utf-8"), package)
    document.part.relate_to(item, RT.CUSTOM_XML)
    item.relate_to(props, RT.CUSTOM_XML_PROPS)


def manifest_copy_name(manifest: Manifest) -> str:
    """Return where under build/ the manifest's copy goes: keyed by commit, then by document."""
    return (Path("anchors") / (manifest.commit or "uncommitted") / f"{manifest.document}.json").as_posix()
