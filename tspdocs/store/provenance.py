"""Say exactly which version a document is: the git commit, its date, and whether the tree was dirty.

Git is asked with plain `git` commands; a project outside git still builds,
it just cannot say which version it is. The repository is content from many
hands, so every command its configuration or attributes could make git run is
switched off first (see `safe_git`).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Provenance:
    """Which version a document was built from: commit, date and whether the tree had changes."""

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


# Reading the repository must never run anything its configuration names: an fsmonitor hook, hooks, an
# external diff, a signature check, automatic maintenance. Filters are the subtle case: `git status` and
# `git diff` run `filter.<name>.clean` on any file whose attributes (.gitattributes, .git/info/attributes)
# name that filter, so every filter the configuration defines is blanked on the command line, which
# overrides every configuration file (the cost: a file kept through a filter such as Git LFS may show as
# changed, and the version line then says "with uncommitted changes"). Submodules are not entered, since
# each would bring its own configuration.
SAFE_GIT = ["git", "--no-optional-locks", "--no-pager", "-c", "core.fsmonitor=false",
            "-c", "core.hooksPath=/dev/null", "-c", "core.untrackedCache=false", "-c", "diff.external=",
            "-c", "core.attributesFile=/dev/null", "-c", "log.showSignature=false", "-c", "gc.auto=0",
            "-c", "maintenance.auto=false", "-c", "submodule.recurse=false", "-c", "status.submoduleSummary=false"]
# Neither /etc/gitconfig nor /etc/gitattributes is read; the user's own ~/.gitconfig is (safe.directory).
SAFE_GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_ATTR_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
                "GIT_OPTIONAL_LOCKS": "0"}
FILTER_KEYS = ("clean", "smudge", "process")


def _run(command: list[str]) -> bytes | None:
    try:
        result = subprocess.run(command, capture_output=True, timeout=10, check=False,
                                env={**os.environ, **SAFE_GIT_ENV}, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def safe_git(root: Path) -> list[str]:
    """Return the git command line for `root` with every command its configuration could name switched off."""
    command = [*SAFE_GIT, "-C", str(root)]
    # Listing the configuration runs nothing; it finds every filter driver, included files' too.
    names = (_run([*command, "config", "--null", "--name-only", "--get-regexp", r"^filter\."]) or b"")
    drivers = sorted({key[len("filter."):key.rindex(".")]
                      for key in names.decode("utf-8", errors="replace").split("\0") if key.count(".") >= 2})
    for driver in drivers:
        command += [arg for key in FILTER_KEYS for arg in ("-c", f"filter.{driver}.{key}=")]
        command += ["-c", f"filter.{driver}.required=false"]
    return command


def git_bytes(root: Path, *args: str) -> bytes | None:
    """Run git in `root` and return its output; None when git or the repository is missing."""
    return _run([*safe_git(root), *args])


def git(root: Path, *args: str) -> str | None:
    output = git_bytes(root, *args)
    return output.decode("utf-8", errors="replace") if output is not None else None


def read_provenance(root: Path) -> Provenance:
    head = git(root, "log", "-1", "--format=%h %cs %ct")
    if not head or not head.strip():
        return Provenance()
    commit, date, stamp = head.split()
    status = git(root, "status", "--porcelain", "--untracked-files=normal", "--ignore-submodules=all", "--", ".")
    return Provenance(commit, date, int(stamp), bool(status and status.strip()))
