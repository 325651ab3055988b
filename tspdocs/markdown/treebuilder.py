"""Turn markdown-it tokens into the document tree, keeping each node's file and line.

One `_block_<type>` method per token type, collected into a table, as
MyST-Parser does; a token type nobody handles is reported, not crashed on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from markdown_it.token import Token
from mdit_py_plugins.attrs.parse import ParseError

from .. import tree as t
from ..errors import Location, Problems
from ..tree import plain_text
from . import parse
from .attributes import parse_attributes
from .typography import CAPTION as _CAPTION
from .typography import TRAILING_ATTR as _TRAILING_ATTR

REF_KINDS = ("sec", "tbl", "fig")


# Deeper than any writing needs, and shallow enough that every recursive walk of the tree (writers, copies)
# stays far inside Python's recursion limit; blocks are limited by markdown-it's maxNesting (100).
MAX_INLINE_NESTING = 50


def build_blocks(text: str, path: str, first_line: int, problems: Problems) -> list[t.Block]:
    """Parse `text` (lines counted from `first_line` of `path`) into tree blocks."""
    return TreeBuilder(path, first_line, problems).build(parse(text))


class TreeBuilder:
    def __init__(self, path: str, first_line: int, problems: Problems) -> None:
        self.path = path
        self.first_line = first_line
        self.problems = problems
        self.notes: dict[int, list[t.Block]] = {}
        self._note_tokens: dict[int, list[Token]] = {}
        self._handlers: dict[str, Callable[[list[Token], int], tuple[t.Block | None, int]]] = {
            name[len("_block_"):]: getattr(self, name) for name in dir(self) if name.startswith("_block_")
        }

    def build(self, tokens: list[Token]) -> list[t.Block]:
        tokens = self._take_footnotes(tokens)
        blocks, _ = self._blocks(tokens, 0, None)
        return blocks

    # Locations ---------------------------------------------------------------

    def loc(self, token: Token | None, extra_lines: int = 0) -> Location:
        if token is None or token.map is None:
            return Location(self.path, None)
        return Location(self.path, self.first_line + token.map[0] + extra_lines)

    # Footnotes ---------------------------------------------------------------

    def _take_footnotes(self, tokens: list[Token]) -> list[Token]:
        """Set aside each footnote's tokens; a note's blocks are built when it is first referred to, so a
        note may itself refer to a later note."""
        if not any(tok.type == "footnote_block_open" for tok in tokens):
            return tokens
        start = next(i for i, tok in enumerate(tokens) if tok.type == "footnote_block_open")
        i = start + 1
        while tokens[i].type == "footnote_open":
            end = i + 1
            depth = 1
            while depth:
                depth += {"footnote_open": 1, "footnote_close": -1}.get(tokens[end].type, 0)
                end += 1
            self._note_tokens[tokens[i].meta["id"]] = tokens[i + 1:end]
            i = end
        return tokens[:start]

    def note(self, note_id: int) -> list[t.Block]:
        if note_id not in self.notes:
            self.notes[note_id] = []  # a note that (wrongly) refers to itself ends here
            self.notes[note_id], _ = self._blocks(self._note_tokens.get(note_id, []), 0, "footnote_close")
        return self.notes[note_id]

    # Blocks ------------------------------------------------------------------

    def _blocks(self, tokens: list[Token], i: int, close: str | None) -> tuple[list[t.Block], int]:
        blocks: list[t.Block] = []
        while i < len(tokens) and tokens[i].type != close:
            token = tokens[i]
            kind = token.type.removesuffix("_open")
            handler = self._handlers.get(kind)
            if handler is None:
                if kind not in ("footnote_anchor",):
                    self.problems.warning(f"unsupported Markdown construct '{token.type}' ignored",
                                          "markdown", self.loc(token))
                i += 1
                continue
            block, i = handler(tokens, i)
            if block is not None:
                blocks.append(block)
        return _attach_captions(blocks, self.problems), i + 1

    def _block_paragraph(self, tokens: list[Token], i: int) -> tuple[t.Block, int]:
        opening, inline = tokens[i], tokens[i + 1]
        children = self.inlines(inline)
        loc = self.loc(opening)
        end = i + 2
        while tokens[end].type != "paragraph_close":  # footnote anchors sit before the close
            end += 1
        figure = _as_figure(children, loc)
        if figure is not None:
            return figure, end + 1
        node: t.Block = t.Plain(children, loc=loc) if opening.hidden else t.Para(children, loc=loc)
        return node, end + 1

    def _block_heading(self, tokens: list[Token], i: int) -> tuple[t.Block, int]:
        opening = tokens[i]
        children = self.inlines(tokens[i + 1])
        attr = _pop_trailing_attr(children, self.problems, self.loc(opening))
        attr = _merge_attr(attr, opening.attrs)
        return t.Heading(int(opening.tag[1]), children, attr, loc=self.loc(opening)), i + 3

    def _block_bullet_list(self, tokens: list[Token], i: int) -> tuple[t.Block, int]:
        opening = tokens[i]
        items, tight, i = self._list_items(tokens, i + 1, "bullet_list_close")
        return t.BulletList(items, tight, loc=self.loc(opening)), i

    def _block_ordered_list(self, tokens: list[Token], i: int) -> tuple[t.Block, int]:
        opening = tokens[i]
        start = int(opening.attrs.get("start", 1))
        items, tight, i = self._list_items(tokens, i + 1, "ordered_list_close")
        return t.OrderedList(items, start, tight, loc=self.loc(opening)), i

    def _list_items(self, tokens: list[Token], i: int, close: str) -> tuple[list[t.ListItem], bool, int]:
        items: list[t.ListItem] = []
        tight = True
        while tokens[i].type != close:
            opening = tokens[i]
            tight = tight and not any(tok.type == "paragraph_open" and not tok.hidden
                                      for tok in _until_close(tokens, i))
            blocks, i = self._blocks(tokens, i + 1, "list_item_close")
            _mark_task(blocks)
            items.append(t.ListItem(blocks, loc=self.loc(opening)))
        return items, tight, i + 1

    def _block_blockquote(self, tokens: list[Token], i: int) -> tuple[t.Block, int]:
        blocks, end = self._blocks(tokens, i + 1, "blockquote_close")
        return t.BlockQuote(blocks, loc=self.loc(tokens[i])), end

    def _block_fence(self, tokens: list[Token], i: int) -> tuple[t.Block, int]:
        token = tokens[i]
        info = token.info.strip()
        directive = re.match(r"^\{([A-Za-z][\w-]*)\}\s*(.*)$", info)
        if directive:
            body_line = self.first_line + token.map[0] + 1 if token.map else 0
            return t.Directive(directive[1], directive[2].strip(), token.content, body_line,
                               loc=self.loc(token)), i + 1
        if info.startswith("{"):  # Pandoc's ```{.python .numberLines}: the first class is the language
            try:
                classes = parse_attr_text(info).classes
            except ParseError as exc:
                self.problems.error(f"cannot read the code block's attributes {info!r}: {exc}", "attributes",
                                    self.loc(token))
                classes = []
            language = classes[0] if classes else ""
        else:
            language = info.split()[0] if info else ""
        return t.CodeBlock(token.content.rstrip("\n"), language, loc=self.loc(token)), i + 1

    def _block_code_block(self, tokens: list[Token], i: int) -> tuple[t.Block, int]:
        return t.CodeBlock(tokens[i].content.rstrip("\n"), loc=self.loc(tokens[i])), i + 1

    def _block_hr(self, tokens: list[Token], i: int) -> tuple[t.Block, int]:
        return t.Rule(loc=self.loc(tokens[i])), i + 1

    def _block_container_div(self, tokens: list[Token], i: int) -> tuple[t.Block, int]:
        opening = tokens[i]
        attr = _div_attr(opening.info, self.problems, self.loc(opening))
        if opening.meta.get("closed") is False:
            self.problems.error(f"the {opening.markup} opened here is never closed; add a line with "
                                f"{opening.markup} after the block", "unclosed-div", self.loc(opening))
        blocks, end = self._blocks(tokens, i + 1, "container_div_close")
        return t.Div(blocks, attr, loc=self.loc(opening)), end

    def _block_dl(self, tokens: list[Token], i: int) -> tuple[t.Block, int]:
        opening = tokens[i]
        items: list[t.DefinitionItem] = []
        i += 1
        while tokens[i].type != "dl_close":
            if tokens[i].type == "dt_open":
                items.append(t.DefinitionItem(self.inlines(tokens[i + 1]), [], loc=self.loc(tokens[i])))
                i += 3
            else:
                blocks, i = self._blocks(tokens, i + 1, "dd_close")
                items[-1].definitions.append(blocks)
        return t.DefinitionList(items, loc=self.loc(opening)), i + 1

    def _block_table(self, tokens: list[Token], i: int) -> tuple[t.Block, int]:
        opening = tokens[i]
        head: list[t.Row] = []
        body: list[t.Row] = []
        rows = head
        aligns: list[t.Align] = []
        i += 1
        while tokens[i].type != "table_close":
            kind = tokens[i].type
            if kind == "tbody_open":
                rows = body
            elif kind == "tr_open":
                rows.append(t.Row([]))
            elif kind in ("th_open", "td_open"):
                align = _align(str(tokens[i].attrs.get("style", "")))
                if rows is head:
                    aligns.append(align)
                cell_line = tokens[i + 1]
                rows[-1].cells.append(t.Cell([t.Plain(self.inlines(cell_line), loc=self.loc(cell_line))], align))
                i += 2
            i += 1
        columns = [t.Column(align) for align in aligns]
        attr = _merge_attr(t.Attr(), opening.attrs)
        return t.Table(columns, head, body, attr=attr, loc=self.loc(opening)), i + 1

    def _block_grid_table(self, tokens: list[Token], i: int) -> tuple[t.Block, int]:
        """Build a grid table: its cells hold blocks, and a cell of one paragraph holds it as Plain, as
        Pandoc's do."""
        opening = tokens[i]
        aligns = [_ALIGNS.get(a) for a in opening.meta["aligns"]]
        rows: list[t.Row] = []
        i += 1
        while tokens[i].type != "grid_table_close":
            if tokens[i].type == "grid_row_open":
                rows.append(t.Row([]))
                i += 1
            elif tokens[i].type == "grid_cell_open":
                blocks, i = self._blocks(tokens, i + 1, "grid_cell_close")
                if len(blocks) == 1 and isinstance(blocks[0], t.Para):
                    blocks = [t.Plain(blocks[0].children, loc=blocks[0].loc)]
                rows[-1].cells.append(t.Cell(blocks, aligns[len(rows[-1].cells)]))
            else:
                i += 1
        head = int(opening.meta["head"])
        return t.Table([t.Column(a) for a in aligns], rows[:head], rows[head:], loc=self.loc(opening)), i + 1

    def _block_refused(self, tokens: list[Token], i: int) -> tuple[None, int]:
        """Report syntax the parser recognised and refuses (refused_syntax.py, grid_table_syntax.py) or
        doubts (footnote_checks.py)."""
        self._report(tokens[i].meta, self.loc(tokens[i]))
        return None, i + 1

    def _report(self, meta: Mapping[str, str], loc: Location) -> None:
        report = self.problems.warning if meta.get("level") == "warning" else self.problems.error
        report(meta["message"], meta["code"], loc)

    def _block_shortcode_block(self, tokens: list[Token], i: int) -> tuple[t.Block | None, int]:
        token = tokens[i]
        name, args = token.meta["name"], token.meta["args"]
        loc = self.loc(token)
        words = [a for a in args if "=" not in a]
        options = dict(a.split("=", 1) for a in args if "=" in a)
        if name == "include" and len(words) == 1:
            level = options.get("level", "1")
            if not (level.isdigit() and 1 <= int(level) <= 6):
                self.problems.error(f"include level must be a heading level from 1 to 6, not {level!r}",
                                    "shortcode", loc)
                return None, i + 1
            return t.Include(words[0], int(level), options, loc=loc), i + 1
        if name in ("contents", "list-of-tables", "list-of-figures"):
            kind = {"contents": "sections", "list-of-tables": "tables", "list-of-figures": "figures"}[name]
            depth = options.get("depth", "2")
            if not (depth.isdigit() and 1 <= int(depth) <= 6):
                self.problems.error(f"contents depth must be from 1 to 6, not {depth!r}", "shortcode", loc)
                return None, i + 1
            return t.Contents(kind, options.get("title", ""), depth=int(depth), loc=loc), i + 1  # type: ignore[arg-type]
        if name == "bibliography":
            return t.Bibliography(options.get("title", ""), loc=loc), i + 1
        if name == "pagebreak":
            return t.PageBreak(loc=loc), i + 1
        if name == "figures-appendix":  # filled once every figure is known (prepare/figures.py)
            return t.Div([], t.Attr("", ["figures-appendix"]), loc=loc), i + 1
        if name in ("value", "meta"):
            return t.Para([t.Shortcode(name, args, loc=loc)], loc=loc), i + 1
        self.problems.error(f"unknown block shortcode '{name}'; use include, contents, list-of-tables, "
                            "list-of-figures, bibliography, figures-appendix or pagebreak", "shortcode", loc)
        return None, i + 1

    # Inlines -----------------------------------------------------------------

    def inlines(self, token: Token) -> list[t.Inline]:
        """Convert an `inline` token's children, tracking the line through soft breaks."""
        root: list[t.Inline] = []
        stack: list[tuple[t.Inline, list[t.Inline]]] = []
        current = root
        line = 0
        flattened = 0  # openings past MAX_INLINE_NESTING, whose contents stay at the deepest level allowed
        for child in token.children or []:
            loc = self.loc(token, line)
            kind = child.type
            if kind.endswith("_open") and len(stack) >= MAX_INLINE_NESTING:
                if not flattened:
                    self.problems.error(f"emphasis, links and spans are nested more than {MAX_INLINE_NESTING} "
                                        "levels deep here; simplify the markup", "nesting", loc)
                flattened += 1
            elif kind.endswith("_close") and flattened:
                flattened -= 1
            elif kind in ("softbreak", "hardbreak"):
                line += 1
                current.append(t.SoftBreak(loc=loc) if kind == "softbreak" else t.LineBreak(loc=loc))
            elif kind in ("text", "attr_text"):  # attr_text: a trailing {...} the typographer left alone
                current.append(t.Text(child.content, loc=loc))
            elif kind == "code_inline":
                current.append(t.Code(child.content, loc=loc))
            elif kind.endswith("_open"):
                node = _open_inline(kind[:-5], child, loc)
                current.append(node)
                stack.append((node, current))
                current = node.children  # type: ignore[attr-defined]
            elif kind.endswith("_close"):
                _node, current = stack.pop()
            elif kind == "image":
                current.append(_image(child, self, loc))
            elif kind == "footnote_ref":
                current.append(t.Note(self.note(child.meta["id"]), loc=loc))
            elif kind == "cite":
                current.append(_cite(child.meta, loc))
            elif kind == "shortcode":
                current.append(t.Shortcode(child.meta["name"], child.meta["args"], loc=loc))
            elif kind == "refused_inline":  # reported, and kept as written until the author rewrites it
                self._report(child.meta, loc)
                current.append(t.Text(child.content, loc=loc))
            else:
                self.problems.warning(f"unsupported inline Markdown '{kind}' ignored", "markdown", loc)
        return root


def _until_close(tokens: list[Token], i: int) -> list[Token]:
    depth, j = 0, i
    while True:
        depth += tokens[j].nesting
        if depth == 0:
            return tokens[i:j + 1]
        j += 1


_TASK = re.compile(r"\[([ xX])\] ")


def _mark_task(blocks: list[t.Block]) -> None:
    """Write a task list item's `[ ]` or `[x]` as a box, □ or ■, in every format. Pandoc writes ☐ and ☒,
    which the bundled Liberation fonts (and Arial) lack: a PDF would fall back to whatever font is installed."""
    first = blocks[0] if blocks else None
    if isinstance(first, t.Para | t.Plain) and first.children and isinstance(first.children[0], t.Text):
        text = first.children[0]
        match = _TASK.match(text.text)
        if match:
            text.text = ("\u25a1 " if match[1] == " " else "\u25a0 ") + text.text[match.end():]


def _open_inline(kind: str, token: Token, loc: Location) -> t.Inline:
    if kind == "em":
        return t.Emph([], loc=loc)
    if kind == "strong":
        return t.Strong([], loc=loc)
    if kind == "s":
        return t.Strike([], loc=loc)
    if kind in ("sub", "sup"):  # Pandoc's ~sub~ and ^sup^: the writers already know these span classes
        return t.Span([], t.Attr(classes=["subscript" if kind == "sub" else "superscript"]), loc=loc)
    if kind == "link":
        return t.Link(str(token.attrs.get("href", "")), [], str(token.attrs.get("title", "")), loc=loc)
    return t.Span([], _merge_attr(t.Attr(), token.attrs), loc=loc)


def _image(token: Token, builder: TreeBuilder, loc: Location) -> t.Image:
    attrs = dict(token.attrs)
    caption = builder.inlines(token)
    alt = str(attrs.pop("fig-alt", "")) or plain_text(caption)
    attr = _merge_attr(t.Attr(), {k: v for k, v in attrs.items() if k not in ("src", "alt", "title")})
    return t.Image(str(attrs.get("src", "")), alt, caption, str(attrs.get("title", "")), attr, loc=loc)


def _cite(meta: dict[str, object], loc: Location) -> t.Inline:
    citations = meta["citations"]
    source = str(meta["source"])
    assert isinstance(citations, list)
    first = citations[0]
    kind = first.key.split(":", 1)[0] if ":" in first.key else ""
    if kind.lower() in REF_KINDS and len(citations) == 1:
        return t.Ref(first.key, kind=kind, loc=loc)  # type: ignore[arg-type]
    return t.Cite(citations, source, loc=loc)


def _as_figure(children: list[t.Inline], loc: Location) -> t.Figure | None:
    """Return a Figure when a paragraph holds one image and nothing else (Pandoc's implicit figure)."""
    content = [c for c in children if not (isinstance(c, t.Text) and not c.text.strip())]
    if len(content) != 1 or not isinstance(content[0], t.Image):
        return None
    image = content[0]
    return t.Figure(image, image.children, t.Attr(image.attr.id, image.attr.classes, {}), loc=loc)


_ALIGNS: dict[str, t.Align] = {"left": "left", "right": "right", "center": "center"}


def _align(style: str) -> t.Align:
    match = re.search(r"text-align:\s*(left|right|center)", style)
    return _ALIGNS[match[1]] if match else None


def _merge_attr(attr: t.Attr, attrs: Mapping[str, object]) -> t.Attr:
    for key, value in attrs.items():
        if key == "id":
            attr.id = str(value)
        elif key == "class":
            attr.classes.extend(str(value).split())
        else:
            attr.values[key] = str(value)
    return attr


def parse_attr_text(text: str) -> t.Attr:
    """Parse Pandoc attributes `{#id .class key=value}`, where `-` alone means `.unnumbered`."""
    inner = text.strip()
    if inner.startswith("{") and inner.endswith("}"):
        inner = inner[1:-1]
    words = inner.split()
    unnumbered = "-" in words
    inner = " ".join(w for w in words if w != "-")
    values = parse_attributes(inner)
    attr = _merge_attr(t.Attr(), values)
    if unnumbered:
        attr.classes.append("unnumbered")
    return attr


def _pop_trailing_attr(children: list[t.Inline], problems: Problems, loc: Location) -> t.Attr:
    if not children or not isinstance(children[-1], t.Text):
        return t.Attr()
    last = children[-1]
    match = _TRAILING_ATTR.search(last.text)
    if not match:
        return t.Attr()
    try:
        attr = parse_attr_text(match[1])
    except ParseError as exc:
        problems.error(f"cannot read the attributes {match[1]!r}: {exc}", "attributes", loc)
        before = children[-2] if len(children) > 1 else None
        if isinstance(before, t.Text):  # join the text the typographer was kept from back on
            before.text += last.text
            children.pop()
        return t.Attr()
    last.text = last.text[:match.start()]
    if not last.text:
        children.pop()
    return attr


def _div_attr(info: str, problems: Problems, loc: Location) -> t.Attr:
    """Read a fenced div's opening: `{.callout-note #id audience="dh"}` or a bare class name."""
    text = info.strip()
    if text.startswith("{"):
        try:
            return parse_attr_text(text)
        except ParseError as exc:
            problems.error(f"cannot read the div attributes {text!r}: {exc}", "attributes", loc)
            return t.Attr()
    return t.Attr(classes=text.split())


def _attach_captions(blocks: list[t.Block], problems: Problems) -> list[t.Block]:
    """Move a `Table: caption {#tbl:id}` paragraph that follows a table into the table."""
    out: list[t.Block] = []
    for block in blocks:
        previous = out[-1] if out else None
        if (isinstance(previous, t.Table) and not previous.caption and isinstance(block, t.Para)
                and block.children and isinstance(block.children[0], t.Text)
                and _CAPTION.match(block.children[0].text)):
            first = block.children[0]
            first.text = _CAPTION.sub("", first.text, count=1)
            attr = _pop_trailing_attr(block.children, problems, block.loc or Location(""))
            if attr.id:
                previous.attr.id = attr.id
            previous.attr.classes.extend(attr.classes)
            previous.attr.values.update(attr.values)
            previous.caption = block.children
            continue
        out.append(block)
    return out
