"""Write the tree as one self-contained, accessible HTML5 page; the PDF writer reuses it in print mode.

Screen mode collects footnotes at the end with links both ways (as Pandoc
does); print mode leaves each note where it is called so WeasyPrint can
float it to the foot of its page.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from markupsafe import Markup

from .. import tree as t
from ..assemble.templating import make_environment, render_template
from ..errors import Location, fail
from ..labels import CAPTION_WORDS, CONTENTS_TITLES, LABELS, label
from ..tree import plain_text
from .base import Walker, WriteContext, WriteResult
from .css import read_stylesheet, urls
from .page_check import external_references

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

LAYOUT = "layouts/page.html.j2"
STYLES = ("base.css",)
SCREEN_STYLES = ("screen.css",)
PRINT_STYLES = ("print.css",)
PHONE_WIDTH = "40em"  # below this a chart's page-width drawing would shrink its text under 10 px


class HtmlBody(Walker):
    """Render blocks into `self.out`; inline methods return their HTML."""

    def __init__(self, print_mode: bool, page_numbers: dict[str, int] | None = None) -> None:
        self.print_mode = print_mode
        self.page_numbers = page_numbers or {}  # print mode: the page each contents entry's target is on
        self.out: list[str] = []
        self.notes: list[str] = []
        self.links: set[str] = set()  # every URL a content link points to, for the page check

    def html(self, blocks: list[t.Block]) -> str:
        start = len(self.out)
        self.blocks(blocks)
        text = "".join(self.out[start:])
        del self.out[start:]
        return text

    def text(self, inlines: list[t.Inline]) -> str:
        return "".join(self.inline(node) for node in inlines)

    # Blocks ------------------------------------------------------------------

    def block_Para(self, node: t.Para) -> None:
        self.out.append(f"<p>{self.text(node.children)}</p>\n")

    def block_Plain(self, node: t.Plain) -> None:
        self.out.append(self.text(node.children))

    def block_Heading(self, node: t.Heading) -> None:
        level = min(node.level + 1, 6)  # the document title is the page's only <h1>
        number = f'<span class="secno">{node.number}</span> ' if node.number else ""
        classes = _class_attr([*node.attr.classes, f"level{node.level}"])
        self.out.append(f'<h{level} id="{escape(node.attr.id)}"{classes}>{number}'
                        f"{self.text(node.children)}</h{level}>\n")

    def block_BulletList(self, node: t.BulletList) -> None:
        self.out.append("<ul>\n" + self._items(node.items) + "</ul>\n")

    def block_OrderedList(self, node: t.OrderedList) -> None:
        start = f' start="{node.start}"' if node.start != 1 else ""
        if start and self.print_mode:  # WeasyPrint ignores `start`; the list-item counter it does follow
            start += f' style="counter-reset: list-item {node.start - 1}"'
        self.out.append(f"<ol{start}>\n" + self._items(node.items) + "</ol>\n")

    def _items(self, items: list[t.ListItem]) -> str:
        return "".join(f"<li>{self.html(item.blocks)}</li>\n" for item in items)

    def block_DefinitionList(self, node: t.DefinitionList) -> None:
        parts = ["<dl>\n"]
        for item in node.items:
            parts.append(f"<dt>{self.text(item.term)}</dt>\n")
            parts.extend(f"<dd>{self.html(blocks)}</dd>\n" for blocks in item.definitions)
        self.out.append("".join(parts) + "</dl>\n")

    def block_BlockQuote(self, node: t.BlockQuote) -> None:
        self.out.append(f"<blockquote>\n{self.html(node.blocks)}</blockquote>\n")

    def block_CodeBlock(self, node: t.CodeBlock) -> None:
        language = f' class="language-{escape(node.language)}"' if node.language else ""
        self.out.append(f"<pre><code{language}>{escape(node.text)}</code></pre>\n")

    def block_Rule(self, node: t.Rule) -> None:
        self.out.append("<hr>\n")

    def block_PageBreak(self, node: t.PageBreak) -> None:
        self.out.append('<div class="page-break"></div>\n')

    def block_Div(self, node: t.Div) -> None:
        classes = list(node.attr.classes)
        role = ""
        title = node.attr.values.get("title", "")
        if node.is_callout:
            classes.insert(0, "callout")
            role = ' role="note"'
        ident = f' id="{escape(node.attr.id)}"' if node.attr.id else ""
        heading = f'<p class="callout-title">{escape(title)}</p>\n' if title else ""
        first = node.blocks[0] if node.blocks else None
        if isinstance(first, t.Heading) and first.attr.id and not role:  # a titled division is a section
            self.out.append(f'<section{ident}{_class_attr(classes)} aria-labelledby="{escape(first.attr.id)}">\n'
                            f"{self.html(node.blocks)}</section>\n")
            return
        self.out.append(f"<div{ident}{_class_attr(classes)}{role}>\n{heading}{self.html(node.blocks)}</div>\n")

    def block_ChangedBlocks(self, node: t.ChangedBlocks) -> None:
        self.out.append(f'<div class="change-{node.change.kind}"{_change_attrs(node.change)}>\n'
                        f"{self.html(node.blocks)}</div>\n")

    def block_Restyled(self, node: t.Restyled) -> None:
        self.out.append(f'<div class="change-restyled"{_change_attrs(node.change)}>\n'
                        f"{self.html([node.block])}</div>\n")

    def block_Cover(self, node: t.Cover) -> None:
        band = self._img(node.logo, "logo") + "\n" if node.logo else ""
        lines = []
        for line in node.lines:
            text = self.text(line.children)
            if line.role == "organisation":
                band += f'<p class="organisation">{text}</p>\n'
            elif line.role == "title":
                lines.append(f'<h1 class="title">{text}</h1>\n')
            else:
                role = ' role="note"' if line.role == "notice" else ""
                lines.append(f'<p class="{line.role}"{role}>{text}</p>\n')
        band = f'<div class="cover-band">\n{band}</div>\n' if band else ""
        self.out.append(f'<header class="cover">\n{band}{"".join(lines)}</header>\n')

    def block_Table(self, node: t.Table) -> None:
        parts = [f'<table id="{escape(node.attr.id)}"{_class_attr(node.attr.classes)}>\n'
                 if node.attr.id else f"<table{_class_attr(node.attr.classes)}>\n"]
        if node.caption:
            label = _number_label("table", node.number) if node.number else ""
            parts.append(f"<caption>{label}{self.text(node.caption)}</caption>\n")
        for section, rows in (("thead", node.head), ("tbody", node.body), ("tfoot", node.foot)):
            if rows:
                parts.append(f"<{section}{self._continued(node) if section == 'tbody' else ''}>\n")
                parts.extend(self._row(row, section, node) for row in rows)
                parts.append(f"</{section}>\n")
        parts.append("</table>\n")
        self.out.append(self._scroll_region(node, "".join(parts)))
        if node.notes:
            self.out.append(f'<div class="table-notes">\n{self.html(node.notes)}</div>\n')

    def _continued(self, node: t.Table) -> str:
        """In print, name the table for the running head of each page it continues on (print.css)."""
        if not self.print_mode or not node.number:
            return ""
        name = label("table-continued", table=f"{label('table')} {node.number}")
        return f' data-continued="{escape(name)}"'

    def _scroll_region(self, node: t.Table, table: str) -> str:
        """On screen, wrap a table in a region that scrolls sideways on a phone: named after its caption and
        focusable, so a keyboard can scroll it and a screen reader announces it (WCAG 2.1.1, 1.4.10)."""
        if self.print_mode:
            return table
        name = " ".join(filter(None, [label("table"), node.number]))
        if node.caption:
            name = f"{name}: {plain_text(node.caption)}" if node.number else plain_text(node.caption)
        return f'<div class="table-scroll" role="region" aria-label="{escape(name)}" tabindex="0">\n{table}</div>\n'

    def _row(self, row: t.Row, section: str, table: t.Table) -> str:
        cells = []
        for index, cell in enumerate(row.cells):
            align = f' class="align-{cell.align}"' if cell.align else ""
            align += _base_attr(cell.base) + (f' data-suppressed="{cell.mark}"' if cell.mark else "")
            content = self.html(cell.blocks)
            if section == "thead":
                cells.append(f'<th scope="col"{align}>{content}</th>')
            elif index < table.row_headers:
                cells.append(f'<th scope="row"{align}>{content}</th>')
            else:
                cells.append(f"<td{align}>{content}</td>")
        if row.change is not None:
            return f'<tr class="change-{row.change.kind}"{_change_attrs(row.change)}>' + "".join(cells) + "</tr>\n"
        return "<tr>" + "".join(cells) + "</tr>\n"

    def block_Figure(self, node: t.Figure) -> None:
        ident = f' id="{escape(node.attr.id)}"' if node.attr.id else ""
        image = self._img(node.image)
        label = _number_label("figure", node.number) if node.number else ""
        caption = f"<figcaption>{label}{self.text(node.caption)}</figcaption>\n" if node.caption else ""
        notes = f'<div class="figure-notes">{self.html(node.notes)}</div>\n' if node.notes else ""
        self.out.append(f"<figure{ident}>\n{image}\n{notes}{caption}</figure>\n")

    def block_Contents(self, node: t.Contents) -> None:
        if not node.entries:
            return
        ident = {"sections": "toc", "tables": "lot", "figures": "lof"}[node.kind]
        title = node.title or label(CONTENTS_TITLES[node.kind])
        items = []
        for entry in node.entries:
            number = f'<span class="secno">{entry.number}</span> ' if entry.number else ""
            if node.kind != "sections":
                number = _number_label(CAPTION_WORDS[node.kind], entry.number)
            items.append(f'<li class="toc-level{entry.level}"><a href="#{escape(entry.target)}">'
                         f"{self._contents_entry(number + self.text(entry.text), entry.target)}</a></li>\n")
        self.out.append(f'<nav class="contents {ident}" aria-labelledby="{ident}-title">\n'
                        f'<h2 id="{ident}-title" class="contents-title">{escape(title)}</h2>\n'
                        f'<ol>\n{"".join(items)}</ol>\n</nav>\n')

    def _contents_entry(self, text: str, target: str) -> str:
        """In print, follow the entry with its page number, written as data (the PDF writer takes it from a
        layout's anchors) rather than asked of the renderer with `target-counter()`, which cost extra
        layouts of the contents pages; the leader between them is drawn by print.css, not written."""
        if not self.print_mode:
            return text
        page = self.page_numbers.get(target, "")
        return f'<span class="toc-text">{text}</span><span class="toc-page">{page}</span>'

    def block_Bibliography(self, node: t.Bibliography) -> None:
        if not node.entries:
            return
        entries = "".join(f'<div class="csl-entry" id="ref-{escape(e.key)}" role="listitem">'
                          f"{self.text(e.children)}</div>\n" for e in node.entries)
        self.out.append(f'<section class="references" aria-labelledby="refs-title">\n'
                        f'<h2 id="refs-title">{escape(node.title or label("references"))}</h2>\n'
                        f'<div role="list">\n{entries}</div>\n</section>\n')

    # Inlines -----------------------------------------------------------------

    def inline_Text(self, node: t.Text) -> str:
        return escape(node.text, quote=False)

    def inline_SoftBreak(self, node: t.SoftBreak) -> str:
        return "\n"

    def inline_LineBreak(self, node: t.LineBreak) -> str:
        return "<br>\n"

    def inline_Emph(self, node: t.Emph) -> str:
        return f"<em>{self.text(node.children)}</em>"

    def inline_Strong(self, node: t.Strong) -> str:
        return f"<strong>{self.text(node.children)}</strong>"

    def inline_Strike(self, node: t.Strike) -> str:
        return f"<del>{self.text(node.children)}</del>"

    def inline_Code(self, node: t.Code) -> str:
        return f"<code>{escape(node.text)}</code>"

    def inline_Link(self, node: t.Link) -> str:
        title = f' title="{escape(node.title)}"' if node.title else ""
        self.links.add(node.url)
        return f'<a href="{escape(node.url)}"{title}>{self.text(node.children)}</a>'

    def inline_Image(self, node: t.Image) -> str:
        return self._img(node)

    def _img(self, node: t.Image, css_class: str = "") -> str:
        src = node.src
        if node.data is not None:
            src = f"data:{node.mime};base64,{base64.b64encode(node.data).decode('ascii')}"
        size = f' width="{node.width_px}" height="{node.height_px}"' if node.width_px else ""
        classes = f' class="{css_class}"' if css_class else ""
        img = f'<img{classes} src="{escape(src)}" alt="{escape(node.alt)}"{size}>'
        if node.narrow and not self.print_mode:  # a chart drawn for a phone, whose text stays legible there
            phone = f"data:{node.mime};base64,{base64.b64encode(node.narrow).decode('ascii')}"
            return f'<picture><source media="(max-width: {PHONE_WIDTH})" srcset="{escape(phone)}">{img}</picture>'
        return img

    def inline_Span(self, node: t.Span) -> str:
        ident = f' id="{escape(node.attr.id)}"' if node.attr.id else ""
        tag = "sup" if "superscript" in node.attr.classes else "sub" if "subscript" in node.attr.classes else "span"
        return f"<{tag}{ident}{_class_attr(node.attr.classes)}>{self.text(node.children)}</{tag}>"

    def inline_Note(self, node: t.Note) -> str:
        if self.print_mode:
            # WeasyPrint floats this span to the foot of the page (CSS `float: footnote`); inside a
            # paragraph only phrasing content is allowed, so the note's blocks become spans.
            return f'<span class="footnote">{self._phrasing(node.blocks, first_inline=True)}</span>'
        number = len(self.notes) + 1
        body = self.html(node.blocks)
        back = f' <a href="#fnref{number}" class="footnote-back" role="doc-backlink" ' \
               f'aria-label="{label("back-to-reference", number=str(number))}">↩︎</a>'
        body = body[:-5] + back + "</p>\n" if body.endswith("</p>\n") else body + back
        self.notes.append(f'<li id="fn{number}">{body}</li>\n')
        return (f'<a href="#fn{number}" class="footnote-ref" id="fnref{number}" role="doc-noteref">'
                f"<sup>{number}</sup></a>")

    def inline_Changed(self, node: t.Changed) -> str:
        tag = "ins" if node.change.kind == "inserted" else "del"
        return f"<{tag}{_change_attrs(node.change)}>{self.text(node.children)}</{tag}>"

    def inline_Cite(self, node: t.Cite) -> str:
        keys = " ".join(c.key for c in node.citations)
        return f'<span class="citation" data-cites="{escape(keys)}">{self.text(node.children)}</span>'

    def inline_Ref(self, node: t.Ref) -> str:
        return f'<a class="xref" href="#{escape(node.target)}">{self.text(node.children)}</a>'

    def inline_Quantity(self, node: t.Quantity) -> str:
        """A figure from the data says where it came from: its name, base, definition and rows, as data
        attributes for auditors and a title for anyone hovering over it."""
        base = f"; base: {node.base:,}" if node.base is not None else ""
        title = f"{node.name}: {node.definition}; {node.scope}{base}"
        attributes = (f' value="{escape(_machine(node.value))}" data-value="{escape(node.name)}"'
                      f'{_base_attr(node.base)} data-definition="{escape(node.definition)}"'
                      f' data-scope="{escape(node.scope)}" title="{escape(title)}"')
        return f'<data class="figure"{attributes}>{escape(node.text, quote=False)}</data>'

    def inline_Shortcode(self, node: t.Shortcode) -> str:
        raise AssertionError(f"shortcode {node.name} reached the HTML writer unresolved")

    def _phrasing(self, blocks: list[t.Block], first_inline: bool = False) -> str:
        """Render blocks as spans (lists, code, quotes, tables set out line by line) for a print footnote."""
        parts = []
        for index, block in enumerate(blocks):
            if isinstance(block, t.Para | t.Plain | t.Heading):
                text = self.text(block.children)
                parts.append(text if first_inline and index == 0 else f'<span class="fn-block">{text}</span>')
            elif isinstance(block, t.BulletList | t.OrderedList):
                for number, item in enumerate(block.items, getattr(block, "start", 1)):
                    mark = f"{number}." if isinstance(block, t.OrderedList) else "•"
                    parts.append(f'<span class="fn-block fn-item">{mark} {self._phrasing(item.blocks, True)}</span>')
            elif isinstance(block, t.CodeBlock):
                parts.append(f'<span class="fn-block fn-code">{escape(block.text)}</span>')
            elif isinstance(block, t.Table):
                for row in (*block.head, *block.body, *block.foot):
                    cells = " · ".join(self._phrasing(cell.blocks, True) for cell in row.cells)
                    parts.append(f'<span class="fn-block">{cells}</span>')
            elif isinstance(block, t.ChangedBlocks | t.Restyled):
                parts.append(self._phrasing(t.child_blocks(block)[0], first_inline and index == 0))
            elif isinstance(block, t.BlockQuote | t.Div):
                parts.append(f'<span class="fn-block fn-quote">{self._phrasing(block.blocks, True)}</span>')
            elif isinstance(block, t.DefinitionList):
                for entry in block.items:
                    terms = self.text(entry.term)
                    details = " ".join(self._phrasing(d, True) for d in entry.definitions)
                    parts.append(f'<span class="fn-block"><strong>{terms}</strong> {details}</span>')
            elif isinstance(block, t.Figure):
                parts.append(f'<span class="fn-block">{self.text(block.caption) or escape(block.image.alt)}</span>')
        return " ".join(parts)

    def notes_html(self) -> str:
        if not self.notes:
            return ""
        return ('<section class="footnotes" role="doc-endnotes" aria-labelledby="notes-title">\n'
                f'<h2 id="notes-title">{label("notes")}</h2>\n<ol>\n' + "".join(self.notes) + "</ol>\n</section>\n")


def _base_attr(base: int | None) -> str:
    return f' data-base="{base}"' if base is not None else ""


def _change_attrs(change: t.Change) -> str:
    """Say who made a tracked change and when, for anyone hovering over it; anchor it for the summary."""
    ident = f' id="{escape(change.id)}"' if change.id else ""
    when = f' datetime="{escape(change.date)}"' if change.date else ""
    verb = {"inserted": "inserted", "deleted": "deleted", "restyled": "style changed"}[change.kind]
    return f'{ident}{when} title="{escape(verb)} by {escape(change.author)}"'


def _machine(value: object) -> str:
    """Return a figure as the `value` of a <data> element: its exact number, or its text."""
    return repr(value) if isinstance(value, float) else str(value)


def _number_label(word: str, number: str) -> str:
    return f'<span class="label">{label(word)} {number}:</span> '


def _class_attr(classes: list[str]) -> str:
    return f' class="{escape(" ".join(classes))}"' if classes else ""


@dataclass(frozen=True)
class Page:
    """A complete page, not yet checked, with what its check allows: the links its content makes (a link,
    not a fetch) and the URLs of its CSS, which the house stylesheets were checked for when read."""

    html: str
    content_links: frozenset[str]
    checked_css: frozenset[str]

    def refuse_external(self, parsed: Element | None = None) -> None:
        """Refuse the page (through its layout template) if it would make a browser or the PDF fetch
        anything. `parsed` is the page as the renderer parsed it, if it has: the check then looks at what
        the renderer will lay out and spares parsing the page again; else the page is parsed as a browser
        parses it."""
        found = list(external_references(self.html if parsed is None else parsed,
                                         content_links=self.content_links, checked_css=self.checked_css))
        if found:
            shown = "; ".join(found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
            raise fail(f"the page layout makes the page fetch or run something: {shown}; pages may load nothing "
                       "from outside and run no script (use data: URLs, #fragment links, or the house "
                       "stylesheets in assets/styles)", "outside-project", Location(f"templates/{LAYOUT}"))


def page_html(doc: t.Document, ctx: WriteContext, *, print_mode: bool,
              page_numbers: dict[str, int] | None = None) -> str:
    """Return the complete page, checked: layout template, inline CSS, cover, body and notes; in print,
    the contents show `page_numbers` (anchor id -> page)."""
    page = build_page(doc, ctx, print_mode=print_mode, page_numbers=page_numbers)
    page.refuse_external()
    return page.html


def build_page(doc: t.Document, ctx: WriteContext, *, print_mode: bool,
               page_numbers: dict[str, int] | None = None) -> Page:
    """Return the complete page as `page_html` does, unchecked: whoever renders it must call
    `refuse_external` first."""
    body = HtmlBody(print_mode, page_numbers)
    cover = body.html(doc.meta.cover)
    abstract = body.html(doc.meta.abstract)  # before the body, so notes are numbered in reading order
    main = body.html(doc.blocks)
    styles = STYLES + (PRINT_STYLES if print_mode else SCREEN_STYLES)
    css = "\n".join(read_stylesheet(ctx, name) for name in styles) + _layout_css(doc.meta)
    if print_mode:
        fonts = (ctx.assets / "fonts").as_uri()
        for quote in ("", '"', "'"):
            css = css.replace(f"url({quote}fonts/", f"url({quote}{fonts}/")
    env = make_environment(ctx.fs, autoescape=True)
    created = dt.datetime.fromtimestamp(ctx.epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    context = {
        "meta": doc.meta,
        "body": Markup(main),
        "abstract": Markup(abstract),
        "cover": Markup(cover),
        "notes": Markup(body.notes_html()),
        "css": Markup(css),
        "created": created,
        "print_mode": print_mode,
        "labels": LABELS,
        "description": plain_text(_first_para(doc.meta.abstract)),
    }
    return Page(render_template(env, ctx.fs, LAYOUT, context), frozenset(body.links),
                frozenset(url for url, _line in urls(css)))


def _layout_css(meta: t.Meta) -> str:
    """Return CSS for a journal profile's spacing and type size; paragraph numbers stand in for line
    numbers in the PDF, which WeasyPrint cannot number line by line (the DOCX has true line numbers)."""
    layout = meta.layout
    rules = []
    if "font_size" in layout:
        rules.append(f"main, .abstract {{ font-size: {float(layout['font_size'])}pt; }}")  # type: ignore[arg-type]
    if "line_spacing" in layout:
        rules.append(f"main p, main li, .abstract p {{ line-height: {1.2 * float(layout['line_spacing']):.2f}; }}")  # type: ignore[arg-type]
    if layout.get("line_numbers"):
        rules.append("main { counter-reset: para; } main p { counter-increment: para; position: relative; }"
                     " main p::before { content: counter(para); position: absolute; left: -12mm;"
                     " width: 9mm; text-align: right; font-size: 7pt; color: #505a5f; }")
    return "\n" + "\n".join(rules) if rules else ""


def _first_para(blocks: list[t.Block]) -> list[t.Inline]:
    for block in t.walk(blocks):
        if isinstance(block, t.Para | t.Plain):
            return block.children
    return []


def write_html(doc: t.Document, ctx: WriteContext) -> WriteResult:
    return WriteResult(page_html(doc, ctx, print_mode=False).encode("utf-8"))
