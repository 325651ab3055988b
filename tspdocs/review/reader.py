"""Read a returned DOCX in body order: its comments (with replies and resolved state) and tracked changes.

python-docx's paragraph text skips `w:ins`, and Pandoc's reader drops replies, so the package is read here
with lxml: each paragraph of the body and the footnotes, the `_tsp…` anchor it sits in, its reject-all
text, and every remark in it with where in that text it falls.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from ..errors import Location, fail
from ..project.safezip import check_office_zip
from .manifest import NAMESPACE, PREFIX, Manifest, W, text_piece

W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class Remark:
    """A comment or tracked change, and where in the returned file it is."""

    kind: str  # comment | insertion | deletion | formatting
    author: str
    date: str
    text: str  # what the comment says, or the text inserted, deleted or reformatted
    story: str  # document | footnotes
    paragraph: int  # index of its paragraph in `Returned.paragraphs`
    start: int = 0  # where it falls in the paragraph's reject-all text
    end: int = 0
    ident: str = ""  # a comment's w:id
    parent: str = ""  # the w:id of the comment a reply answers
    resolved: bool = False
    whole_paragraph: bool = False  # a deletion that takes the whole paragraph with it


@dataclass
class Paragraph:
    """A paragraph of a returned DOCX: its story, its anchor, and its text with the changes rejected and accepted."""

    story: str
    anchor: str  # the `_tsp…` bookmark it sits in, "" when the reviewer's edits lost it
    text: str  # reject-all: as tspdocs wrote it, if nobody changed it outside tracked changes
    accepted: str


@dataclass
class Returned:
    """What a returned file holds."""

    name: str
    manifest: Manifest | None
    anchor_names: set[str] = field(default_factory=set)
    paragraphs: list[Paragraph] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)


def read_returned(data: bytes, name: str) -> Returned:
    """Read a returned DOCX; a file that is not a Word document is a clear error naming it.

    The file comes from outside, so it is first checked as every Office file tspdocs reads is: a ZIP
    package of reasonable size, no part a zip bomb, no XML with a DOCTYPE or entities.
    """
    check_office_zip(data, name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = {n: archive.read(n) for n in archive.namelist() if n.endswith((".xml", ".rels"))}
        document = etree.fromstring(parts["word/document.xml"])
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError) as exc:
        raise fail(f"not a Word document ({exc}); give the .docx file the reviewer sent back",
                   "review-not-docx", Location(name)) from None
    returned = Returned(name, _manifest(parts, name))
    comments = _comments(parts)
    recorded: set[str] = set()
    _Walker(returned, comments, recorded).walk(document.find(f"{W}body"), "document")
    footnotes = parts.get("word/footnotes.xml")
    if footnotes is not None:
        for note in etree.fromstring(footnotes).iter(f"{W}footnote"):
            if note.get(f"{W}type") is None:
                _Walker(returned, comments, recorded).walk(note, "footnotes")
    _place_replies(returned, comments, recorded)
    return returned


def _place_replies(returned: Returned, comments: dict[str, _Comment], recorded: set[str]) -> None:
    """Put each reply that has no range of its own where the comment it answers is."""
    placed = {r.ident: r for r in returned.remarks if r.kind == "comment"}
    for ident, comment in comments.items():
        parent = placed.get(comment.parent)
        if ident not in recorded and parent is not None:
            returned.remarks.append(Remark("comment", comment.author, comment.date, comment.text, parent.story,
                                           parent.paragraph, parent.start, parent.end, ident, comment.parent,
                                           comment.resolved))


def _manifest(parts: dict[str, bytes], name: str) -> Manifest | None:
    """Return the manifest from the package's custom XML parts, if an office suite kept it."""
    for part, data in sorted(parts.items()):
        if posixpath.dirname(part) == "customXml" and posixpath.basename(part).startswith("item") \
                and "Props" not in part:
            try:
                root = etree.fromstring(data)
            except etree.XMLSyntaxError:
                continue
            if root.tag == f"{{{NAMESPACE}}}manifest":
                try:
                    return Manifest.from_json(root.text or "")
                except (ValueError, KeyError, TypeError) as exc:
                    raise fail(f"its tspdocs manifest ({part}) is damaged ({exc})", "review-manifest",
                               Location(name)) from None
    return None


@dataclass
class _Comment:
    """A Word comment as read from comments.xml, with its reply parent and resolved state."""

    author: str
    date: str
    text: str
    parent: str = ""
    resolved: bool = False


def _comments(parts: dict[str, bytes]) -> dict[str, _Comment]:
    """Return every comment by w:id, replies and resolved state read from commentsExtended."""
    data = parts.get("word/comments.xml")
    if data is None:
        return {}
    by_para: dict[str, str] = {}
    found: dict[str, _Comment] = {}
    for comment in etree.fromstring(data).iter(f"{W}comment"):
        ident = comment.get(f"{W}id", "")
        paragraphs = comment.findall(f"{W}p")
        text = "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in paragraphs).strip()
        found[ident] = _Comment(comment.get(f"{W}author", ""), comment.get(f"{W}date", "")[:10], text)
        if paragraphs and paragraphs[-1].get(f"{W14}paraId"):
            by_para[paragraphs[-1].get(f"{W14}paraId")] = ident
    extended = parts.get("word/commentsExtended.xml")
    if extended is not None:
        for entry in etree.fromstring(extended).iter(f"{W15}commentEx"):
            ident = by_para.get(entry.get(f"{W15}paraId", ""))
            if ident is None:
                continue
            found[ident].resolved = entry.get(f"{W15}done") in ("1", "true")
            found[ident].parent = by_para.get(entry.get(f"{W15}paraIdParent", ""), "")
    return found


class _Walker:
    """Walk one story in body order, collecting its paragraphs and the remarks in them."""

    def __init__(self, returned: Returned, comments: dict[str, _Comment], recorded: set[str]) -> None:
        self.returned = returned
        self.comments = comments
        self.recorded = recorded  # comments found in the text so far, in any story
        self.open: list[str] = []  # `_tsp…` bookmarks begun and not yet ended, innermost last
        self.names: dict[str, str] = {}  # bookmark w:id -> name
        self.pending: dict[str, tuple[int, int]] = {}  # comment w:id -> where its range starts

    def walk(self, story: etree._Element, kind: str) -> None:
        for paragraph in story.iter(f"{W}p"):
            self.paragraph(paragraph, kind)

    def paragraph(self, p: etree._Element, story: str) -> None:
        index = len(self.returned.paragraphs)
        anchor = ""
        rejected = accepted = ""
        remarks: list[Remark] = []
        # A change element -> its remark, to grow as its text is read. Keyed by the element itself, which
        # keeps its lxml proxy alive: the id() of a proxy let go of can come back for another element.
        runs: dict[etree._Element, Remark] = {}
        mark_deleted = p.find(f"{W}pPr/{W}rPr/{W}del") is not None
        for node in p.iter():
            tag = node.tag
            if tag in (f"{W}bookmarkStart", f"{W}bookmarkEnd"):
                started = self.bookmark(node)  # called for every mark: an end must close its bookmark
                anchor = anchor or started
            elif tag == f"{W}commentRangeStart":
                self.pending[node.get(f"{W}id", "")] = (index, len(rejected))
            elif tag in (f"{W}commentRangeEnd", f"{W}commentReference"):
                self.comment(node.get(f"{W}id", ""), index, len(rejected), story, remarks)
            elif tag == f"{W}rPrChange" and node.getparent().getparent().tag == f"{W}r":
                text = "".join(t.text or "" for t in node.getparent().getparent().iter(f"{W}t"))
                remarks.append(Remark("formatting", node.get(f"{W}author", ""), node.get(f"{W}date", "")[:10],
                                      text, story, index, len(rejected), len(rejected) + len(text)))
            elif (piece := text_piece(node, p)) is not None:
                text, kind, change = piece
                if change is not None:
                    remark = runs.get(change)
                    if remark is None:
                        remark = runs[change] = Remark(
                            kind, change.get(f"{W}author", ""), change.get(f"{W}date", "")[:10], "", story, index,
                            len(rejected), len(rejected))
                        remarks.append(remark)
                    remark.text += text
                    if kind != "insertion":
                        remark.end = len(rejected) + len(text)
                if kind != "insertion":
                    rejected += text
                if kind != "deletion":
                    accepted += text
        if not anchor and self.open:
            anchor = self.open[-1]  # the paragraph lost its own start, but sits inside one begun earlier
        if mark_deleted and not accepted.strip() and rejected.strip():
            remarks = [r for r in remarks if r.kind != "deletion"]
            remarks.append(Remark("deletion", *_mark_author(p), rejected, story, index, 0, len(rejected),
                                  whole_paragraph=True))
        self.returned.paragraphs.append(Paragraph(story, anchor, rejected, accepted))
        self.returned.remarks.extend(remarks)

    def bookmark(self, node: etree._Element) -> str:
        """Follow the `_tsp…` bookmarks open at this point; return the name of one that starts here."""
        ident, name = str(node.get(f"{W}id", "")), str(node.get(f"{W}name", ""))
        if node.tag == f"{W}bookmarkStart" and name.startswith(PREFIX):
            self.names[ident] = name
            self.open.append(name)
            self.returned.anchor_names.add(name)
            return name
        if node.tag == f"{W}bookmarkEnd" and ident in self.names and self.names[ident] in self.open:
            self.open.remove(self.names.pop(ident))
        return ""

    def comment(self, ident: str, index: int, end: int, story: str, remarks: list[Remark]) -> None:
        """Record a comment at the end of its range (which may have begun paragraphs earlier), once."""
        comment = self.comments.get(ident)
        if comment is None or ident in self.recorded:
            return
        self.recorded.add(ident)
        start_paragraph, start = self.pending.pop(ident, (index, end))
        if start_paragraph != index:
            start = 0
        remarks.append(Remark("comment", comment.author, comment.date, comment.text, story, index, start, end,
                              ident, comment.parent, comment.resolved))


def _mark_author(p: etree._Element) -> tuple[str, str]:
    mark = p.find(f"{W}pPr/{W}rPr/{W}del")
    return mark.get(f"{W}author", ""), mark.get(f"{W}date", "")[:10]

