"""`tspdocs changes REV`: which findings were added, changed or removed since a published version."""

from __future__ import annotations

from pathlib import Path

from ..errors import BuildError, fail
from ..project.projectfs import ProjectFS, decode_text
from ..project.readers import split_front_matter
from ..project.yamlio import load_yaml
from ..store.provenance import git, git_bytes

FINDINGS = "content/findings"


def finding_changes(root: Path, revision: str) -> list[str]:
    """Return one line per finding that differs between `revision` and the working tree."""
    fs = ProjectFS.at(root)
    if git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}") is None:
        raise fail(f"git knows no revision {revision!r} here; give a tag, branch or commit", "git-revision")
    prefix = (git(root, "rev-parse", "--show-prefix") or "").strip()
    # safe_git blanks every filter, so comparing the working tree runs no `filter.*.clean` command.
    listed = git(root, "diff", "--no-ext-diff", "--no-textconv", "--ignore-submodules=all", "--name-status",
                 "--find-renames", revision, "--", FINDINGS) or ""
    untracked = git(root, "ls-files", "--others", "--exclude-standard", "--", FINDINGS) or ""
    lines = []
    for row in listed.splitlines() + [f"A\t{path}" for path in untracked.splitlines()]:
        status, *paths = row.split("\t")
        old, new = paths[0], paths[-1]
        if status.startswith("A"):
            lines.append(f"added    {_describe(fs.read_text(root / _local(new, prefix)), new)}")
        elif status.startswith("D"):
            lines.append(f"removed  {_describe(_at(root, revision, prefix + _local(old, prefix)), old)}")
        else:
            before = _at(root, revision, prefix + _local(old, prefix))
            after = fs.read_text(root / _local(new, prefix))
            lines.append(f"changed  {_describe(after, new)}{_what_changed(before, after)}")
    return lines or [f"no findings changed since {revision}"]


def _local(path: str, prefix: str) -> str:
    return path[len(prefix):] if prefix and path.startswith(prefix) else path


def _at(root: Path, revision: str, path: str) -> str:
    data = git_bytes(root, "show", "--no-textconv", f"{revision}:{path}")
    if data is None:
        raise fail(f"cannot read {path} at {revision}", "git-revision")
    return decode_text(data, f"{path} at {revision}")


def _front(text: str, path: str) -> dict[str, object]:
    try:
        front, _body, _line = split_front_matter(text.replace("\r\n", "\n"), path)
        data = load_yaml(front, path, first_line=2) if front else None
    except BuildError:
        return {}
    return dict(data) if isinstance(data, dict) else {}


def _describe(text: str, path: str) -> str:
    front = _front(text, path)
    return f"{front.get('id', '?')}  {front.get('title', path)}  ({path})"


def _what_changed(before: str, after: str) -> str:
    old, new = _front(before, "before"), _front(after, "after")
    fields = [f"{k}: {old.get(k)!s} → {new.get(k)!s}" for k in sorted(set(old) | set(new))
              if old.get(k) != new.get(k) and k in ("status", "phase", "title", "questions", "audiences")]
    parts = fields[:]
    if before.split("---", 2)[-1] != after.split("---", 2)[-1]:
        parts.append("text")
    return f"  [{'; '.join(parts)}]" if parts else ""
