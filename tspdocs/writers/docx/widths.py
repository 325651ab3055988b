"""Choose a table's column widths from what its cells hold, as a browser's automatic table layout does.

Word keeps the widths it is given in `w:tblGrid`, and LibreOffice lays a table
out by them alone, so equal columns break long words ("collaborati/on") in a
narrow column beside a wide one that holds a number. Each column here gets at
least its longest word, so no word breaks while the page allows it, and the
width left over goes first to columns that need little more to keep each line
whole, then to the columns of long text, much as CSS's automatic layout does.
"""

from __future__ import annotations

import re

from ... import tree as t

# Text is measured with Arial's advance widths (Liberation Sans has the same), in ems, by kind of
# character, at the Data Table style's 9.5 pt (190 twips to the em). The longest word is measured as if
# bold, as header rows, totals and row headers are: it must fit.
EM = 190
BOLD = 1.1
NARROW, SLIM, WIDE = set("ijlI.,:;'!|"), set("frt()[]-/ \u00a0"), set("mwMW%@")
BREAKS = re.compile(r"[ \t\n]+")  # where a line may break; not at a no-break space, as str.split() would
CELL_MARGINS = 2 * 85  # the Data Table style's left and right cell margins


def em_width(text: str) -> float:
    """Return about how many ems `text` is wide in Arial."""
    total = 0.0
    for char in text:
        if char in NARROW:
            total += 0.278
        elif char in SLIM:
            total += 0.333
        elif char in WIDE:
            total += 0.9
        elif char.isupper():
            total += 0.7
        else:
            total += 0.556  # lower case, figures and most else
    return total


def column_widths(table: t.Table, columns: int, available: int) -> list[int]:
    """Return each column's width in twips, the widths adding up to `available`."""
    shortest = [CELL_MARGINS + 1] * columns  # the width that breaks no word
    longest = [CELL_MARGINS + 1] * columns  # the width that breaks no line
    plain = [(row, False) for row in table.body]
    for row, bold_row in [(row, True) for row in table.head] + plain + [(row, True) for row in table.foot]:
        for index, cell in enumerate(row.cells[:columns]):
            lines = cell_lines(cell.blocks)
            words = [word for line in lines for word in BREAKS.split(line)]  # a no-break space joins words
            # the table style sets header and totals rows, and row headers, in bold
            em = EM * BOLD if bold_row or index < table.row_headers else EM
            shortest[index] = max(shortest[index], CELL_MARGINS + _twips(words, EM * BOLD))
            longest[index] = max(longest[index], CELL_MARGINS + _twips(lines, em))
    longest = [max(most, least) for most, least in zip(longest, shortest, strict=True)]
    return _share(available, shortest, longest)


def _share(available: int, shortest: list[int], longest: list[int]) -> list[int]:
    """Share `available` twips out between columns.

    If every column's longest line fits, each gets a width in proportion to it. Otherwise each gets its
    longest word, and what is left is shared like water poured over the columns: a column that needs
    little more for its longest line ("all rows") gets all of it, and the columns of long text share the
    rest equally. If even the longest words do not fit, they share the page in proportion.
    """
    most_total, least_total = sum(longest), sum(shortest)  # once: summed per column, 20,000 columns took 5 s
    if most_total <= available:
        widths = [available * most / most_total for most in longest]
    elif least_total >= available:
        widths = [available * least / least_total for least in shortest]
    else:
        widths = [float(least) for least in shortest]
        wanting = sorted(range(len(widths)), key=lambda i: longest[i] - shortest[i])
        spare = float(available - least_total)
        for done, index in enumerate(wanting):
            grant = min(longest[index] - shortest[index], spare / (len(wanting) - done))
            widths[index] += grant
            spare -= grant
    rounded = [int(width) for width in widths]
    rounded[-1] += available - sum(rounded)  # the grid must add up to the table's width exactly
    return rounded


def cell_lines(blocks: list[t.Block]) -> list[str]:
    """Return the lines of text a cell shows: one per paragraph, and a code block's own lines."""
    lines: list[str] = []
    for block in t.walk(blocks):
        if isinstance(block, t.CodeBlock):
            lines += block.text.split("\n")
        for inlines in t.block_inlines(block):
            lines.append(t.plain_text(inlines))
    return lines


def _twips(texts: list[str], per_em: float) -> int:
    """Return the width of the widest of `texts` in twips."""
    return round(max((em_width(text) for text in texts), default=0) * per_em)
