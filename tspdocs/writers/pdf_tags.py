"""Mend what in a PDF's structure tree WeasyPrint's tagging cannot be steered to get right.

WeasyPrint (70) tags each page on its own: a table split over pages becomes one /Table per page, its
repeated header tagged again each time; it writes no /Scope on header cells; a footnote floated to the
foot of the page is a plain /Span; the pseudo-elements of a link (a contents entry's leader and page
number) become links inside the link; and the running header and footer are tagged but left out of the
tree, neither content nor artifact. Everything else comes from the HTML and CSS; this module changes only
those five, in the written PDF, with pikepdf.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

# pikepdf's objects are dynamic (`element.S`, `element.K`), so structure elements and their kids (other
# elements, marked-content ids, OBJR and MCR references) are typed as what they are to mypy: Any.
Element = Any
Kid = Any


def table_fragments(document: object) -> list[int]:
    """Return, for each table fragment WeasyPrint will tag (page by page, in reading order), the number of
    the table it belongs to; fragments with the same number are one table split over pages."""
    numbers: dict[int, int] = {}
    order: list[int] = []
    for page in document.pages:  # type: ignore[attr-defined]
        for box in _boxes(page._page_box):
            if getattr(box, "is_table_wrapper", False) and box.element_tag == "table":
                order.append(numbers.setdefault(id(box.element), len(numbers)))
    return order


def _boxes(box: Any) -> Iterator[Any]:
    """Yield a layout box and its descendants in the order WeasyPrint's tagger visits them."""
    box = getattr(box, "_box", box)  # an absolutely positioned box's placeholder
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def mend_tags(data: bytes, fragments: list[int]) -> bytes:
    """Return the PDF with split tables joined, header scopes, footnotes as /Note, no link in a link, and
    the content no element owns (running header and footer, repeated table headers) as artifacts."""
    with pikepdf.open(BytesIO(data)) as pdf:
        if "/StructTreeRoot" not in pdf.Root:  # an untagged variant: nothing to mend
            return data
        tree = _Tree(pdf)
        tree.join_tables(fragments)
        tree.scope_headers()
        tree.tag_notes()
        tree.unnest_links()
        tree.mark_artifacts()
        out = BytesIO()
        # Streams WeasyPrint compressed stay as they are; the XMP metadata (PDF/UA identification) untouched.
        pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                 stream_decode_level=pikepdf.StreamDecodeLevel.none, fix_metadata_version=False)
    return out.getvalue()


def kids(element: Element) -> list[Kid]:
    """Return an element's /K as a list, whichever of the three shapes the PDF gives it."""
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, Array) else [k]


def is_element(kid: object) -> bool:
    return isinstance(kid, Dictionary) and "/S" in kid


class _Tree:
    """The structure tree and its parent tree (which element owns each piece of content), kept in step."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.root = pdf.Root.StructTreeRoot
        self.document: Element = self.root.K[0] if isinstance(self.root.K, Array) else self.root.K
        self.nums = self.root.ParentTree.Nums
        # parent tree key -> position of its value in /Nums: a page's array of owners, or an annotation's owner
        self.slots = {int(self.nums[i]): i + 1 for i in range(0, len(self.nums), 2)}
        # One walk of the tree finds everything the mending changes; each step then visits only those.
        self.tables: list[tuple[Element, Element]] = []  # (table, parent)
        self.header_cells: list[tuple[Element, Element]] = []  # (TH, row)
        self.outer_links: list[Element] = []  # links not inside another link
        stack = [(self.document, kid, False) for kid in reversed(kids(self.document))]
        while stack:
            parent, kid, in_link = stack.pop()
            if not is_element(kid):
                continue
            tag = kid.S
            if tag == Name.Table:
                self.tables.append((kid, parent))
            elif tag == Name.TH:
                self.header_cells.append((kid, parent))
            elif tag == Name.Link and not in_link:
                self.outer_links.append(kid)
            below = in_link or tag == Name.Link
            stack.extend((kid, grandchild, below) for grandchild in reversed(kids(kid)))

    def elements(self, start: Element | None = None) -> Iterator[tuple[Element, Element]]:
        """Yield (element, parent) for every element below `start`, in reading order."""
        stack = [(start or self.document, kid) for kid in reversed(kids(start or self.document))]
        while stack:
            parent, kid = stack.pop()
            if is_element(kid):
                yield kid, parent
                stack.extend((kid, grandchild) for grandchild in reversed(kids(kid)))

    def _owner(self, page: Element, mcid: int, element: Element | None) -> None:
        """Record `element` (None: an artifact) as the owner of marked content `mcid` on `page`."""
        owners = self.nums[self.slots[int(page.StructParents)]]
        owners[mcid] = element if element is not None else pikepdf.Object.parse(b"null")

    def _move(self, kid: Kid, source: Element, target: Element) -> Kid:
        """Make `target` the owner of one of `source`'s kids; return the kid as `target` must hold it."""
        if is_element(kid):
            kid.P = target
        elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR:
            self.nums[self.slots[int(kid.Obj.StructParent)]] = target
        else:
            page = kid.Pg if isinstance(kid, Dictionary) else source.Pg
            mcid = int(kid.MCID) if isinstance(kid, Dictionary) else int(kid)
            self._owner(page, mcid, target)
            if page.objgen != target.Pg.objgen and not isinstance(kid, Dictionary):
                return Dictionary(Type=Name.MCR, Pg=page, MCID=mcid)
        return kid

    # Tables -------------------------------------------------------------------

    def join_tables(self, fragments: list[int]) -> None:
        """Join the /Table elements of one table split over pages into its first; the header repeated on
        each later page becomes an artifact, as PDF/UA asks of content repeated for pagination."""
        tables = self.tables
        if len(tables) != len(fragments):  # not the layout we measured: leave the tags as WeasyPrint made them
            return
        first: dict[int, Element] = {}
        for (table, parent), number in zip(tables, fragments, strict=True):
            if number not in first:
                first[number] = table
                continue
            self._join(first[number], table)
            parent.K = Array([kid for kid in kids(parent) if not (is_element(kid) and kid.objgen == table.objgen)])

    def _join(self, table: Element, continued: Element) -> None:
        ids = dict(zip(self._header_ids(continued), self._header_ids(table), strict=False))
        joined = kids(table)
        for kid in kids(continued):
            if is_element(kid) and kid.S == Name.THead:
                continue  # the header repeated on this page: out of the tree, so an artifact
            joined.append(self._move(kid, continued, table))
        table.K = Array(joined)
        for cell, _parent in self.elements(table):
            attributes = cell.get("/A")
            headers = attributes.get("/Headers") if isinstance(attributes, Dictionary) else None
            if headers is not None:
                cell.A.Headers = Array([pikepdf.String(ids.get(str(h), str(h))) for h in headers])

    def _header_ids(self, table: Element) -> list[str]:
        return [str(cell.ID) for cell, parent in self.elements(table)
                if cell.S == Name.TH and "/ID" in cell and self._in_head(parent)]

    def _in_head(self, row: Element) -> bool:
        return "/P" in row and row.P.get("/S") == Name.THead

    def mark_artifacts(self) -> None:
        """Mark as pagination artifacts the content no element in the tree owns: the running header and
        footer (WeasyPrint tags margin boxes without linking them to the tree) and the table headers
        repeated on continuation pages, which joining tables dropped from it."""
        reachable = {element.objgen for element, _parent in self.elements()}
        for page in self.pdf.pages:
            if "/StructParents" not in page.obj:  # a page with no tagged content
                continue
            owners = self.nums[self.slots[int(page.obj.StructParents)]]
            mcids = {mcid for mcid, owner in enumerate(owners)
                     if isinstance(owner, Dictionary) and owner.objgen not in reachable}
            if not mcids:
                continue
            page.obj.Contents = self.pdf.make_stream(_as_artifacts(page, mcids))
            for mcid in mcids:
                self._owner(page.obj, mcid, None)

    # Cells, notes, links ------------------------------------------------------

    def scope_headers(self) -> None:
        """Give every header cell the /Scope its HTML `scope` meant: a column in the head, a row elsewhere."""
        for cell, row in self.header_cells:
            attributes = cell.get("/A")
            if not isinstance(attributes, Dictionary):
                attributes = cell.A = Dictionary(O=Name.Table)
            attributes.Scope = Name.Column if self._in_head(row) else Name.Row

    def tag_notes(self) -> None:
        """Tag each footnote /Note (with the /ID PDF/UA asks of one). WeasyPrint puts a page's footnote
        area straight under the document, a non-structural element holding one /Span per note."""
        number = 0
        for area in kids(self.document):
            if not (is_element(area) and area.S == Name.NonStruct):
                continue
            notes = [kid for kid in kids(area) if is_element(kid)]
            if notes and all(note.S == Name.Span for note in notes):
                for note in notes:
                    number += 1
                    note.S = Name.Note
                    note.ID = pikepdf.String(f"note-{number}")

    def unnest_links(self) -> None:
        """Fold a link inside a link (the `a::after` of a contents entry) into the outer one."""
        for link in self.outer_links:
            link.K = Array(self._flatten(link))

    def _flatten(self, link: Element) -> list[Kid]:
        folded: list[Kid] = []
        for kid in kids(link):
            if is_element(kid) and kid.S == Name.Link:
                folded.extend(self._move(grandchild, kid, link) for grandchild in self._flatten(kid))
            else:
                folded.append(kid)
        return folded


# A marked-content start as WeasyPrint writes it: `/Span <</MCID 3>> BDC`.
_MARKED = re.compile(rb"/[^\s/<>\[\]()]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
_ARTIFACT = b"/Artifact <</Type /Pagination>> BDC"


def _as_artifacts(page: pikepdf.Page, mcids: set[int]) -> bytes:
    """Return the page's content with the marked content `mcids` retagged as pagination artifacts.

    WeasyPrint writes text as hex strings and no inline images, so its content streams are rewritten with
    one scan of the bytes; parsing every operator into Python objects cost ~0.4 s on a 35-page report. A
    stream with a literal string or an inline image, where the pattern could be data, is parsed instead."""
    content = page.obj.Contents
    data = content.read_bytes() if not isinstance(content, Array) else b"\n".join(s.read_bytes() for s in content)
    if b"(" not in data and b"BI" not in data:  # no literal string, no inline image (hex text has no "I")
        return _MARKED.sub(lambda m: _ARTIFACT if int(m[1]) in mcids else m[0], data)
    operations = pikepdf.parse_content_stream(page)
    for index, instruction in enumerate(operations):
        if str(instruction.operator) == "BDC":
            properties = instruction.operands[1]
            if isinstance(properties, Dictionary) and int(properties.get("/MCID", -1)) in mcids:
                operations[index] = pikepdf.ContentStreamInstruction(
                    [Name.Artifact, Dictionary(Type=Name.Pagination)], instruction.operator)
    return pikepdf.unparse_content_stream(operations)
