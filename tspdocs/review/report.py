"""Show located remarks as `file:line:` lines, JSON, or GitHub annotations, merged by source line."""

from __future__ import annotations

import json
from collections.abc import Iterable

from .apply import Outcome
from .locate import Located

FORMATS = ("text", "json", "github")
VERBS = {"comment": "comment", "insertion": "inserted", "deletion": "deleted", "formatting": "reformatted"}


def ordered(located: Iterable[Located]) -> list[Located]:
    """Return remarks from every returned file in source order: by file, line, then as they came."""
    items = list(located)
    return [item for _, item in sorted(enumerate(items), key=lambda pair: (
        pair[1].path == "", pair[1].path, pair[1].line or 0, pair[0]))]


def where(item: Located) -> str:
    return f"{item.path or item.returned}:{item.line or 1}"


def describe(item: Located) -> str:
    """Return what the remark is, who made it and when, and what it says: the part after `file:line: `."""
    remark = item.remark
    if remark.kind == "comment":
        what = "reply" if remark.parent else "comment"
    else:
        what = VERBS[remark.kind] + (" paragraph" if remark.whole_paragraph else "")
    who = f" by {remark.author}" if remark.author else ""
    when = f", {remark.date}" if remark.date else ""
    text = json.dumps(_short(remark.text), ensure_ascii=False)
    notes = []
    if remark.resolved:
        notes.append("resolved")
    piece = item.generated
    if piece is not None:
        notes.append(f"in {piece.kind} {piece.key!r}, printed at {item.block_path}:{item.block_line or 1}")
    if not item.path:
        notes.append("no longer matches anything tspdocs sent")
    elif not item.anchor:
        notes.append("its anchor was lost; matched by its text")
    tail = f" ({'; '.join(notes)})" if notes else ""
    return f"{what}{who}{when}: {text}{tail}"


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def render(located: list[Located], fmt: str) -> str:
    """Return every remark in `fmt`: text, json or github (workflow annotations)."""
    items = ordered(located)
    if fmt == "json":
        return json.dumps([as_dict(item) for item in items], ensure_ascii=False, indent=1) + "\n"
    if fmt == "github":
        return "".join(f"::notice file={item.path or item.returned},line={item.line or 1}::"
                       f"{_escape(describe(item))}\n" for item in items)
    return "".join(f"{where(item)}: {describe(item)}\n" for item in items)


def as_dict(item: Located) -> dict[str, object]:
    remark = item.remark
    piece = item.generated
    return {"path": item.path or None, "line": item.line, "kind": remark.kind, "reply": bool(remark.parent),
            "author": remark.author, "date": remark.date, "text": remark.text, "resolved": remark.resolved,
            "whole_paragraph": remark.whole_paragraph, "story": remark.story, "returned": item.returned,
            "anchor": item.anchor or None, "generated": None if piece is None else
            {"kind": piece.kind, "key": piece.key, "table": piece.table or None, "text": piece.text,
             "block_path": item.block_path,
             "block_line": item.block_line}}


def render_outcomes(outcomes: list[Outcome]) -> str:
    """Return one `file:line:` line per remark saying whether it was applied, and if not, why."""
    by_item = {id(o.item): o for o in outcomes}
    lines = []
    for item in ordered(o.item for o in outcomes):
        outcome = by_item[id(item)]
        state = "applied" if outcome.applied else f"not applied ({outcome.reason})"
        lines.append(f"{where(item)}: {state}: {describe(item)}\n")
    return "".join(lines)


def _escape(text: str) -> str:
    """Escape a GitHub annotation's message as the workflow command syntax requires."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
