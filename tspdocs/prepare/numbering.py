"""Number headings, tables and figures once, and resolve every cross-reference to that number.

Doing this in the tree, before any writer runs, is what makes "Table 3"
read the same in the HTML, the PDF and the DOCX.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .. import tree as t
from ..errors import Location, Problem, Problems
from ..ids import generated_use
from ..labels import label
from ..project.validation import known_names
from ..tree import plain_text

NUMBERED_LEVELS = 3
KIND_NAMES = {"sec": label("section"), "tbl": label("table"), "fig": label("figure")}


@dataclass(frozen=True)
class Label:
    """What a cross-reference can point at."""

    id: str
    kind: str
    number: str
    text: list[t.Inline]
    loc: Location | None


def number_document(doc: t.Document, problems: Problems, document: str = "") -> dict[str, Label]:
    """Number the document's headings, tables and figures; fill refs and contents; return the labels.

    `document` names the document in a reference's error, as the labels it may point to are its own."""
    labels: dict[str, Label] = {}
    # Identifiers an editor wrote come first; generated ones step around them.
    used_ids: set[str] = set()
    explicit = {b.attr.id for b in t.walk(doc.blocks) if isinstance(b, t.Heading) and b.attr.id}
    counters = [0] * NUMBERED_LEVELS
    tables = figures = 0
    for block in t.walk(doc.blocks):
        if isinstance(block, t.Heading):
            if doc.meta.numbered and "unnumbered" not in block.attr.classes and block.level <= NUMBERED_LEVELS:
                counters[block.level - 1] += 1
                counters[block.level:] = [0] * (NUMBERED_LEVELS - block.level)
                block.number = ".".join(str(n) for n in counters[:block.level] if n) or "0"
            if block.attr.id:
                block.attr.id = _unique(block.attr.id, used_ids, labels, block.loc, problems)
            else:
                block.attr.id = _generated("sec:" + slugify(plain_text(block.children)), used_ids | explicit)
                used_ids.add(block.attr.id)
            labels[block.attr.id] = Label(block.attr.id, "sec", block.number, block.children, block.loc)
        elif isinstance(block, t.Table) and block.caption:
            tables += 1
            block.number = str(tables)
            _label(block, "tbl", used_ids, labels, problems)
        elif isinstance(block, t.Figure) and block.caption:
            figures += 1
            block.number = str(figures)
            _label(block, "fig", used_ids, labels, problems)
    _resolve_refs(doc, labels, problems, document)
    _fill_contents(doc, labels)
    return labels


def _label(block: t.Table | t.Figure, kind: str, used: set[str], labels: dict[str, Label],
           problems: Problems) -> None:
    wanted = block.attr.id or f"{kind}:{block.number}"
    if block.attr.id and not block.attr.id.startswith(f"{kind}:"):
        problems.warning(f"label {block.attr.id!r} on a {KIND_NAMES[kind].lower()} should start with "
                         f"'{kind}:' so @{kind}:... can refer to it", "label", block.loc)
    block.attr.id = _unique(wanted, used, labels, block.loc, problems)
    labels[block.attr.id] = Label(block.attr.id, kind, block.number, block.caption, block.loc)


def _unique(wanted: str, used: set[str], labels: dict[str, Label], loc: Location | None,
            problems: Problems) -> str:
    use = generated_use(wanted)
    if use is not None:
        problems.error(f"label {wanted!r} is an id tspdocs gives {use} in HTML; choose another label",
                       "reserved-label", loc)
    if wanted in labels and labels[wanted].loc != loc:
        first = labels[wanted].loc
        problems.error(f"label {wanted!r} is used twice (first at {first}); labels must be unique",
                       "duplicate-label", loc)
    candidate, n = wanted, 1
    while candidate in used:
        n += 1
        candidate = f"{wanted}-{n}"
    used.add(candidate)
    return candidate


def _generated(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted}-{n}"
    return candidate


def slugify(text: str) -> str:
    """Return a stable identifier from heading text, as Pandoc's auto_identifiers does."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^\w\s-]", "", ascii_text.lower())
    slug = re.sub(r"[\s_]+", "-", slug).strip("-")
    return slug or "section"


def ref_text(label: Label, capital: bool) -> str:
    """Return the words a reference shows: 'section 2.1', 'Table 3', 'Figure 2'."""
    if label.kind == "sec" and not label.number:
        return "‘" + plain_text(label.text) + "’"
    word = KIND_NAMES[label.kind]
    if capital:
        word = word[0].upper() + word[1:]
    return f"{word} {label.number}"


def _resolve_refs(doc: t.Document, labels: dict[str, Label], problems: Problems, document: str) -> None:
    for inlines in t.inline_lists(doc.blocks):
        for node in inlines:
            if not isinstance(node, t.Ref):
                continue
            kind, _, name = node.target.partition(":")
            key = f"{kind.lower()}:{name}"
            label = labels.get(key)
            if label is None:
                same_kind = [k for k in labels if k.startswith(kind.lower() + ":")]
                problems.add(Problem(known_names(key, same_kind, "label") or key, "unknown-label", node.loc,
                                     documents=(document,) if document else ()))
                node.children = [t.Text(f"??{key}??")]
                continue
            node.target = key
            node.kind = label.kind  # type: ignore[assignment]
            node.number = label.number
            node.children = [t.Text(ref_text(label, kind[0].isupper()))]
            if label.kind == "sec" and label.number:
                node.prefix = "Section " if kind[0].isupper() else "section "


def _fill_contents(doc: t.Document, labels: dict[str, Label]) -> None:
    kinds = {"sections": "sec", "tables": "tbl", "figures": "fig"}
    levels = {b.attr.id: b.level for b in t.walk(doc.blocks) if isinstance(b, t.Heading)}
    for block in t.walk(doc.blocks):
        if isinstance(block, t.Contents):
            kind = kinds[block.kind]
            block.entries = [
                t.ContentsEntry(label.id, levels.get(label.id, 1), label.number, t.unlinked(label.text))
                for label in labels.values()
                if label.kind == kind and levels.get(label.id, 1) <= block.depth
            ]
