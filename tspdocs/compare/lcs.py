"""The longest common subsequence of two sequences of keys: the spine every comparison is built on."""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Sequence

# Past this many cells the quadratic table costs seconds; two documents so unlike each other are compared
# by difflib's longest matching runs instead, which finds the same pairs wherever a run is long.
MAX_CELLS = 4_000_000


def common_pairs(old: Sequence[Hashable], new: Sequence[Hashable]) -> list[tuple[int, int]]:
    """Return the index pairs (i, j) of a longest common subsequence of `old` and `new`, in order.

    The common start and end are taken first, so two revisions that differ in a few places cost
    little more than a pass over each.
    """
    start = 0
    while start < len(old) and start < len(new) and old[start] == new[start]:
        start += 1
    end = 0
    while end < len(old) - start and end < len(new) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    middle = _middle(old[start:len(old) - end], new[start:len(new) - end])
    return ([(i, i) for i in range(start)] + [(i + start, j + start) for i, j in middle]
            + [(len(old) - end + k, len(new) - end + k) for k in range(end)])


def _middle(old: Sequence[Hashable], new: Sequence[Hashable]) -> list[tuple[int, int]]:
    if not old or not new:
        return []
    if len(old) * len(new) > MAX_CELLS:
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        return [(m.a + k, m.b + k) for m in matcher.get_matching_blocks() for k in range(m.size)]
    # lengths[i][j]: the LCS of old[i:] and new[j:]
    lengths = [[0] * (len(new) + 1) for _ in range(len(old) + 1)]
    for i in range(len(old) - 1, -1, -1):
        row, below = lengths[i], lengths[i + 1]
        for j in range(len(new) - 1, -1, -1):
            row[j] = below[j + 1] + 1 if old[i] == new[j] else max(below[j], row[j + 1])
    pairs = []
    i = j = 0
    while i < len(old) and j < len(new):
        if old[i] == new[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def opcodes(old: Sequence[Hashable], new: Sequence[Hashable]) -> list[tuple[bool, int, int, int, int]]:
    """Return the two sequences as alternating runs: (equal, old start, old end, new start, new end)."""
    runs: list[tuple[bool, int, int, int, int]] = []
    i = j = 0
    for a, b in [*common_pairs(old, new), (len(old), len(new))]:
        if a > i or b > j:
            runs.append((False, i, a, j, b))
        if a < len(old):
            if runs and runs[-1][0] and runs[-1][2] == a:
                _, i1, _, j1, _ = runs[-1]
                runs[-1] = (True, i1, a + 1, j1, b + 1)
            else:
                runs.append((True, a, a + 1, b, b + 1))
        i, j = a + 1, b + 1
    return runs
