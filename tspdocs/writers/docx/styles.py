"""Apply the reference document's styles by name in constant time.

python-docx finds a style by scanning every style in styles.xml on each
assignment, which took most of the DOCX writer's time; here the names are
read once and each paragraph, run or table gets its style id directly.
"""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.styles import BabelFish
from docx.text.paragraph import Paragraph

from ...errors import Location, fail


class Styles:
    def __init__(self, document: DocxDocument) -> None:
        self.ids: dict[tuple[str, str], str] = {}
        for style in document.styles.element.findall(qn("w:style")):
            name = style.find(qn("w:name"))
            if name is not None:
                kind = style.get(qn("w:type"), "paragraph")
                self.ids.setdefault((kind, name.get(qn("w:val")).lower()), style.get(qn("w:styleId")))

    def id(self, name: str, kind: str, where: Location | None = None) -> str:
        """Return the style id for `name`; `where` is the content that asked for it, if it named the style."""
        found = self.ids.get((kind, name))  # the name as the writer spells it, once resolved
        if found is not None:
            return found
        for candidate in (BabelFish.ui2internal(name), name):
            found = self.ids.get((kind, candidate.lower()))
            if found is not None:
                self.ids[(kind, name)] = found
                return found
        raise fail(f"the reference document has no {kind} style named {name!r}; add it in Word or start from "
                   "assets/reference.docx", "reference-docx", where)

    def paragraph(self, paragraph: Paragraph, name: str) -> None:
        paragraph._p.get_or_add_pPr().style = self.id(name, "paragraph")
