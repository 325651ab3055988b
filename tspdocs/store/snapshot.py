"""A revision of the project as git holds it: exported from git objects into a scratch folder, and who
last changed each file between two revisions.

Nothing is checked out, so the working tree, the index and every other
revision's files stay exactly as they were. Git runs through `safe_git`
(store/provenance.py), with every command its configuration could name
switched off: `git archive` would otherwise run a file's smudge filter.
"""

from __future__ import annotations

import datetime as dt
import io
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import fail
from .provenance import Provenance, git, git_bytes


@dataclass(frozen=True)
class Revision:
    """A revision as the user named it, and the commit git resolved it to."""

    name: str
    commit: str

    @classmethod
    def resolve(cls, root: Path, name: str) -> Revision:
        """Return the commit `name` names; a name git does not know is the user's mistake."""
        commit = git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{name}^{{commit}}")
        if not commit or not commit.strip():
            raise fail(f"git knows no revision {name!r} here; give a tag, branch or commit", "git-revision")
        return cls(name, commit.strip())

    def provenance(self, root: Path) -> Provenance:
        """Return the version line a build of this revision would carry."""
        head = (git(root, "log", "-1", "--format=%h %cs %ct", self.commit, "--") or "").split()
        if len(head) != 3:
            raise fail(f"cannot read commit {self.name!r}", "git-revision")
        return Provenance(head[0], head[1], int(head[2]), dirty=False)


def export_project(root: Path, revision: Revision, scratch: Path) -> Path:
    """Write the project's files at `revision` under `scratch` and return the project folder there."""
    # Run in a subfolder of the repository, git archives that folder alone, its paths relative to it.
    archive = git_bytes(root, "archive", "--format=tar", revision.commit)
    if archive is None:
        raise fail(f"git could not export revision {revision.name!r}; is the project folder in it?", "git-revision")
    try:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(scratch, filter="data")  # nothing may land outside the scratch folder
    except (tarfile.TarError, OSError) as exc:
        raise fail(f"cannot unpack revision {revision.name!r}: {exc}", "git-revision") from None
    return scratch


@dataclass
class Authors:
    """Who last changed a file between two revisions, and when, as Word's tracked changes record it."""

    root: Path
    old: Revision
    new: Revision | None  # None: the working tree
    fallback: tuple[str, str]  # for changes no commit made (the working tree) or without a source file
    label: str = ""  # one name for every change, when the project asks for it (or must: anonymised)
    known: dict[str, tuple[str, str]] = field(default_factory=dict, init=False, repr=False)  # git runs once a file
    blamed: dict[tuple[str, int, int], tuple[str, str] | None] = field(default_factory=dict, init=False, repr=False)
    blames: int = field(default=0, init=False)  # how many times git blame ran, for the cost on the report

    def __call__(self, path: str) -> tuple[str, str]:
        if path not in self.known:
            self.known[path] = self._lookup(path)
        return self.known[path]

    def _lookup(self, path: str) -> tuple[str, str]:
        if self.label or not path:
            return self.label or self.fallback[0], self.fallback[1]
        # Paths after `--` are taken from the folder git runs in, the project's, as `path` is.
        if self.new is None and (git(self.root, "status", "--porcelain", "--", path) or "").strip():
            return self.fallback  # changed in the working tree: no commit made this change (yet)
        span = f"{self.old.commit}..{self.new.commit if self.new else 'HEAD'}"
        found = (git(self.root, "log", "-1", "--format=%an%x00%ct", span, "--", path) or "").strip()
        if "\0" not in found:
            return self.fallback
        author, stamp = found.split("\0", 1)
        return author, utc(int(stamp))


    def lines(self, path: str, first: int, last: int) -> tuple[str, str] | None:
        """Return who made the newest commit between the two revisions that changed these lines of `path`
        in the newer one, and when; None when no commit in the range did (or none can say: a label, a
        file changed in the working tree), so the file's last commit (`__call__`) answers instead."""
        key = (path, first, last)
        if key not in self.blamed:
            self.blamed[key] = None if self.label or not path or self(path) == self.fallback else \
                self._blame(path, first, last)
        return self.blamed[key]

    def _blame(self, path: str, first: int, last: int) -> tuple[str, str] | None:
        self.blames += 1
        span = f"{self.old.commit}..{self.new.commit if self.new else 'HEAD'}"
        found = git(self.root, "blame", "--porcelain", "-L", f"{first},{last}", span, "--", path) or ""
        commits: dict[str, dict[str, str]] = {}
        current: dict[str, str] = {}
        for line in found.splitlines():
            head = line.split(" ")
            if len(head[0]) in (40, 64) and len(head) >= 3 and all(c in "0123456789abcdef" for c in head[0]):
                current = commits.setdefault(head[0], {})
            elif not line.startswith("\t"):
                key, _, value = line.partition(" ")
                current[key] = value
        made = [c for c in commits.values() if "boundary" not in c and c.get("author-time", "").isdigit()]
        if not made:
            return None
        newest = max(made, key=lambda c: int(c["author-time"]))
        return newest.get("author", ""), utc(int(newest["author-time"]))


def utc(stamp: int) -> str:
    """Return a time as Word's tracked changes write it: YYYY-MM-DDTHH:MM:SSZ."""
    return dt.datetime.fromtimestamp(stamp, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
