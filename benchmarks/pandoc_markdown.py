"""The content of a prepared tspdocs document as Pandoc Markdown, so that Pandoc is timed on the same work.

Data tables become pipe tables, charts become images (the PNG tspdocs drew, written beside the
Markdown), citations stay citations for `--citeproc` to resolve against the project's BibTeX, and
the contents are left to `--toc`. What Pandoc has no Markdown for (a list of tables or figures,
suppression marks as data) is left out, so the peer's side is if anything the lighter one.
Benchmark code only: tspdocs never converts its tree to Markdown.
"""

from __future__ import annotations

from pathlib import Path

from tspdocs import tree as t
from tspdocs.writers.base import Walker


class PandocMarkdown(Walker):
    """Walk a prepared tree and return Pandoc Markdown; `images` is where chart PNGs are written."""

    def __init__(self, images: Path) -> None:
        self.images = images
        self.out: list[str] = []
        self.count = 0

    def markdown(self, doc: t.Document) -> str:
        self.blocks(doc.meta.abstract)
        self.blocks(doc.blocks)
        return "\n\n".join(self.out) + "\n"

    def text(self, inlines: list[t.Inline]) -> str:
        return "".join(self.inline(node) for node in inlines)

    def nested(self, blocks: list[t.Block]) -> str:
        inner = PandocMarkdown(self.images)
        inner.count = self.count
        inner.blocks(blocks)
        self.count = inner.count
        return "\n\n".join(inner.out)

    def block(self, node: t.Block, *args: object) -> None:
        method = getattr(self, "block_" + type(node).__name__, None)
        if method is not None:
            method(node)
        else:
            for children in t.child_blocks(node):
                self.blocks(children)

    def inline(self, node: t.Inline, *args: object) -> str:
        method = getattr(self, "inline_" + type(node).__name__, None)
        if method is not None:
            return str(method(node))
        return t.plain_text([node])

    def block_Para(self, node: t.Para) -> None:
        self.out.append(self.text(node.children))

    block_Plain = block_Para

    def block_Heading(self, node: t.Heading) -> None:
        self.out.append("#" * node.level + " " + self.text(node.children))

    def block_BulletList(self, node: t.BulletList) -> None:
        self.out.append("\n".join("- " + self._indent(self.nested(item.blocks), 2) for item in node.items))

    def block_OrderedList(self, node: t.OrderedList) -> None:
        self.out.append("\n".join(f"{node.start + i}. " + self._indent(self.nested(item.blocks), 4)
                                  for i, item in enumerate(node.items)))

    def block_BlockQuote(self, node: t.BlockQuote) -> None:
        self.out.append("\n".join("> " + line for line in self.nested(node.blocks).splitlines()))

    def block_CodeBlock(self, node: t.CodeBlock) -> None:
        self.out.append(f"```\n{node.text}\n```")

    def block_Table(self, node: t.Table) -> None:
        rows = [[self._cell(cell) for cell in row.cells] for row in [*node.head, *node.body, *node.foot]]
        if not rows:
            return
        width = max(len(row) for row in rows)
        lines = ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in rows]
        lines.insert(1, "|" + "---|" * width)
        caption = f"\n\nTable: {self.text(node.caption)}" if node.caption else ""
        self.out.append("\n".join(lines) + caption)

    def block_Figure(self, node: t.Figure) -> None:
        image = node.image
        if image.raster:
            self.count += 1
            path = self.images / f"chart-{self.count}.png"
            path.write_bytes(image.raster)
            self.out.append(f"![{self.text(node.caption)}]({path.name}){{width=100%}}")
        for note in node.notes:
            self.block(note)

    def block_Contents(self, node: t.Contents) -> None:
        """Pandoc makes the contents itself, with --toc."""

    def block_Bibliography(self, node: t.Bibliography) -> None:
        """Pandoc puts the references at the end itself, with --citeproc."""

    def _cell(self, cell: t.Cell) -> str:
        return " ".join(self.nested(cell.blocks).split()).replace("|", "\\|")

    @staticmethod
    def _indent(text: str, by: int) -> str:
        return text.replace("\n", "\n" + " " * by)

    def inline_Text(self, node: t.Text) -> str:
        return node.text.replace("*", "\\*").replace("_", "\\_")

    def inline_SoftBreak(self, node: t.SoftBreak) -> str:
        return "\n"

    def inline_Emph(self, node: t.Emph) -> str:
        return f"*{self.text(node.children)}*"

    def inline_Strong(self, node: t.Strong) -> str:
        return f"**{self.text(node.children)}**"

    def inline_Code(self, node: t.Code) -> str:
        return f"`{node.text}`"

    def inline_Link(self, node: t.Link) -> str:
        return f"[{self.text(node.children)}]({node.url})"

    def inline_Note(self, node: t.Note) -> str:
        return "^[" + " ".join(self.nested(node.blocks).split()) + "]"

    def inline_Cite(self, node: t.Cite) -> str:
        return node.source
