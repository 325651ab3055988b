"""The summary at the top of a redline's HTML and PDF: findings added, removed and changed, figures that
changed, each linked to its first change. (The DOCX has Word's own list of changes instead, and a summary
there would be text that neither revision contains.)"""

from __future__ import annotations

from .. import tree as t
from .marks import Marker, source_of

FINDINGS = "content/findings/"


def summary_blocks(old: t.Document, new: t.Document, marker: Marker, title: str) -> list[t.Block]:
    """Return the summary as tree blocks, a boxed note every writer can render."""
    first: dict[str, str] = {}
    for recorded in marker.recorded:
        first.setdefault(recorded.source, recorded.change.id)
    findings = sorted(path for path in old.sources | new.sources if path.startswith(FINDINGS))
    groups = {"added": [p for p in findings if p not in old.sources],
              "removed": [p for p in findings if p not in new.sources],
              "changed": [p for p in findings if p in old.sources and p in new.sources and p in first]}
    kinds = [r.change.kind for r in marker.recorded]
    restyled = f", {_plural(kinds.count('restyled'), 'style change')}" if "restyled" in kinds else ""
    blocks: list[t.Block] = [t.Para([t.Text(f"{_plural(kinds.count('inserted'), 'insertion')} and "
                                            f"{_plural(kinds.count('deleted'), 'deletion')}{restyled}; "),
                                     t.Link("#" + marker.recorded[0].change.id, [t.Text("go to the first")]),
                                     t.Text(".")])]
    titles = {**_titles(old), **_titles(new)}
    for kind, paths in groups.items():
        if paths:
            blocks.append(t.Para([t.Strong([t.Text(f"Findings {kind} ({len(paths)})")])]))
            blocks.append(t.BulletList([t.ListItem([t.Plain(_entry(titles.get(p, p), first.get(p)))])
                                        for p in paths]))
    if marker.figures:
        blocks.append(t.Para([t.Strong([t.Text(f"Figures changed ({len(marker.figures)})")])]))
        blocks.append(t.BulletList([t.ListItem([t.Plain(_entry(_figure_name(figure), anchor))])
                                    for figure, anchor in marker.figures]))
    return [t.Div(blocks, t.Attr(classes=["callout-note", "changes-summary"], values={"title": title}))]


def _entry(text: str, anchor: str | None) -> list[t.Inline]:
    return [t.Link("#" + anchor, [t.Text(text)])] if anchor else [t.Text(text)]


def _titles(doc: t.Document) -> dict[str, str]:
    """Return each source file's title: the heading above the first block taken from it."""
    titles: dict[str, str] = {}
    heading = ""
    for block in t.walk(doc.blocks):
        if isinstance(block, t.Heading):
            heading = t.plain_text(block.children)
        titles.setdefault(source_of(block), heading)
    return titles


def _figure_name(figure: t.Figure) -> str:
    caption = t.plain_text(figure.caption)
    return f"Figure {figure.number}: {caption}" if figure.number else caption or figure.image.alt


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
