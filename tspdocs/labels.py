"""The words tspdocs itself puts into documents, in one catalogue every step and writer asks.

As Sphinx keeps its admonition labels in one table, a label changes here
and nowhere else: "Table 3" in a caption, the contents title, the draft
mark on the cover and the footer's "Page 2 of 4" all read from `LABELS`.
"""

from __future__ import annotations

LABELS: dict[str, str] = {
    # Captions and cross-references: "Table 3", "Figure 2", "section 2.1".
    "table": "Table",
    "figure": "Figure",
    "section": "section",
    # Generated parts, unless a template gives its own title.
    "contents": "Contents",
    "tables": "Tables",
    "figures": "Figures",
    "references": "References",
    "notes": "Notes",
    "abstract": "Abstract",
    # Lines under tables, figures and the abstract.
    "note": "Note:",
    "source": "Source:",
    "base": "Base:",
    "keywords": "Keywords:",
    "word-count": "Word count:",
    # The cover and the page furniture.
    "audience": "Policy briefing for the {audience}",
    "place": "Local figures for {place}",
    "draft-mark": "Draft: not for circulation",
    "draft-header": "DRAFT",
    "draft-finding": "Draft finding",
    "draft-finding-note": "Not yet approved: shown because drafts were included.",
    "notice": "Illustrative content.",
    "page": "Page {page} of {pages}",
    "table-continued": "{table} (continued)",
    "skip-link": "Skip to content",
    "back-to-reference": "Back to reference {number}",
    # The appendix a document may ask for with figures_appendix().
    "figures-appendix": "About these figures",
    "figures-appendix-caption": "Figures quoted from the data in this document",
    "figures-appendix-note": "Each figure is computed from the data as described, over the rows shown; its base "
                             "is the number of respondents behind it. A figure on too few respondents is never "
                             "printed.",
}

# Which label names each generated list, and the caption word its entries carry.
CONTENTS_TITLES = {"sections": "contents", "tables": "tables", "figures": "figures"}
CAPTION_WORDS = {"tables": "table", "figures": "figure"}


def label(key: str, **fields: str) -> str:
    """Return the catalogue's words for `key`, with `{field}` placeholders filled in."""
    return LABELS[key].format(**fields) if fields else LABELS[key]
