"""Write the tree as a Word document built on the house style in `assets/reference.docx`."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION_START
from docx.opc.packuri import PackURI
from docx.opc.pkgwriter import PackageWriter
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from ... import tree as t
from ...errors import Location, fail
from ...labels import label
from ...project.safezip import check_office_zip, normalise_zip
from ..base import WriteContext, WriteResult
from .anchors import add_manifest_part, anchor_paragraphs, manifest_copy_name
from .ooxml import add_break, add_field, element, set_alt_text, set_right_tab
from .revisions import track_emptied_paragraphs
from .styles import Styles
from .writer import DocxWriter

REFERENCE = "reference.docx"


def write_docx(doc: t.Document, ctx: WriteContext) -> WriteResult:
    document = open_reference(ctx, str(doc.meta.layout.get("reference_docx", REFERENCE)))  # set per document
    _clear_body(document)
    _apply_layout(document, doc.meta)
    writer = DocxWriter(document, doc)
    _cover(writer, doc.meta.cover, doc.meta.kind)
    writer.blocks(doc.meta.abstract, writer.body)
    writer.blocks(doc.blocks, writer.body)
    if writer.state.tracked:
        track_emptied_paragraphs(document.element.body, writer.state.new_id)
    _headers_and_footers(document, doc.meta, writer.styles)
    _core_properties(document, doc.meta, ctx.epoch)
    manifest = anchor_paragraphs(writer.state.written, doc, ctx, writer.state.new_id)
    manifest_json = manifest.to_json()
    add_manifest_part(document, manifest, manifest_json)
    extras = {manifest_copy_name(manifest): manifest_json}  # the copy in build/, should a suite drop the part
    return WriteResult(normalise_zip(_stored_package(document), ctx.epoch), extras=extras)


def _stored_package(document: DocxDocument) -> bytes:
    """Return the package as python-docx's `save` writes it (same members, same order), but uncompressed.

    `normalise_zip` compresses every member again anyway, so python-docx's own compression (which it
    does not let the caller turn off) was the same work done twice.
    """
    package = document.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        # the three steps of PackageWriter.write, which would open its own, compressed ZIP
        members: Any = _Members(archive)  # the one method of a PhysPkgWriter they call
        PackageWriter._write_content_types_stream(members, parts)  # type: ignore[no-untyped-call]
        PackageWriter._write_pkg_rels(members, package.rels)  # type: ignore[no-untyped-call]
        PackageWriter._write_parts(members, parts)
    return buffer.getvalue()


class _Members:
    """Write members to a ZIP the caller opened, as python-docx's physical package writer does."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive

    def write(self, pack_uri: PackURI, blob: bytes) -> None:
        self.archive.writestr(pack_uri.membername, blob)


def open_reference(ctx: WriteContext, name: str) -> DocxDocument:
    """Open the reference document after checking it is a plain Office file inside the project."""
    path = ctx.fs.resolve(name, base=ctx.assets, what="reference document")
    data = ctx.fs.read_bytes(path)
    check_office_zip(data, ctx.fs.display(path))
    try:
        document = docx.Document(io.BytesIO(data))
    # python-docx's errors for an Office file that is not a Word document
    except Exception as exc:  # noqa: BLE001
        raise fail(f"not a Word document ({exc}); re-save it from Word as .docx", "bad-office-file",
                   Location(ctx.fs.display(path))) from None
    _external_relationships(document, ctx.fs.display(path))
    return document


def _external_relationships(document: DocxDocument, display: str) -> None:
    """Strip the reference document's attached template; refuse any other external target but a hyperlink.

    An external relationship is copied into every DOCX built from the reference, and Word fetches it on
    opening (a template from a share or a server, a linked picture, a mail-merge source): the outputs would
    not be self-contained, and could reach out. Word templates commonly carry an attached template, which
    only names where the styles came from, so it is removed with its `w:attachedTemplate` element.
    Hyperlinks are links the reader follows, not fetches, and stay.
    """
    package = document.part.package
    for owner in (package, *package.iter_parts()):
        rels = owner.rels
        for rel_id, rel in list(rels.items()):
            if not rel.is_external or rel.reltype.endswith("/hyperlink"):
                continue
            if rel.reltype.endswith("/attachedTemplate"):
                element_ = getattr(owner, "element", None)
                if element_ is not None:
                    for used in element_.iter(qn("w:attachedTemplate")):
                        used.getparent().remove(used)
                del rels[rel_id]
                continue
            kind = rel.reltype.rsplit("/", 1)[-1]
            part = getattr(owner, "partname", "/_rels/.rels")
            raise fail(f"part {str(part).lstrip('/')} has an external {kind} relationship to "
                       f"{str(rel.target_ref)[:200]!r}, which Word would fetch from every document built on it; "
                       "embed the picture or remove the link, and save the reference document again",
                       "outside-project", Location(display))


def _clear_body(document: DocxDocument) -> None:
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _apply_layout(document: DocxDocument, meta: t.Meta) -> None:
    """Set language, and a journal's spacing, type size and line numbers, on the styles themselves."""
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = element("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), meta.language)
    layout = meta.layout
    for name in ("Normal", "Body Text"):
        style = styles[name]
        if "font_size" in layout:
            style.font.size = Pt(float(layout["font_size"]))  # type: ignore[arg-type]
        if "line_spacing" in layout:
            style.paragraph_format.line_spacing = float(layout["line_spacing"])  # type: ignore[arg-type]
    if layout.get("line_numbers"):
        sect_pr = document.sections[0]._sectPr
        sect_pr.append(element("w:lnNumType", countBy="1", restart="continuous", distance="360"))


# The paragraph style of each cover line; the provenance line is in every page's footer instead.
COVER_STYLES = {"organisation": "Cover Organisation", "audience": "Cover Audience", "title": "Title",
                "subtitle": "Subtitle", "authors": "Cover Details", "date": "Cover Details",
                "draft-mark": "Draft Mark", "notice": "Notice"}
PAGE_FIELDS = {"page": "PAGE", "pages": "NUMPAGES"}


def _cover(writer: DocxWriter, cover: list[t.Block], kind: str) -> None:
    body = writer.body
    for block in cover:
        assert isinstance(block, t.Cover), "the cover is made by prepare/front_matter.py"
        if block.logo is not None and block.logo.data is not None:
            paragraph = writer.new_paragraph(body, "Cover Logo")
            picture = paragraph.add_run().add_picture(io.BytesIO(block.logo.data), height=Pt(40))
            set_alt_text(picture._inline, block.logo.alt)
        for line in block.lines:
            if line.role in COVER_STYLES:
                writer.fill(writer.new_paragraph(body, COVER_STYLES[line.role]), line.children, body)
    if kind in ("report", "manuscript"):
        add_break(writer.new_paragraph(body, "Body Text"))


def _headers_and_footers(document: DocxDocument, meta: t.Meta, styles: Styles) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    styles.paragraph(header, "Header")
    _fit_tab(header, document, "Header")
    header.add_run(meta.title)
    if meta.draft:
        header.add_run("\t" + label("draft-header")).bold = True
    footer = section.footer.paragraphs[0]
    styles.paragraph(footer, "Footer")
    _fit_tab(footer, document, "Footer")
    if meta.provenance:
        footer.add_run(meta.provenance + "\t")
    else:
        footer.add_run("\t")
    for index, part in enumerate(re.split(r"\{(\w+)\}", label("page"))):
        if index % 2:
            add_field(footer, PAGE_FIELDS[part], "1")
        elif part:
            footer.add_run(part)


def _fit_tab(paragraph: Paragraph, document: DocxDocument, style: str) -> None:
    """Put the line's one tab stop at the right edge of the page's text, not where the style was saved."""
    stops = document.styles[style].paragraph_format.tab_stops
    set_right_tab(paragraph, document._block_width, [stop.position for stop in stops])


def _core_properties(document: DocxDocument, meta: t.Meta, epoch: int) -> None:
    """Fill the file's metadata; an anonymised manuscript carries no names at all."""
    core = document.core_properties
    moment = dt.datetime.fromtimestamp(epoch, dt.UTC).replace(tzinfo=None)
    core.title = meta.title
    core.subject = meta.audience or meta.subtitle
    core.author = "" if meta.anonymised else "; ".join(meta.authors)
    core.last_modified_by = "" if meta.anonymised else "tspdocs"
    core.keywords = "; ".join(meta.keywords)
    core.language = meta.language
    core.category = meta.kind
    core.comments = meta.provenance
    core.created = moment
    core.modified = moment
    core.revision = 1
