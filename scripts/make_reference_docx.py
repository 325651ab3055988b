"""Make assets/reference.docx, the house style every DOCX is built on.

Run once and commit the result; designers may then restyle the file in Word
(keep the style names and the named list definitions). Rerun only to
start the house style again from scratch.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

INK, ACCENT, MUTED, TEAL, WARN = "1D1D1B", "12436D", "505A5F", "28A197", "801650"
TEAL_TEXT = "006F66"  # turquoise for text: TEAL is 3.2:1 on white, this 5.9:1 (WCAG AA), as in the CSS
FONT, CODE_FONT = "Arial", "Courier New"  # LibreOffice and the PDF show them as Liberation Sans and Mono
# The theme colours Word offers in its palette, and that any style left from python-docx's template uses.
THEME_COLOURS = {"dk2": INK, "accent1": ACCENT, "accent2": TEAL, "accent3": WARN, "accent4": MUTED,
                 "hlink": ACCENT, "folHlink": WARN}
THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
# The text colour a style left from python-docx's template gets for the theme colour it names: each at
# least 4.5:1 on white; a tinted ink (Subtle Emphasis) is the house's muted grey.
THEME_TEXT_COLOURS = {"text1": INK, "dark1": INK, "text2": INK, "dark2": INK, "accent1": ACCENT,
                      "accent2": TEAL_TEXT, "accent3": WARN, "accent4": MUTED, "hyperlink": ACCENT,
                      "followedHyperlink": WARN}
THEME_COLOUR_ATTRS = ("w:themeColor", "w:themeTint", "w:themeShade")


def numbering_xml() -> str:
    def levels(kind: str) -> str:
        out = []
        for i in range(9):
            suffix = ""
            if kind == "bullet":  # the item's text where a numbered item's is, and its continuation's
                text, fmt = "•◦▪"[i % 3], "bullet"
                ind = f'<w:ind w:left="{425 * (i + 1)}" w:hanging="425"/>'
            elif kind == "continue":  # a later paragraph of an item: at the item's indent, with no marker
                text, fmt, suffix = "", "bullet", '<w:suff w:val="nothing"/>'
                ind = f'<w:ind w:left="{425 * (i + 1)}" w:firstLine="0"/>'
            elif kind == "number":
                fmt = "decimal"  # 1. at every level, as HTML and PDF number nested lists
                text = f"%{i + 1}."
                ind = f'<w:ind w:left="{425 * (i + 1)}" w:hanging="425"/>'
            else:
                fmt = "decimal"
                text = ".".join(f"%{j + 1}" for j in range(i + 1))
                ind = f'<w:ind w:left="{709 if i < 2 else 851}" w:hanging="{709 if i < 2 else 851}"/>'
            run = '<w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial"/></w:rPr>' if kind == "bullet" else ""
            out.append(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>{suffix}'
                       f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/><w:pPr>{ind}</w:pPr>{run}</w:lvl>')
        return "".join(out)

    abstract = "".join(
        f'<w:abstractNum w:abstractNumId="{n}"><w:multiLevelType w:val="multilevel"/>'
        f'<w:name w:val="tspdocs-{kind}"/>{levels(kind)}</w:abstractNum>'
        for n, kind in ((1, "bullet"), (2, "number"), (3, "heading"), (4, "continue")))
    nums = "".join(f'<w:num w:numId="{n}"><w:abstractNumId w:val="{n}"/></w:num>' for n in (1, 2, 3))
    return f"<w:numbering {nsdecls('w')}>{abstract}{nums}</w:numbering>"


APP_XML = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           "<Template>reference.docx</Template><Application>tspdocs</Application><DocSecurity>0</DocSecurity>"
           "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
           "<HyperlinksChanged>false</HyperlinksChanged></Properties>")


FONT_TABLE = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts {nsdecls("w")}>'
              f'<w:font w:name="{FONT}"><w:panose1 w:val="020B0604020202020204"/><w:charset w:val="00"/>'
              '<w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>'
              f'<w:font w:name="{CODE_FONT}"><w:panose1 w:val="02070309020205020404"/><w:charset w:val="00"/>'
              '<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font></w:fonts>')


def house_theme(xml: str) -> str:
    """Return the theme with the house fonts as its major and minor fonts and the house colours.

    Word resolves a style's theme font through the theme, so Calibri and Cambria here would reach any
    text whose style names a theme font; with the house fonts as the theme's, nothing else can.
    """
    xml = re.sub(r"(<a:(?:major|minor)Font>\s*<a:latin typeface=)\"[^\"]*\"", rf'\1"{FONT}"', xml)
    xml = re.sub(r'\s*<a:font script="[^"]*" typeface="[^"]*"/>', "", xml)  # Calibri's per-script fonts
    for slot, colour in THEME_COLOURS.items():
        xml = re.sub(rf"(<a:{slot}>\s*<a:srgbClr val=)\"[0-9A-F]{{6}}\"", rf'\1"{colour}"', xml)
    return xml.replace('name="Office Theme"', 'name="tspdocs"').replace('name="Office"', 'name="tspdocs"')


def strip_theme_fonts(styles_element) -> None:
    """Remove every theme-font attribute, which Word and LibreOffice let win over the named font."""
    for fonts in styles_element.iter(qn("w:rFonts")):
        for attr in THEME_FONT_ATTRS:
            fonts.attrib.pop(qn(attr), None)


def house_text_colours(styles_element) -> None:
    """Give every style that names a theme colour the house text colour for it, and drop the theme
    reference, which Word lets win: python-docx's template colours Intense Quote and the heading
    characters 4F81BD (4.0:1 on white) and tints Subtle Emphasis to 808080 (3.9:1)."""
    for colour in styles_element.iter(qn("w:color")):
        slot = colour.get(qn("w:themeColor"))
        if slot is None:
            continue
        tinted = colour.get(qn("w:themeTint")) is not None
        colour.set(qn("w:val"), MUTED if tinted else THEME_TEXT_COLOURS.get(slot, INK))
        for attr in THEME_COLOUR_ATTRS:
            colour.attrib.pop(qn(attr), None)


def modern_settings(settings) -> None:
    """Open in Word's current layout, not "Compatibility Mode" (Word 2010's, which python-docx's template
    asks for and which sets every table's border outside the margin), with British theme-font language."""
    for setting in settings.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:val"), "en-GB")
        lang.attrib.pop(qn("w:eastAsia"), None)


def table_style(style_id: str, name: str, body: str) -> str:
    return (f'<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="{style_id}">'
            f'<w:name w:val="{name}"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="40"/>'
            f"<w:qFormat/>{body}</w:style>")


DATA_TABLE = table_style("DataTable", "Data Table", f"""
<w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
<w:rPr><w:sz w:val="19"/></w:rPr>
<w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:color="B1B4B6"/>
<w:bottom w:val="single" w:sz="8" w:color="{ACCENT}"/>
<w:insideH w:val="single" w:sz="4" w:color="B1B4B6"/></w:tblBorders>
<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="85" w:type="dxa"/><w:bottom w:w="40" w:type="dxa"/>
<w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr>
<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:color w:val="{ACCENT}"/></w:rPr><w:tblPr/>
<w:trPr><w:tblHeader/></w:trPr>
<w:tcPr><w:tcBorders><w:bottom w:val="single" w:sz="12" w:color="{ACCENT}"/></w:tcBorders>
<w:shd w:val="clear" w:color="auto" w:fill="EEF3F8"/></w:tcPr></w:tblStylePr>
<w:tblStylePr w:type="lastRow"><w:rPr><w:b/></w:rPr><w:tblPr/><w:tcPr><w:tcBorders>
<w:top w:val="single" w:sz="12" w:color="{ACCENT}"/></w:tcBorders></w:tcPr></w:tblStylePr>
<w:tblStylePr w:type="firstCol"><w:rPr><w:b/></w:rPr></w:tblStylePr>
""")

CALLOUT_BOX = table_style("CalloutBox", "Callout Box", f"""
<w:tblPr><w:tblBorders><w:top w:val="single" w:sz="8" w:color="{ACCENT}"/>
<w:left w:val="single" w:sz="36" w:color="{ACCENT}"/><w:bottom w:val="single" w:sz="8" w:color="{ACCENT}"/>
<w:right w:val="single" w:sz="8" w:color="{ACCENT}"/></w:tblBorders>
<w:tblCellMar><w:top w:w="142" w:type="dxa"/><w:left w:w="198" w:type="dxa"/><w:bottom w:w="113" w:type="dxa"/>
<w:right w:w="198" w:type="dxa"/></w:tblCellMar></w:tblPr>
<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="EEF3F8"/></w:tcPr>
""")


def paragraph_style(styles, name: str, *, base: str = "Normal", size: float | None = None, bold: bool = False,
                    italic: bool = False, color: str | None = None, before: float = 0, after: float = 6,
                    left: float = 0, hanging: float = 0, keep: bool = False, align=None, font: str | None = None):
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    _forget_template_look(style.element)
    style.base_style = styles[base] if name != base else None
    style.quick_style = True
    font_ = style.font
    font_.name = font or FONT
    if size:
        font_.size = Pt(size)
    font_.bold = bold or None
    font_.italic = italic or None
    if color:
        font_.color.rgb = RGBColor.from_string(color)
    fmt = style.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if left or hanging:
        fmt.left_indent = Cm(left)
        fmt.first_line_indent = Cm(-hanging) if hanging else None
    if keep:
        fmt.keep_with_next = True
    if align is not None:
        fmt.alignment = align
    return style


def _forget_template_look(style) -> None:
    """Drop python-docx's look for a style (fonts, theme colours, the Title's rule, US-Letter tab stops),
    keeping what makes it a heading (outline level, keep lines), so only the house look is left."""
    if style.rPr is not None:
        style.remove(style.rPr)
    if style.pPr is not None:
        for tag in ("w:pBdr", "w:contextualSpacing", "w:tabs"):
            for old in style.pPr.findall(qn(tag)):
                style.pPr.remove(old)


def character_style(styles, style_name: str, **props):
    try:
        style = styles[style_name]
    except KeyError:
        style = styles.add_style(style_name, WD_STYLE_TYPE.CHARACTER)
    for key, value in props.items():
        if key == "color":
            style.font.color.rgb = RGBColor.from_string(value)
        else:
            setattr(style.font, key, value)
    return style


def border(style, side: str, size: int, color: str, space: int = 4) -> None:
    p_pr = style.element.get_or_add_pPr()
    pbdr = p_pr.find(qn("w:pBdr"))
    if pbdr is None:
        pbdr = parse_xml(f"<w:pBdr {nsdecls('w')}/>")
        p_pr.append(pbdr)
    pbdr.append(parse_xml(f'<w:{side} {nsdecls("w")} w:val="single" w:sz="{size}" w:space="{space}" '
                          f'w:color="{color}"/>'))


def shade(style, fill: str) -> None:
    style.element.get_or_add_pPr().append(
        parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>'))


def build(out: Path) -> None:
    document = docx.Document()
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rel_id)
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype in (RT.CUSTOM_XML, "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"):
            document.part.rels.pop(rel_id)

    numbering = document.part.numbering_part
    numbering._element = parse_xml(numbering_xml())
    modern_settings(document.settings.element)

    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin, section.bottom_margin = Cm(2.4), Cm(2.4)
    section.header_distance = section.footer_distance = Cm(1.1)

    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for old in defaults.findall(qn("w:lang")):
        defaults.remove(old)
    defaults.append(parse_xml(f'<w:lang {nsdecls("w")} w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/>'))
    fonts = defaults.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)

    normal = paragraph_style(styles, "Normal", size=10.5, color=INK, after=6)
    normal.paragraph_format.line_spacing = 1.15
    paragraph_style(styles, "Body Text", after=8)
    # Table cells: a paragraph style's size wins over the table style's, so the cells' size is set here.
    compact = paragraph_style(styles, "Compact", size=9.5, after=1)
    compact.paragraph_format.line_spacing = 1.0
    paragraph_style(styles, "Spacer", after=0, size=4)
    paragraph_style(styles, "Title", size=28, bold=True, color=ACCENT, before=24, after=10)
    paragraph_style(styles, "Subtitle", size=15, color=MUTED, after=12)
    for level, size, before in ((1, 18, 20), (2, 14, 14), (3, 12, 12), (4, 11, 10)):
        heading = paragraph_style(styles, f"Heading {level}", size=size, bold=True, color=ACCENT,
                                  before=before, after=6, keep=True)
        heading.font.italic = None
    for name in ("List Bullet", "List Number"):
        for _level, suffix in ((0, ""), (1, " 2"), (2, " 3")):
            paragraph_style(styles, name + suffix, base="Body Text", after=3)
    for level, suffix in ((1, ""), (2, " 2"), (3, " 3")):
        paragraph_style(styles, "List Continue" + suffix, base="Body Text", left=0.75 * level, after=4)
    paragraph_style(styles, "Quote", base="Body Text", italic=True, color=MUTED, left=1.0)
    paragraph_style(styles, "Caption", size=9.5, bold=True, color=INK, before=6, after=4)
    paragraph_style(styles, "Figure", before=6, after=2, align=WD_ALIGN_PARAGRAPH.CENTER, keep=True)
    paragraph_style(styles, "Table Note", size=8.5, color=MUTED, after=2)
    paragraph_style(styles, "Footnote Text", size=8.5, after=0)
    paragraph_style(styles, "Source Code", font=CODE_FONT, size=9, after=6)
    paragraph_style(styles, "Definition Term", bold=True, after=1, keep=True)
    paragraph_style(styles, "Definition", base="Body Text", left=0.75)
    paragraph_style(styles, "Bibliography", base="Body Text", left=0.75, hanging=0.75, after=5)
    paragraph_style(styles, "TOC Heading", size=16, bold=True, color=ACCENT, before=12, after=10)
    for level in (1, 2, 3):
        toc = paragraph_style(styles, f"TOC {level}", left=0.0 if level == 1 else 1.0 * (level - 1),
                              after=3, bold=level == 1)
        toc.paragraph_format.tab_stops.add_tab_stop(Cm(1.0 * level))
    paragraph_style(styles, "Table of Figures", after=3)
    paragraph_style(styles, "Cover Logo", after=6)
    paragraph_style(styles, "Cover Organisation", size=12, bold=True, color=ACCENT, after=36)
    paragraph_style(styles, "Cover Audience", size=11, bold=True, color=TEAL_TEXT, after=4)
    paragraph_style(styles, "Cover Details", size=11, color=MUTED, after=4)
    paragraph_style(styles, "Draft Mark", size=11, bold=True, color=WARN, before=12)
    notice = paragraph_style(styles, "Notice", size=9, color=INK, before=24, left=0.45)  # bar on the margin
    border(notice, "left", 24, WARN, 8)
    shade(notice, "F8EEF3")
    paragraph_style(styles, "Key Message", base="Body Text", bold=True, color=ACCENT, after=4)
    paragraph_style(styles, "Finding Meta", size=8.5, color=MUTED, after=6)
    paragraph_style(styles, "Callout Title", bold=True, color=ACCENT, after=4, keep=True)
    paragraph_style(styles, "Callout Text", after=4)
    rule = paragraph_style(styles, "Horizontal Rule", after=6, size=4)
    border(rule, "bottom", 6, "B1B4B6", 1)
    text_width = section.page_width - section.left_margin - section.right_margin
    for name in ("Header", "Footer"):  # one right tab at the text's edge: "title <tab> DRAFT"
        style = paragraph_style(styles, name, size=8, color=MUTED, after=0)
        style.paragraph_format.tab_stops.add_tab_stop(text_width, alignment=WD_TAB_ALIGNMENT.RIGHT)

    character_style(styles, "Footnote Reference", superscript=True)
    character_style(styles, "Hyperlink", color=ACCENT, underline=True)
    character_style(styles, "Verbatim Char", name=CODE_FONT, size=Pt(9.5))
    character_style(styles, "Strong", bold=True)
    character_style(styles, "Emphasis", italic=True)

    keep = {"Normal Table", "Table Grid"}
    for style in list(styles.element.findall(qn("w:style"))):
        name = style.find(qn("w:name"))
        if style.get(qn("w:type")) == "table" and name is not None and name.get(qn("w:val")) not in keep:
            styles.element.remove(style)  # python-docx's template carries 140 table styles nobody uses
    for xml in (DATA_TABLE, CALLOUT_BOX):
        styles.element.append(parse_xml(xml))
    strip_theme_fonts(styles.element)
    house_text_colours(styles.element)

    for part in package.iter_parts():
        if part.partname == "/docProps/app.xml":
            part._blob = APP_XML.encode("utf-8")
        elif part.partname == "/word/theme/theme1.xml":
            part._blob = house_theme(part.blob.decode("utf-8")).encode("utf-8")
        elif part.partname == "/word/fontTable.xml":
            part._blob = FONT_TABLE.encode("utf-8")
    core = document.core_properties
    core.title, core.author, core.last_modified_by, core.comments = "tspdocs reference", "", "", ""
    core.keywords = core.subject = core.category = ""
    core.revision = 1
    _clear_body(document)
    document.save(out)


def _clear_body(document) -> None:
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "assets/reference.docx")
    build(target)
    print(f"wrote {target}")
