"""Say exactly which version a document is: the git commit, its date, and whether the tree was dirty.

Git is asked with plain `git` commands; a project outside git still builds,
it just cannot say which version it is.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Provenance:
    commit: str = ""
    date: str = ""
    timestamp: int | None = None
    dirty: bool = False

    @property
    def text(self) -> str:
        """The line every output carries, e.g. 'Version 1a2b3c4 of 2010-12-16 (with uncommitted changes)'."""
        if not self.commit:
            return "Version: not under version control"
        state = " (with uncommitted changes)" if self.dirty else ""
        return f"Version {self.commit} of {self.date}{state}"


# Reading the repository must never run anything its configuration names (an fsmonitor hook, say).
SAFE_GIT = ["git", "--no-optional-locks", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null"]


def git_bytes(root: Path, *args: str) -> bytes | None:
    """Run git in `root` and return its output; None when git or the repository is missing."""
    try:
        result = subprocess.run([*SAFE_GIT, "-C", str(root), *args], capture_output=True, timeout=10,
                                check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def git(root: Path, *args: str) -> str | None:
    output = git_bytes(root, *args)
    return output.decode("utf-8", errors="replace") if output is not None else None


def read_provenance(root: Path) -> Provenance:
    head = git(root, "log", "-1", "--format=%h %cs %ct")
    if not head or not head.strip():
        return Provenance()
    commit, date, stamp = head.split()
    status = git(root, "status", "--porcelain", "--untracked-files=normal", "--", ".")
    return Provenance(commit, date, int(stamp), bool(status and status.strip()))
