"""Word tracked changes (ECMA-376 §17.13): insertions and deletions of runs, paragraph marks and table rows,
and paragraph style changes.

What Word itself writes: runs inside `w:ins`/`w:del`, the text of a deleted
run as `w:delText` (`w:delInstrText` inside a field's instruction), and the
paragraph mark of an inserted or deleted paragraph marked in `w:pPr/w:rPr`,
so that accepting a deletion removes the paragraph rather than leaving it
empty (and numbered). Every mark takes its `w:id` from the one counter the
writer keeps for the whole file (`State.new_id`), shared with bookmarks.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from lxml import etree  # type: ignore[import-untyped, unused-ignore]  # no stubs installed

from ...tree import Change
from .ooxml import element

NewId = Callable[[], int]
MARKS = {"inserted": "w:ins", "deleted": "w:del"}
DELETED_TEXT = {qn("w:t"): qn("w:delText"), qn("w:instrText"): qn("w:delInstrText")}
# Elements that come after w:rPr in a w:pPr, and after w:ins/w:del in a w:trPr (the schema's order).
AFTER_PARAGRAPH_MARK = (qn("w:sectPr"), qn("w:pPrChange"))
AFTER_ROW_MARK = (qn("w:trPrChange"),)
STYLE_CHANGE_OMITS = (qn("w:rPr"), qn("w:sectPr"), qn("w:pPrChange"))


def revision(change: Change, new_id: NewId, tag: str = "") -> BaseOxmlElement:
    """Return an empty `w:ins` or `w:del` (or `tag`) carrying the change's id, author and date."""
    attrs = {"id": str(new_id()), "author": change.author}
    if change.date:
        attrs["date"] = change.date
    return element(tag or MARKS[change.kind], **attrs)


def track_style(paragraph: BaseOxmlElement, old: BaseOxmlElement | None, change: Change, new_id: NewId) -> None:
    """Keep the paragraph's old properties (`old`, its old `w:pPr`) in a `w:pPrChange` if they differ from
    its new ones, so Reject All gives the old style back. The old properties leave out what a `w:pPrChange`
    may not hold: the paragraph mark's run properties, a section break and an earlier change."""
    before = element("w:pPr")
    for child in () if old is None else old:
        if child.tag not in STYLE_CHANGE_OMITS:
            before.append(copy.deepcopy(child))
    p_pr = paragraph.get_or_add_pPr()
    now = [etree.tostring(child) for child in p_pr if child.tag not in STYLE_CHANGE_OMITS]
    if now == [etree.tostring(child) for child in before]:
        return
    mark = revision(change, new_id, "w:pPrChange")
    mark.append(before)
    p_pr.append(mark)  # the last child of a w:pPr


def count_runs(paragraph: BaseOxmlElement) -> int:
    """Return how many runs a paragraph holds, so `track_runs` can mark only those written after."""
    return sum(1 for _ in paragraph.iter(qn("w:r")))


def track_runs(paragraph: BaseOxmlElement, start: int, change: Change, new_id: NewId) -> None:
    """Mark the paragraph's runs from the `start`-th on as inserted or deleted, each run where it is (in a
    hyperlink or a field), one mark around neighbouring runs of the same change."""
    for run in list(paragraph.iter(qn("w:r")))[start:]:
        if _tracked(run) is None:
            _wrap(run, change, new_id)


def track_paragraph(paragraph: BaseOxmlElement, change: Change, new_id: NewId) -> None:
    """Mark the paragraph mark itself, so accepting (or rejecting) the change removes the paragraph."""
    p_pr = paragraph.get_or_add_pPr()
    r_pr = p_pr.find(qn("w:rPr"))
    if r_pr is None:
        r_pr = element("w:rPr")
        after = next((child for child in p_pr if child.tag in AFTER_PARAGRAPH_MARK), None)
        if after is None:
            p_pr.append(r_pr)
        else:
            after.addprevious(r_pr)
    if r_pr.find(qn("w:ins")) is None and r_pr.find(qn("w:del")) is None:
        r_pr.insert(0, revision(change, new_id))  # w:ins and w:del come first in a paragraph mark's rPr


def track_row(row: BaseOxmlElement, change: Change, new_id: NewId) -> None:
    """Mark a table row inserted or deleted: Word then adds or removes the row whole."""
    tr_pr = row.get_or_add_trPr()
    mark = revision(change, new_id)
    after = next((child for child in tr_pr if child.tag in AFTER_ROW_MARK), None)
    if after is None:
        tr_pr.append(mark)
    else:
        after.addprevious(mark)


def track_block(top: BaseOxmlElement, change: Change, new_id: NewId) -> None:
    """Mark everything in a paragraph or table written as part of a whole inserted or deleted block."""
    for paragraph in top.iter(qn("w:p")):
        track_runs(paragraph, 0, change, new_id)
        if not _ends_cell(paragraph):
            track_paragraph(paragraph, change, new_id)


def track_emptied_paragraphs(body: BaseOxmlElement, new_id: NewId) -> None:
    """Mark the paragraph mark of every paragraph whose runs are all inserted, or all deleted (a contents or
    reference list entry, a cover line), so accepting or rejecting leaves no empty paragraph behind."""
    for paragraph in body.iter(qn("w:p")):
        marks = [_tracked(run) for run in paragraph.iter(qn("w:r"))]
        first = marks[0] if marks else None
        if first is None or _ends_cell(paragraph) or any(m is None or m.tag != first.tag for m in marks):
            continue
        change = Change("inserted" if first.tag == qn("w:ins") else "deleted", first.get(qn("w:author")) or "",
                        first.get(qn("w:date")) or "")
        track_paragraph(paragraph, change, new_id)


def _tracked(run: BaseOxmlElement) -> BaseOxmlElement | None:
    """Return the `w:ins` or `w:del` a run is inside, if any."""
    node = run.getparent()
    while node is not None and node.tag != qn("w:p"):
        if node.tag in (qn("w:ins"), qn("w:del")):
            return node  # type: ignore[no-any-return]
        node = node.getparent()
    return None


def _wrap(run: BaseOxmlElement, change: Change, new_id: NewId) -> None:
    tag = qn(MARKS[change.kind])
    before = run.getprevious()
    if before is not None and before.tag == tag and before.get(qn("w:author")) == change.author and \
            (before.get(qn("w:date")) or "") == change.date:
        before.append(run)
    else:
        mark = revision(change, new_id)
        run.addprevious(mark)
        mark.append(run)
    if change.kind == "deleted":
        for child in run.iter(*DELETED_TEXT):
            child.tag = DELETED_TEXT[child.tag]


def _ends_cell(paragraph: BaseOxmlElement) -> bool:
    """The last paragraph of a table cell holds the cell's own mark, which a row change covers instead."""
    parent = paragraph.getparent()
    return parent is not None and parent.tag == qn("w:tc") and paragraph.getnext() is None
