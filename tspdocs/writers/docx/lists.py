"""Real Word numbering: lists and headings use `w:num` definitions from the reference document.

The reference document names its list definitions (`w:abstractNum/w:name`)
so that a designer can restyle them in Word; each ordered list gets its own
`w:num` with a start override, which is how Word restarts numbering.
"""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from lxml.etree import SubElement  # type: ignore[import-untyped, unused-ignore]  # no stubs installed

from ...errors import fail
from .fastxml import VAL, W, paragraph_property

BULLET, NUMBER, HEADING = "tspdocs-bullet", "tspdocs-number", "tspdocs-heading"
# Optional, for reference documents made before it: a list item's later paragraphs, numbered with no marker.
CONTINUE = "tspdocs-continue"


class Numbering:
    def __init__(self, document: DocxDocument) -> None:
        self.root = document.part.numbering_part.element
        self.abstract = {}
        for node in self.root.findall(qn("w:abstractNum")):
            name = node.find(qn("w:name"))
            if name is not None:
                self.abstract[name.get(qn("w:val"))] = node.get(qn("w:abstractNumId"))
        missing = [n for n in (BULLET, NUMBER, HEADING) if n not in self.abstract]
        if missing:
            raise fail(f"the reference document has no list definition named {', '.join(missing)}; "
                       "start from assets/reference.docx", "reference-docx")
        self._shared: dict[str, int] = {}

    def continuation(self) -> int | None:
        """Return the `w:num` for an item's later paragraphs, if the reference document defines one.

        Such a paragraph is part of the list at its item's level, with no marker: Word and LibreOffice
        indent it with the item's text, and Pandoc's reader keeps it in a list (the encoding Pandoc's own
        writer uses). Without it, the List Continue styles still indent it.
        """
        return self.shared(CONTINUE) if CONTINUE in self.abstract else None

    def text_indent(self, num_id: int, level: int) -> int:
        """Return where an item's text starts at `level` of list `num_id`, in twips from the margin (the
        level's `w:ind w:left` in the reference document), which a table or box inside the item lines up
        with; 0 if the definition gives none."""
        abstract = self.root.xpath(f"w:num[@w:numId='{num_id}']/w:abstractNumId/@w:val")
        indent = self.root.xpath(f"w:abstractNum[@w:abstractNumId='{abstract[0]}']/w:lvl[@w:ilvl='{level}']"
                                 "/w:pPr/w:ind/@w:left") if abstract else []
        return int(indent[0]) if indent else 0

    def shared(self, kind: str) -> int:
        """Return one `w:num` for `kind` that every list of that kind continues (bullets, headings)."""
        if kind not in self._shared:
            self._shared[kind] = self._new_num(kind, None)
        return self._shared[kind]

    def restarted(self, kind: str, start: int, level: int) -> int:
        """Return a fresh `w:num` whose `level` starts at `start`: a new numbered list at that depth."""
        return self._new_num(kind, start, level)

    def _new_num(self, kind: str, start: int | None, level: int = 0) -> int:
        num = self.root.add_num(int(self.abstract[kind]))
        if start is not None:
            override = num.add_lvlOverride(ilvl=level)
            override.add_startOverride(start)
        return int(num.numId)


NUM_PR, LEVEL, NUM_ID = f"{W}numPr", f"{W}ilvl", f"{W}numId"


def set_numbering(paragraph: BaseOxmlElement, num_id: int, level: int) -> None:
    """Attach `w:numPr` (list level and definition) to a paragraph, in schema order, or change it."""
    num_pr = paragraph_property(paragraph, NUM_PR)
    if not len(num_pr):  # only this function writes one, always both children
        SubElement(num_pr, LEVEL)
        SubElement(num_pr, NUM_ID)
    num_pr[0].set(VAL, str(level))
    num_pr[1].set(VAL, str(num_id))
