"""`tspdocs review RETURNED.docx …`: where each comment and tracked change of a reviewed file belongs.

Each returned file must be one tspdocs wrote (its `_tsp…` anchors and manifest say so) from a commit this
repository has: a file from another tool, or from a history this clone lacks, is refused rather than
guessed at, since every line reported would point at the wrong place.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from ..errors import BuildError, Location, fail
from ..project.projectfs import ProjectFS
from ..review.apply import Outcome, Planner
from ..review.locate import Located, Locator
from ..review.manifest import PREFIX, Manifest
from ..review.reader import Returned, read_returned
from ..store.output import BUILD_DIR, write_all
from ..store.provenance import git


def review_files(root: Path, files: list[Path]) -> list[Located]:
    """Read every returned file and locate its remarks; all files are checked before any is reported."""
    fs = ProjectFS.at(root)
    locator = Locator(root)
    located: list[Located] = []
    for path in files:
        returned, manifest = read_reviewed(root, path, fs)
        located += locator.locate(returned, manifest)
    return located


def apply_review(root: Path, located: list[Located], *, write: bool, comments: bool) -> tuple[str, list[Outcome]]:
    """Carry the safe changes (and with `comments`, the comments as CriticMarkup) into the Markdown.

    Return the patch as a unified diff and what became of each remark; with `write` False nothing is
    written (a dry run). All files are written together or none.
    """
    fs = ProjectFS.at(root)

    def read(path: str) -> str | None:
        try:
            return fs.read_text(fs.resolve(path))
        except BuildError:
            return None

    def unchanged(path: str, commit: str) -> bool:
        return git(root, "diff", "--quiet", "--no-ext-diff", "--no-textconv", commit, "--", path) is not None

    planner = Planner(read, unchanged)
    texts, outcomes = planner.plan(located, comments=comments)
    patch = "".join(_diff(path, planner.texts[path] or "", text) for path, text in sorted(texts.items()))
    if write and texts:
        write_all([(fs.resolve(path), text.encode("utf-8")) for path, text in sorted(texts.items())])
    return patch, outcomes


def _diff(path: str, before: str, after: str) -> str:
    """Return a unified diff that `patch` and `git apply` accept, a last line without its newline included."""
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 f"a/{path}", f"b/{path}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def read_reviewed(root: Path, path: Path, fs: ProjectFS) -> tuple[Returned, Manifest]:
    """Read one returned file and the manifest it was built with, refusing one tspdocs cannot place."""
    name = fs.display(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read it ({exc.strerror}); give the path of the returned .docx", "review-not-docx",
                   Location(name)) from None
    returned = read_returned(data, name)
    manifest = returned.manifest or _manifest_copy(root, returned)
    if manifest is None:
        raise fail("tspdocs did not write this file (it has no tspdocs anchors); review reads the DOCX files "
                   "`tspdocs build` writes, as the reviewer sent them back", "review-foreign", Location(name))
    if manifest.commit and git(root, "cat-file", "-e", f"{manifest.commit}^{{commit}}") is None:
        raise fail(f"it was built from commit {manifest.commit}, which this repository does not have; run review "
                   "in the repository it was built from, or fetch that commit first", "review-commit",
                   Location(name))
    return returned, manifest


def _manifest_copy(root: Path, returned: Returned) -> Manifest | None:
    """Find the manifest's copy under build/anchors/ when the office suite dropped the part from the file.

    Anchor names begin with the document's id, so the copy is the one for that document whose anchors
    cover most of those still in the file.
    """
    ids = {m.group(1) for name in returned.anchor_names if (m := re.match(rf"{PREFIX}([0-9a-f]{{8}})_", name))}
    best: tuple[int, Manifest] | None = None
    for document in sorted(ids):
        for copy in sorted((root / BUILD_DIR / "anchors").glob(f"*/{document}*.json")):
            try:
                manifest = Manifest.from_json(copy.read_bytes())
            except (OSError, ValueError, KeyError, TypeError):
                continue
            covered = len(returned.anchor_names & manifest.anchors.keys())
            if best is None or covered > best[0]:
                best = (covered, manifest)
    return best[1] if best else None
