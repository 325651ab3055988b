"""Compare the inlines of two versions of one block word by word, keeping their formatting.

Text is split into words, spaces and single punctuation marks (so a changed
comma is a changed comma, not a changed word); anything else that prints as
one piece (a quoted figure, a citation, a cross-reference, a footnote, an
image) is one token. Each token remembers the formatting and links around it,
and two tokens are the same only if those are the same too, so a word made
bold shows as changed. As latexdiff does, a run of fewer than three unchanged
words between two changes is folded into the change, so a reader meets phrases
rather than confetti.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace

from .. import tree as t
from .lcs import opcodes

TOKEN = re.compile(r"\s+|\w+(?:['’]\w+)*|[^\w\s]")
WRAPPERS = (t.Emph, t.Strong, t.Strike, t.Span, t.Link, t.Changed)
FOLD_BELOW = 3  # unchanged words between two changes that are folded into them
REWRITTEN = 0.5  # the share of words changed past which a block shows as deleted and inserted whole

MakeChange = Callable[[str], t.Change]  # "inserted" | "deleted" -> the mark for one change


@dataclass(frozen=True, slots=True)
class Token:
    """One word or space of a block's text, with the formatting around it; `key` is what the comparison matches."""

    key: Hashable
    leaf: t.Inline
    wrappers: tuple[t.Inline, ...]  # the formatting and links around it, outermost first
    word: bool


def tokens(inlines: list[t.Inline], wrappers: tuple[t.Inline, ...] = ()) -> list[Token]:
    """Return the tokens of `inlines`, depth first."""
    out: list[Token] = []
    around = tuple(_wrapper_key(w) for w in wrappers)
    for node in inlines:
        if isinstance(node, t.Text):
            out.extend(Token((" " if piece.isspace() else piece, around), t.Text(piece), wrappers, not piece.isspace())
                       for piece in TOKEN.findall(node.text))
        elif isinstance(node, t.SoftBreak):
            out.append(Token((" ", around), node, wrappers, False))
        elif isinstance(node, WRAPPERS):
            out.extend(tokens(node.children, (*wrappers, node)))
        else:
            out.append(Token((signature([node]), around), node, wrappers, True))
    return out


def _wrapper_key(node: t.Inline) -> Hashable:
    if isinstance(node, t.Link):
        return ("Link", node.url)
    if isinstance(node, t.Span):
        return ("Span", tuple(node.attr.classes))
    return type(node).__name__


def signature(nodes: Sequence[t.Block] | Sequence[t.Inline]) -> str:
    """Return a text that differs whenever the nodes would print differently, pictures' bytes included."""
    text = t.dump_tree(list(nodes))
    pictures = [node for node in _pictures(nodes) if node.data is not None]
    return text + "".join(hashlib.sha256(p.data or b"").hexdigest() for p in pictures)


def _pictures(nodes: Sequence[t.Block] | Sequence[t.Inline]) -> list[t.Image]:
    found: list[t.Image] = []
    blocks = [n for n in nodes if isinstance(n, t.Block)]
    inlines = [n for n in nodes if isinstance(n, t.Inline)]
    for block in t.walk(blocks):
        if isinstance(block, t.Figure):
            found.append(block.image)
        inlines.extend(node for group in t.block_inlines(block) for node in group)
    found.extend(node for node in t.walk_inlines(inlines) if isinstance(node, t.Image))
    return found


def compare_inlines(old: list[t.Inline], new: list[t.Inline], make: MakeChange) -> list[t.Inline] | None:
    """Return `new` with the words deleted from `old` and inserted into `new` marked, or None when more
    than about half of the words changed (the caller then shows the whole block deleted and inserted)."""
    before, after = tokens(old), tokens(new)
    runs = _fold(opcodes([x.key for x in before], [x.key for x in after]), after)
    changed = sum(_words(before[i1:i2]) + _words(after[j1:j2]) for same, i1, i2, j1, j2 in runs if not same)
    total = _words(before) + _words(after)
    if total and changed / total > REWRITTEN:
        return None
    out: list[t.Inline] = []
    for same, i1, i2, j1, j2 in runs:
        if same:
            out.extend(rebuild(after[j1:j2]))
            continue
        if i2 > i1:
            out.append(t.Changed(rebuild(before[i1:i2]), make("deleted")))
        if j2 > j1:
            out.append(t.Changed(rebuild(after[j1:j2]), make("inserted")))
    return out


def replaced_inlines(old: list[t.Inline], new: list[t.Inline], make: MakeChange) -> list[t.Inline]:
    """Return the old inlines deleted and the new inserted, for text that is one piece (a heading, a cell)."""
    out: list[t.Inline] = []
    if old:
        out.append(t.Changed(list(old), make("deleted")))
    if new:
        out.append(t.Changed(list(new), make("inserted")))
    return out


def _words(run: list[Token]) -> int:
    return sum(1 for token in run if token.word)


def _fold(runs: list[tuple[bool, int, int, int, int]], after: list[Token]) -> list[tuple[bool, int, int, int, int]]:
    """Fold short unchanged runs between two changes into one change, and join the changes around them."""
    out: list[tuple[bool, int, int, int, int]] = []
    for index, run in enumerate(runs):
        same, i1, i2, j1, j2 = run
        between = 0 < index < len(runs) - 1
        if same and between and _words(after[j1:j2]) < FOLD_BELOW:
            same = False
        if not same and out and not out[-1][0]:
            out[-1] = (False, out[-1][1], i2, out[-1][3], j2)
        else:
            out.append((same, i1, i2, j1, j2))
    return out


def rebuild(run: list[Token], depth: int = 0) -> list[t.Inline]:
    """Return inlines for a run of tokens, each wrapper copied around the tokens it held."""
    out: list[t.Inline] = []
    index = 0
    while index < len(run):
        token = run[index]
        if len(token.wrappers) == depth:
            last = out[-1] if out else None
            if isinstance(token.leaf, t.Text) and isinstance(last, t.Text):
                out[-1] = t.Text(last.text + token.leaf.text)
            else:
                out.append(token.leaf)
            index += 1
            continue
        wrapper = token.wrappers[depth]
        end = index
        while end < len(run) and len(run[end].wrappers) > depth and run[end].wrappers[depth] is wrapper:
            end += 1
        out.append(replace(wrapper, children=rebuild(run[index:end], depth + 1)))  # type: ignore[call-arg]
        index = end
    return out
