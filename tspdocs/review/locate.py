"""Map each remark in a returned file to the source line it is about, through its anchor or its text.

A remark inside a paragraph's anchor maps to the block's first source line; inside a piece of generated
text (a data value, a citation, a cross-reference, a contents entry) it maps to what generates that piece
instead, since editing the paragraph's Markdown would not change it. A paragraph whose bookmark the
reviewer deleted is matched by its reject-all text against the texts the manifest says were sent.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from ..data import DATA_FILE
from ..project.yamlio import line_at, load_yaml
from .manifest import Anchor, Generated, Manifest, same_text
from .reader import Paragraph, Remark, Returned

BIB_FILE = "content/references.bib"
MIN_LIKENESS = 0.6  # how alike a paragraph's text must be to a sent one to be taken for it


@dataclass(frozen=True)
class Located:
    """A remark and the source line it belongs to."""

    path: str
    line: int | None
    remark: Remark
    returned: str  # the file it came back in
    anchor: str  # the bookmark it was found by ("" when its text was matched instead)
    generated: Generated | None = None  # the generated piece it falls in, if any
    block_path: str = ""  # where the paragraph itself comes from, when the remark maps elsewhere
    block_line: int | None = None
    sent: Anchor | None = None  # what tspdocs sent for the paragraph, found by bookmark or by text
    as_sent: bool = False  # the paragraph's reject-all text is what tspdocs sent: nobody edited it untracked
    manifest: Manifest | None = None


class Locator:
    """Map remarks for one project: generated pieces are looked up in its tables.yaml and BibTeX file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._data: object = None
        self._bib: dict[str, int] | None = None

    def locate(self, returned: Returned, manifest: Manifest) -> list[Located]:
        matched = self._match_lost(returned, manifest)
        located = []
        for remark in returned.remarks:
            paragraph = returned.paragraphs[remark.paragraph]
            name = paragraph.anchor if paragraph.anchor in manifest.anchors else matched.get(remark.paragraph, "")
            anchor = manifest.anchors.get(name)
            if anchor is None:
                located.append(Located("", None, remark, returned.name, "", manifest=manifest))
                continue
            found_by = paragraph.anchor if name == paragraph.anchor else ""
            piece = _piece(anchor, paragraph, remark)
            as_sent = paragraph.text == anchor.text
            if piece is None:
                located.append(Located(anchor.path, anchor.first, remark, returned.name, found_by,
                                       sent=anchor, as_sent=as_sent, manifest=manifest))
            else:
                path, line = self.generator(piece)
                located.append(Located(path, line, remark, returned.name, found_by, piece, anchor.path, anchor.first,
                                       anchor, as_sent, manifest))
        return located

    def _match_lost(self, returned: Returned, manifest: Manifest) -> dict[int, str]:
        """Return, for each paragraph with remarks but no known anchor, the sent paragraph its text matches."""
        unused = {name: a for name, a in manifest.anchors.items() if name not in returned.anchor_names}
        found: dict[int, str] = {}
        for index in sorted({r.paragraph for r in returned.remarks}):
            paragraph = returned.paragraphs[index]
            if paragraph.anchor in manifest.anchors:
                continue
            name = _best_match(paragraph, unused) or _best_match(paragraph, manifest.anchors)
            if name:
                found[index] = name
        return found

    def generator(self, piece: Generated) -> tuple[str, int | None]:
        """Return the file and line that generate a piece of text."""
        if piece.kind == "value":
            return DATA_FILE, line_at(self._tables(), ["values", piece.key])
        if piece.kind == "data" and piece.table:  # the column's line where the table names it, else the table's
            return DATA_FILE, max((line_at(self._tables(), ["tables", piece.table, part, piece.key])
                                   for part in ("columns", "measures")), key=lambda line: line or 0)
        if piece.kind == "citation":
            return BIB_FILE, self._bib_lines().get(piece.key.split(",")[0])
        return piece.path, piece.line

    def _tables(self) -> object:
        if self._data is None:
            path = self.root / DATA_FILE
            self._data = load_yaml(path.read_text(encoding="utf-8"), DATA_FILE) if path.is_file() else {}
        return self._data

    def _bib_lines(self) -> dict[str, int]:
        if self._bib is None:
            path = self.root / BIB_FILE
            text = path.read_text(encoding="utf-8") if path.is_file() else ""
            self._bib = {m.group(1): text.count("\n", 0, m.start()) + 1
                         for m in re.finditer(r"@\w+\s*\{\s*([^,\s]+)\s*,", text)}
        return self._bib


def _best_match(paragraph: Paragraph, anchors: dict[str, Anchor]) -> str:
    """Return the anchor whose sent text is the paragraph's reject-all text, or failing that the likeliest."""
    for name, anchor in anchors.items():
        if same_text(anchor.text, paragraph.text):
            return name
    words = paragraph.text.split()
    best, score = "", MIN_LIKENESS
    for name, anchor in anchors.items():
        matcher = difflib.SequenceMatcher(None, anchor.text.split(), words, autojunk=False)
        if matcher.real_quick_ratio() > score and matcher.quick_ratio() > score:
            ratio = matcher.ratio()
            if ratio > score:
                best, score = name, ratio
    return best


def _piece(anchor: Anchor, paragraph: Paragraph, remark: Remark) -> Generated | None:
    """Return the generated piece the remark's range falls in, if the paragraph is still as it was sent."""
    if paragraph.text != anchor.text or (remark.kind == "comment" and remark.start == 0 \
            and remark.end >= len(paragraph.text)):
        return None
    if anchor.block in ("Contents", "Bibliography") or any(p.kind == "data" for p in anchor.generated):
        return anchor.generated[0] if anchor.generated else None  # the whole paragraph is generated
    for piece in anchor.generated:
        for match in re.finditer(re.escape(piece.text), anchor.text):
            start, end = match.span()
            if remark.start == remark.end:  # an insertion: strictly inside
                inside = start < remark.start < end
            else:
                inside = remark.start < end and start < remark.end
            if inside:
                return piece
    return None
