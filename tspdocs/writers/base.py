"""What every writer shares: dispatch over the tree, and the context a write needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..project.projectfs import ProjectFS
from ..store.provenance import Provenance

if TYPE_CHECKING:  # PDF workers start before the tree is imported; they never need it
    from .. import tree as t


@dataclass
class WriteContext:
    """The project resources a writer may use: the files under assets/ and templates/."""

    fs: ProjectFS
    epoch: int
    assets: Path = field(init=False)
    provenance: Provenance = field(default_factory=Provenance)  # the commit a DOCX's anchors name

    def __post_init__(self) -> None:
        self.assets = self.fs.root / "assets"


@dataclass
class WriteResult:
    """What a writer returns: the file's bytes and, for paged formats, its page count and where each
    anchor (heading, table, figure) starts, as page index plus the fraction of the page above it, so
    budgets can name the sections that make a briefing too long."""

    data: bytes
    pages: int | None = None
    anchors: dict[str, float] = field(default_factory=dict)
    extras: dict[str, bytes] = field(default_factory=dict)  # files beside it, by path under build/


def contents_pages(doc: t.Document, anchors: dict[str, float]) -> dict[str, int]:
    """Return the page (counting from 1, as the page counter does) each of the document's contents
    entries points to, from a layout's anchors."""
    from .. import tree as t  # here, not above: PDF workers start before the tree is imported

    targets = {entry.target for block in t.walk(doc.blocks) if isinstance(block, t.Contents)
               for entry in block.entries}
    return {anchor: int(position) + 1 for anchor, position in anchors.items() if anchor in targets}


class Walker:
    """Send each node to the writer's method named for its type (`block_Para`, `inline_Text`).

    A node type a writer lacks a method for is a bug in tspdocs, so it fails
    loudly here rather than dropping content from a published document.
    Any further arguments go to the method unchanged: that is how the DOCX
    writer hands each node the scope it is written in.
    """

    def blocks(self, nodes: list[t.Block], *args: Any) -> None:
        for node in nodes:
            self.block(node, *args)

    def block(self, node: t.Block, *args: Any) -> Any:
        return getattr(self, "block_" + type(node).__name__)(node, *args)

    def inline(self, node: t.Inline, *args: Any) -> Any:
        return getattr(self, "inline_" + type(node).__name__)(node, *args)
