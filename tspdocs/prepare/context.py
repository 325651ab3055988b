"""What every preparation step of one document shares: the corpus, its findings, the data and the problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..data.suppression import FigurePolicy
from ..errors import Problems
from ..project.model import Finding
from ..project.readers import Corpus

if TYPE_CHECKING:
    from ..data import Data  # imported for real by the build; pandas stays unimported until a table is asked for


@dataclass
class PrepareContext:
    """One document's preparation: what it draws on, and the files it read (for incremental builds)."""

    corpus: Corpus
    findings: list[Finding]
    problems: Problems
    data: Data
    render: bool = True  # False when only checking: charts are validated but not drawn
    sources: set[str] = field(default_factory=set)
    policy: FigurePolicy = field(default_factory=FigurePolicy)  # which figures may be printed
    variant: str = ""  # the document and variant being prepared, for messages: "briefing-dh for Ashdale"
