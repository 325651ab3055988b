"""Plan the edits that carry tracked changes (and, if asked, comments) back into the Markdown, where safe.

A change is applied only when nothing can have moved under it: the paragraph's reject-all text is what
tspdocs sent, the source file is as it was at the commit the DOCX was built from (and the build was of
that commit, not of uncommitted changes), the change is not inside generated text, and the paragraph's
Markdown maps character by character onto its rendered text. Everything else is reported with the reason.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from .locate import Located
from .manifest import Anchor, lines_hash
from .sourcemap import insertion_point, source_map

NOT_INLINE = "comments are written into the source only with --comments inline"
TRAILING_ATTRIBUTE = re.compile(r"[ \t]*\{[#.][^{}]*\}[ \t]*$")


@dataclass(frozen=True)
class Outcome:
    """Whether a reviewed change was applied to its source, and if not why."""

    item: Located
    applied: bool
    reason: str = ""


@dataclass(frozen=True)
class _Edit:
    """A replacement of characters start..end of a source file's text."""

    start: int  # offsets in the file's text
    end: int
    text: str


class Planner:
    """Decide, change by change, what can be applied; `unchanged(path, commit)` asks git about a file."""

    def __init__(self, read: Callable[[str], str | None], unchanged: Callable[[str, str], bool]) -> None:
        self.read = read
        self.unchanged = unchanged
        self.texts: dict[str, str | None] = {}

    def plan(self, located: list[Located], *, comments: bool) -> tuple[dict[str, str], list[Outcome]]:
        """Return the new text of every file to change, and what became of each remark."""
        outcomes: list[Outcome] = []
        edits: dict[str, list[_Edit]] = defaultdict(list)
        returned_by_anchor: dict[tuple[str, str], set[str]] = defaultdict(set)
        for item in located:
            if item.sent is not None and item.remark.kind != "comment":
                returned_by_anchor[(item.sent.path, item.sent.text)].add(item.returned)
        for item in located:
            if item.remark.kind == "comment" and not comments:
                outcomes.append(Outcome(item, False, NOT_INLINE))
                continue
            reason = self._refusal(item)
            if reason is None and item.sent is not None and len(returned_by_anchor[(item.sent.path,
                                                                                       item.sent.text)]) > 1:
                reason = "the paragraph was changed in more than one returned file"
            edit = None
            if reason is None:
                edit, reason = self._edit(item)
            if edit is None:
                outcomes.append(Outcome(item, False, reason or "not applied"))
                continue
            assert item.sent is not None
            edits[item.sent.path].append(edit)
            outcomes.append(Outcome(item, True))
        return {path: _applied(self._text(path) or "", changes) for path, changes in edits.items()}, outcomes

    def _text(self, path: str) -> str | None:
        if path not in self.texts:
            self.texts[path] = self.read(path)
        return self.texts[path]

    def _refusal(self, item: Located) -> str | None:
        sent, manifest, remark = item.sent, item.manifest, item.remark
        if sent is None or manifest is None:
            return "it no longer matches anything tspdocs sent"
        if remark.kind == "formatting":
            return "formatting changes are not written back; the house style sets formatting"
        if item.generated is not None and remark.kind != "comment":
            piece = item.generated
            return f"it is inside generated text ({piece.kind} {piece.key!r}); change it where that is made"
        if not item.as_sent:
            return "the paragraph was edited without tracking changes, so its text is not what tspdocs sent"
        if sent.first is None or sent.last is None or not sent.path.endswith(".md"):
            return "the paragraph was not written from a Markdown file"
        if manifest.dirty or not manifest.commit:
            return "the file was built from uncommitted changes, so tspdocs cannot tell what it was built from"
        text = self._text(sent.path)
        if text is None or not self.unchanged(sent.path, manifest.commit) or \
                lines_hash(text.splitlines(keepends=True), sent.first, sent.last) != sent.source_hash:
            return f"{sent.path} has changed since commit {manifest.commit}, so the change is not applied over it"
        return None

    def _edit(self, item: Located) -> tuple[_Edit | None, str]:
        """Return the edit for one remark, or why there is none."""
        sent, remark = item.sent, item.remark
        assert sent is not None and sent.first is not None and sent.last is not None
        lines = (self._text(sent.path) or "").splitlines(keepends=True)
        offset = sum(len(line) for line in lines[:sent.first - 1])
        block = "".join(lines[sent.first - 1:sent.last])
        if remark.kind == "comment":  # at the block's end, before a heading's {#id}, which must stay last
            shown = block.rstrip("\n")
            attribute = TRAILING_ATTRIBUTE.search(shown)
            end = offset + (attribute.start() if attribute else len(shown))
            who = f"{remark.author}{' (reply)' if remark.parent else ''}{' (resolved)' if remark.resolved else ''}, " \
                  f"{remark.date}"
            return _Edit(end, end, f" {{>>{who}: {' '.join(remark.text.split())}<<}}"), ""
        if remark.whole_paragraph:
            after = lines[sent.last] if sent.last < len(lines) else ""
            return _Edit(offset, offset + len(block) + (len(after) if not after.strip() else 0), ""), ""
        positions = source_map(sent.text, block, _generated_spans(sent))
        if positions is None:
            return None, "its Markdown does not map onto the text sent (it holds markup or generated text)"
        if remark.kind == "deletion":
            start, end = positions[remark.start], positions[remark.end - 1] + 1
            return _Edit(offset + start, offset + end, ""), ""
        point = insertion_point(positions, remark.start, len(block.rstrip("\n")))
        return _Edit(offset + point, offset + point, remark.text), ""


def _generated_spans(sent: Anchor) -> list[tuple[int, int]]:
    """Return where each generated piece stands in the text sent, in order."""
    spans = []
    cursor = 0
    for piece in sent.generated:
        start = sent.text.find(piece.text, cursor)
        if piece.text and start >= 0:
            spans.append((start, start + len(piece.text)))
            cursor = start + len(piece.text)
    return spans


def _applied(text: str, edits: list[_Edit]) -> str:
    """Apply edits from the end of the file backwards, so earlier offsets stay right; where a deletion and
    an insertion start at one place the deletion goes first, so it cannot take the inserted text with it."""
    order = sorted(enumerate(edits), key=lambda pair: (pair[1].start, pair[1].start != pair[1].end, pair[0]),
                   reverse=True)  # remarks at one place keep their order: the last is put in first
    for _, edit in order:
        text = text[:edit.start] + edit.text + text[edit.end:]
    return text
