"""What every preparation step of one document shares: the corpus, its findings, the data and the problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..data.suppression import FigurePolicy, Mark, mark
from ..errors import Location, Problems
from ..project.model import Finding
from ..project.readers import Corpus
from ..store.cache import Cache
from ..store.trees import ParseCache

if TYPE_CHECKING:
    from ..data import Data, Value  # imported for real by the build; pandas stays unimported until asked for


@dataclass(frozen=True)
class Quoted:
    """A value as a variant may quote it: the data it came from, the value, the policy that applies to it,
    and the shorthand it would print as instead ("" when it may be printed)."""

    data: Data
    value: Value
    policy: FigurePolicy
    shorthand: Mark


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
    parses: ParseCache = field(default_factory=lambda: ParseCache(Cache(None)))  # captions' and notes' trees

    def quoted(self, name: str, where: Location | None, *, all_areas: bool = False) -> Quoted:
        """Return value `name` for this variant's rows, or for all rows, with whether it may be printed."""
        data = (self.data.base or self.data) if all_areas else self.data
        value = data.value(name, where)
        policy = self.policy.with_min_base(data.spec.values[name].min_base)
        return Quoted(data, value, policy, mark(value.value, value.kind, value.base, policy))
