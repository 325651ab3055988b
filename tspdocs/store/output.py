"""Write outputs atomically under build/: a reader never sees half a file, a failed build leaves the last good one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePosixPath

from ..errors import fail

BUILD_DIR = "build"


def output_path(root: Path, folder: PurePosixPath, filename: str) -> Path:
    """Return where an output goes, refusing any name that would land outside build/."""
    build = (root / BUILD_DIR).resolve()
    if not build.is_relative_to(root.resolve()):
        raise fail(f"{BUILD_DIR}/ is a link to {build}, outside the project; make it a plain folder", "output-name")
    if "/" in filename or "\\" in filename or filename in ("", ".", ".."):
        raise fail(f"output name {filename!r} is not a plain file name", "output-name")
    path = (build / folder / filename).resolve()
    if not path.is_relative_to(build):
        raise fail(f"output {folder}/{filename} would be written outside {BUILD_DIR}/", "output-name")
    return path


def build_file(root: Path, relative: str) -> Path:
    """Return a file under build/ given as "build/…", checked like every output (no link out of build/)."""
    parts = PurePosixPath(relative).parts
    assert parts[0] == BUILD_DIR, relative
    return output_path(root, PurePosixPath(*parts[1:-1]), parts[-1])


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
