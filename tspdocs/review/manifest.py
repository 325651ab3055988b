"""The anchors' contract: what the DOCX writer records for each bookmark, and review reads back.

Each paragraph tspdocs writes for a block is wrapped in a hidden bookmark (`_tsp…`); the manifest says,
per bookmark, which source lines made it, a hash of those lines, the text Word showed and what generated
any part of it (a data value, a citation, a cross-reference). It travels inside the DOCX as a custom XML
part and, keyed by commit, in build/anchors/, so a file whose part an office suite dropped still maps.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

FORMAT = "tspdocs-anchors/1"
NAMESPACE = "urn:tspdocs:anchors"
PREFIX = "_tsp"  # Word hides bookmarks whose names start with an underscore, and keeps them
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass(frozen=True)
class Generated:
    """A piece of a paragraph's text that is not typed in its source: where to change it instead."""

    kind: str  # value | citation | reference | contents | data | front-matter (a field a template printed)
    key: str  # the value's name, the BibTeX key, the label, the data column
    text: str  # as printed
    path: str = ""  # where the label or field is defined (references, contents, front matter); a data directive
    line: int | None = None
    table: str = ""  # for a data cell, the tables.yaml table it shows


@dataclass(frozen=True)
class Anchor:
    """One bookmarked paragraph and the source block it was written for."""

    path: str
    first: int | None
    last: int | None
    block: str  # the tree node's type: Para, Heading, Table (its caption), Contents …
    text: str  # the paragraph's text as written, which is its reject-all text when it comes back
    text_hash: str
    source_hash: str  # of the source lines first..last as they were when built
    generated: tuple[Generated, ...] = ()


@dataclass
class Manifest:
    """Every anchor of one DOCX, and the document and commit it belongs to."""

    document: str  # a stable id of the document (its kind, title and audience)
    title: str
    commit: str  # the short commit it was built from; "" outside git
    dirty: bool
    anchors: dict[str, Anchor] = field(default_factory=dict)

    def to_json(self) -> bytes:
        """Return the manifest as canonical JSON, so a rebuild of the same commit is byte for byte the same."""
        data = {"format": FORMAT, "document": self.document, "title": self.title, "commit": self.commit,
                "dirty": self.dirty, "anchors": {name: {**vars(a), "generated": [vars(g) for g in a.generated]}
                                                 for name, a in self.anchors.items()}}  # asdict copies deeply: slow
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8") + b"\n"

    @classmethod
    def from_json(cls, data: bytes | str) -> Manifest:
        """Read a manifest; ValueError when it is not one (the caller says which file)."""
        raw = json.loads(data)
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} manifest")
        anchors = {name: Anchor(**{**a, "generated": tuple(Generated(**g) for g in a["generated"])})
                   for name, a in raw["anchors"].items()}
        return cls(raw["document"], raw["title"], raw["commit"], bool(raw["dirty"]), anchors)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def lines_hash(lines: list[str], first: int, last: int) -> str:
    """Return the hash recorded for lines first..last (counted from 1) of a source file."""
    return digest("".join(lines[first - 1:last]))


def paragraph_text(paragraph: etree._Element, *, accepted: bool = False) -> str:
    """Return a paragraph's text with every tracked change rejected (or, with `accepted`, accepted).

    The writer records the text this way and review reads returned files this way, so an untouched
    paragraph compares equal whatever runs an office suite split or merged it into.
    """
    parts = []
    for node in paragraph.iter(*TEXT_TAGS):
        piece = text_piece(node, paragraph)
        if piece is not None and piece[1] != ("deletion" if accepted else "insertion"):
            parts.append(piece[0])
    return "".join(parts)


def text_piece(node: etree._Element, paragraph: etree._Element) -> tuple[str, str, etree._Element | None] | None:
    """Return the text `node` adds to its paragraph, whether that text is an insertion or a deletion ("" if
    neither), and the tracked change holding it; None if the node is no text (a tab stop's definition)."""
    if node.tag not in TEXT_TAGS:
        return None
    change = None
    for ancestor in node.iterancestors():
        if ancestor is paragraph:
            break
        if ancestor.tag in (f"{W}pPr", f"{W}instrText"):
            return None
        if ancestor.tag in CHANGES and change is None:
            change = ancestor
    kind = CHANGES[change.tag] if change is not None else ("deletion" if node.tag == f"{W}delText" else "")
    return TEXT_TAGS[node.tag] or node.text or "", kind, change


# The elements a paragraph's text is made of, and the character each stands for ("" for its own text).
TEXT_TAGS = {f"{W}t": "", f"{W}delText": "", f"{W}tab": "\t", f"{W}br": " ", f"{W}noBreakHyphen": "-"}
CHANGES = {f"{W}ins": "insertion", f"{W}del": "deletion", f"{W}moveTo": "insertion", f"{W}moveFrom": "deletion"}


def same_text(a: str, b: str) -> bool:
    """Tell whether two texts are the same but for runs of white space, which suites rewrite freely."""
    return a.split() == b.split()
