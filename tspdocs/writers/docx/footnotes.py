"""Native Word footnotes: the `word/footnotes.xml` part that python-docx has no API for."""

from __future__ import annotations

from docx.blkcntnr import BlockItemContainer
from docx.document import Document as DocxDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import PartFactory
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import parse_xml, register_element_cls
from docx.oxml.xmlchemy import BaseOxmlElement, ZeroOrMore
from docx.parts.story import StoryPart
from docx.text.paragraph import Paragraph

from .fastxml import text_run
from .ooxml import element
from .styles import Styles

FOOTNOTES_XML = (
    f"<w:footnotes {nsdecls('w', 'r')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)


class CT_Footnote(BaseOxmlElement):
    """`w:footnote`: holds paragraphs and tables like the document body does."""

    p = ZeroOrMore("w:p", successors=())
    tbl = ZeroOrMore("w:tbl", successors=())


register_element_cls("w:footnote", CT_Footnote)


class FootnotesPart(StoryPart):
    """The footnotes part; a story part, so styles, hyperlinks and pictures resolve as in the body."""


# A reference document saved by Word already has footnotes.xml; load it as ours.
PartFactory.part_type_for[CT.WML_FOOTNOTES] = FootnotesPart


class Footnotes:
    """Add footnotes to a document: each call gives a container to write the note's paragraphs into."""

    def __init__(self, document: DocxDocument, styles: Styles) -> None:
        self.document = document
        self.styles = styles
        self.part = self._get_or_add_part()
        self.next_id = 1 + max((int(n.get(qn("w:id"))) for n in self.part.element), default=0)

    def _get_or_add_part(self) -> FootnotesPart:
        doc_part = self.document.part
        for rel in doc_part.rels.values():
            if rel.reltype == RT.FOOTNOTES:
                return rel.target_part  # type: ignore[no-any-return]
        part = FootnotesPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, parse_xml(FOOTNOTES_XML),
                             doc_part.package)
        doc_part.relate_to(part, RT.FOOTNOTES)
        settings = self.document.settings.element
        if settings.find(qn("w:footnotePr")) is None:
            pr = element("w:footnotePr")
            pr.append(element("w:footnote", id="-1"))
            pr.append(element("w:footnote", id="0"))
            settings.append(pr)
        return part

    def add(self, paragraph: Paragraph) -> BlockItemContainer:
        """Put a footnote reference at the end of `paragraph` and return the empty note to fill."""
        note_id = self.next_id
        self.next_id += 1
        paragraph._p.append(self._mark(element("w:footnoteReference", id=str(note_id))))
        note = element("w:footnote", id=str(note_id))
        self.part.element.append(note)
        return BlockItemContainer(note, self.part)

    def start_note(self, paragraph: Paragraph) -> None:
        """Begin a note's first paragraph (the writer gives it the Footnote Text style) with the number mark,
        as Word does."""
        paragraph._p.append(self._mark(element("w:footnoteRef")))
        paragraph._p.append(text_run(" "))

    def _mark(self, mark: BaseOxmlElement) -> BaseOxmlElement:
        """Return a run in the Footnote Reference style showing `mark` (a note's number)."""
        run = text_run("", self.styles.id("Footnote Reference", "character"))
        run.append(mark)
        return run
