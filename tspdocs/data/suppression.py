"""Decide which figures may be printed: never a rate on too few respondents, nor a count that could identify one.

Every computed figure carries its base, the respondents behind it. The rules
follow the UK government statistics shorthand (the Analysis Function's
guidance on symbols in tables): a figure that may not be printed shows as

- `[x]` not available: no respondent in the group at all;
- `[c]` confidential: a count, or a rate on a base, small enough to identify someone;
- `[u]` low reliability: a rate or average on fewer respondents than `min_base`;
- `[z]` not applicable.

A figure with no base (a researcher-day total, a cell read from a file) is
not a survey figure and is always printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Mark = Literal["", "[x]", "[c]", "[u]", "[z]"]
COUNT_KINDS = frozenset({"integer"})


@dataclass(frozen=True)
class FigurePolicy:
    """The project's rules for printing figures (tables.yaml `figures:`), overridable per document,
    table and value."""

    min_base: int = 30
    min_count: int = 3
    base_text: str = "{base} respondents"
    on_low_base: Literal["fail"] = "fail"

    def with_min_base(self, min_base: int | None) -> FigurePolicy:
        if min_base is None or min_base == self.min_base:
            return self
        return FigurePolicy(min_base, self.min_count, self.base_text, self.on_low_base)

    def base_phrase(self, base: int | str) -> str:
        """Return how a base is written beside a figure: "5 respondents", by the project's wording."""
        return self.base_text.format(base=f"{base:,}" if isinstance(base, int) else base)


def mark(value: object, kind: str, base: int | None, policy: FigurePolicy) -> Mark:
    """Return "" when the figure may be printed, else the shorthand that stands in its place."""
    if base is None:
        return "[x]" if value is None else ""
    if kind in COUNT_KINDS:  # a count of respondents is its own base; none at all is a true zero
        return "[c]" if 0 < base < policy.min_count else ""
    if value is None or base == 0:
        return "[x]"
    if base < policy.min_count:
        return "[c]"
    if base < policy.min_base:
        return "[u]"
    return ""


def explain(marks: Sequence[str], policy: FigurePolicy) -> list[str]:
    """Return one sentence for each shorthand used, in the order the guidance lists them."""
    sentences = {
        "[x]": "[x] not available: no respondent in this group.",
        "[c]": f"[c] confidential: fewer than {policy.min_count} respondents, so not shown.",
        "[u]": f"[u] low reliability: fewer than {policy.min_base} respondents answered, so not shown.",
        "[z]": "[z] not applicable.",
    }
    return [sentences[m] for m in sentences if m in marks]


def base_range(bases: Sequence[int | None]) -> str:
    """Return the bases of several figures as one number or a range: "91", "41–91"; "" for none."""
    known = sorted({b for b in bases if b is not None})
    if not known:
        return ""
    return f"{known[0]:,}" if len(known) == 1 else f"{known[0]:,}–{known[-1]:,}"


def protect_totals(column_marks: Sequence[Sequence[str]]) -> list[bool]:
    """Return, for each column of counts with a total, whether its total must be suppressed too.

    A total with exactly one suppressed cell above it gives that cell away (total minus the others),
    so the total is suppressed as well: secondary suppression, in the way that hides least.
    """
    return [sum(1 for m in marks if m in ("[c]", "[u]")) == 1 for marks in column_marks]
