"""One build session: everything a command reads once and every step then shares.

mkdocs passes one validated config through its build; tspdocs passes one
`BuildSession`. It is made once per command (`tspdocs build`, `check`, each
batch task), is frozen, and holds the project as read, its git provenance,
the content-hash cache, the data, the references, the epoch written into
outputs and the user's choices. Nothing else keeps state between documents.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..data import Data
from ..errors import BuildError, Location, Problem
from ..prepare.citations import References
from ..project.readers import Corpus, read_corpus
from ..project.targets import Target
from ..store.cache import Cache
from ..store.provenance import Provenance, read_provenance
from ..store.trees import ParseCache

LATEST_EPOCH = 4354819199  # 2107-12-31T23:59:59Z, the last second a ZIP (DOCX) date can hold


@dataclass(frozen=True)
class BuildOptions:
    """Choices a user makes on the command line that change what a document contains."""

    include_drafts: bool = False
    allow_overlength: bool = False


@dataclass(frozen=True)
class BuildSession:
    """The project as one command sees it; see the module docstring."""

    corpus: Corpus
    provenance: Provenance
    cache: Cache
    data: Data
    references: References
    epoch: int
    options: BuildOptions
    parses: ParseCache

    @classmethod
    def open(cls, root: Path, options: BuildOptions = BuildOptions(), *,
             provenance: Provenance | None = None, cache: Cache | None = None,
             keep_going: bool = False, keep_renders: bool = True) -> BuildSession:
        """Read the project under `root`; raise one BuildError listing every problem in its content.

        A caller that has read the provenance already (the command line needs it before deciding
        whether anything is to be done) passes it in, so git runs once per command. A revision exported
        into a scratch folder (`tspdocs diff`) passes the project's own cache, which is keyed by content.
        With `keep_going`, errors in findings' and sections' front matter wait in `corpus.problems` (see
        read_corpus). `keep_renders` False keeps no template output in the parse pack (a batch's).
        """
        corpus = read_corpus(root, keep_going=keep_going)
        provenance = provenance or read_provenance(corpus.root)
        cache = cache or Cache(corpus.root)
        return cls(corpus, provenance, cache, Data(corpus.fs, corpus.project, cache=cache),
                   References(corpus.fs, cache), build_epoch(provenance), options,
                   ParseCache(cache, keep_renders=keep_renders))

    def keep_cache(self) -> None:
        """Write what this session worked out for later builds: parsed trees, tables, charts, citations."""
        self.parses.save()
        self.cache.commit()

    @property
    def root(self) -> Path:
        return self.corpus.root

    @property
    def draft_mark(self) -> bool:
        """Mark every document DRAFT when it is built from uncommitted changes."""
        return self.provenance.dirty

    def data_for(self, target: Target) -> Data:
        """Return the data a target quotes: the whole project's, or one place's for an area briefing."""
        if not target.place:
            return self.data
        return Data(self.corpus.fs, self.corpus.project, scope={target.place_column: target.place}, base=self.data)


def build_epoch(provenance: Provenance) -> int:
    """Return the time written into outputs: SOURCE_DATE_EPOCH, else the commit's time on a clean tree.

    Either way the same inputs give byte-identical files; only a tree with
    uncommitted changes and no SOURCE_DATE_EPOCH uses the current time.
    """
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value:
        # A ZIP date (so a DOCX) cannot go past 2107; refuse what no output format could write.
        if not value.isdigit() or not LATEST_EPOCH >= int(value[:20]) >= 0:
            raise BuildError([Problem(f"SOURCE_DATE_EPOCH={value[:40]!r} is not a time tspdocs can write: give whole "
                                      f"seconds since 1970, at most {LATEST_EPOCH} (the end of 2107)",
                                      "environment", Location("(environment)"))])
        return int(value)
    if provenance.timestamp is not None and not provenance.dirty:
        return provenance.timestamp
    return int(time.time())
