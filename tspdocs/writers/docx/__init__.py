"""Write the tree as a Word document built on the house style in `assets/reference.docx`."""

from __future__ import annotations

import datetime as dt
import io

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION_START
from docx.oxml.ns import qn
from docx.shared import Pt

from ... import tree as t
from ...errors import Location, fail
from ...project.safezip import check_office_zip, normalise_zip
from ..base import WriteContext
from .ooxml import add_break, add_field, element, set_alt_text
from .styles import Styles
from .writer import DocxWriter

REFERENCE = "reference.docx"


def write_docx(doc: t.Document, ctx: WriteContext) -> bytes:
    document = open_reference(ctx, str(doc.meta.layout.get("reference_docx", REFERENCE)))  # set per document
    _clear_body(document)
    _apply_layout(document, doc.meta)
    writer = DocxWriter(document, doc)
    _cover(writer, doc.meta, ctx)
    if doc.meta.abstract:
        writer.blocks(_abstract_blocks(doc.meta), writer.body)
    writer.blocks(doc.blocks, writer.body)
    _headers_and_footers(document, doc.meta)
    _core_properties(document, doc.meta, ctx.epoch)
    buffer = io.BytesIO()
    document.save(buffer)
    return normalise_zip(buffer.getvalue(), ctx.epoch)


def open_reference(ctx: WriteContext, name: str) -> DocxDocument:
    """Open the reference document after checking it is a plain Office file inside the project."""
    path = ctx.fs.resolve(name, base=ctx.assets, what="reference document")
    data = ctx.fs.read_bytes(path)
    check_office_zip(data, ctx.fs.display(path))
    try:
        return docx.Document(io.BytesIO(data))
    # python-docx's errors for an Office file that is not a Word document
    except Exception as exc:  # noqa: BLE001
        raise fail(f"not a Word document ({exc}); re-save it from Word as .docx", "bad-office-file",
                   Location(ctx.fs.display(path))) from None


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


def _cover(writer: DocxWriter, meta: t.Meta, ctx: WriteContext) -> None:
    body = writer.body
    logo = ctx.assets / "logos" / "logo.png"
    if logo.is_file() and meta.organisation:  # an anonymised manuscript shows no institution
        paragraph = writer.new_paragraph(body, "Cover Logo")
        picture = paragraph.add_run().add_picture(io.BytesIO(ctx.fs.read_bytes(logo)), height=Pt(40))
        set_alt_text(picture._inline, meta.organisation)
    writer.new_paragraph(body, "Cover Organisation").add_run(meta.organisation)
    if meta.audience:
        writer.new_paragraph(body, "Cover Audience").add_run(f"Policy briefing for the {meta.audience}")
    writer.new_paragraph(body, "Title").add_run(meta.title)
    if meta.subtitle:
        writer.new_paragraph(body, "Subtitle").add_run(meta.subtitle)
    if meta.authors:
        writer.new_paragraph(body, "Cover Details").add_run(", ".join(meta.authors))
    if meta.date_text:
        writer.new_paragraph(body, "Cover Details").add_run(meta.date_text)
    if meta.draft:
        writer.new_paragraph(body, "Draft Mark").add_run("Draft: not for circulation")
    if meta.notice:
        paragraph = writer.new_paragraph(body, "Notice")
        paragraph.add_run("Illustrative content. ").bold = True
        paragraph.add_run(meta.notice)
    writer.blocks(meta.cover, body)
    if meta.kind in ("report", "manuscript"):
        add_break(writer.new_paragraph(body, "Body Text"))


def _abstract_blocks(meta: t.Meta) -> list[t.Block]:
    blocks: list[t.Block] = [t.Heading(1, [t.Text("Abstract")], t.Attr("abstract", ["unnumbered"]))]
    blocks.extend(meta.abstract)
    if meta.keywords:
        blocks.append(t.Para([t.Strong([t.Text("Keywords:")]), t.Text(" " + "; ".join(meta.keywords))]))
    if meta.word_count:
        blocks.append(t.Para([t.Strong([t.Text("Word count:")]), t.Text(f" {meta.word_count:,}")]))
    return blocks


def _headers_and_footers(document: DocxDocument, meta: t.Meta) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.different_first_page_header_footer = True
    styles = Styles(document)
    header = section.header.paragraphs[0]
    styles.paragraph(header, "Header")
    header.add_run(meta.title)
    if meta.draft:
        header.add_run("\tDRAFT").bold = True
    footer = section.footer.paragraphs[0]
    styles.paragraph(footer, "Footer")
    if meta.provenance:
        footer.add_run(meta.provenance + "\t")
    else:
        footer.add_run("\t")
    footer.add_run("Page ")
    add_field(footer, "PAGE", "1")
    footer.add_run(" of ")
    add_field(footer, "NUMPAGES", "1")


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
