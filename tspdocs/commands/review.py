"""`tspdocs review RETURNED.docx …`: where each comment and tracked change of a reviewed file belongs.

Each returned file must be one tspdocs wrote (its `_tsp…` anchors and manifest say so) from a commit this
repository has: a file from another tool, or from a history this clone lacks, is refused rather than
guessed at, since every line reported would point at the wrong place.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import Location, fail
from ..project.projectfs import ProjectFS
from ..review.locate import Located, Locator
from ..review.manifest import PREFIX, Manifest
from ..review.reader import Returned, read_returned
from ..store.output import BUILD_DIR
from ..store.provenance import git

MAX_RETURNED = 256 * 2**20


def review_files(root: Path, files: list[Path]) -> list[Located]:
    """Read every returned file and locate its remarks; all files are checked before any is reported."""
    fs = ProjectFS.at(root)
    locator = Locator(root)
    located: list[Located] = []
    for path in files:
        returned, manifest = read_reviewed(root, path, fs)
        located += locator.locate(returned, manifest)
    return located


def read_reviewed(root: Path, path: Path, fs: ProjectFS) -> tuple[Returned, Manifest]:
    """Read one returned file and the manifest it was built with, refusing one tspdocs cannot place."""
    name = fs.display(path)
    try:
        data = path.read_bytes()[:MAX_RETURNED + 1]
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
