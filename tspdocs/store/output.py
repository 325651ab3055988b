"""Write outputs atomically under build/: a reader never sees half a file, a failed build leaves the last good one.

A build's files are committed together (`write_all`): every file is first
written in full to a temporary file beside its destination, and only when
all of them are on disk are they renamed into place. A full disk or an
unwritable folder is found while staging, when nothing has been replaced
yet, so the previous outputs stay exactly as they were.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from ..errors import BuildError, Location, Problem, fail

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


def remove_outputs(root: Path, paths: list[str]) -> None:
    """Delete outputs tspdocs wrote for targets that are gone ("build/…" paths), and the folders they
    leave empty, up to build/ itself."""
    build = (root / BUILD_DIR).resolve()
    for relative in paths:
        path = build_file(root, relative)
        path.unlink(missing_ok=True)
        folder = path.parent
        while folder != build and folder.is_relative_to(build) and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def write_atomic(path: Path, data: bytes) -> None:
    """Write one file: to a temporary file beside `path`, flushed to disk, then renamed into place."""
    write_all([(path, data)])


def write_all(files: list[tuple[Path, bytes]]) -> None:
    """Write every file or none: stage them all, then rename them all; on any failure remove what was
    staged and raise one BuildError saying what stopped it (no space, no permission) and where."""
    staging = Staging()
    staging.add(files)
    staging.commit()


class Staging:
    """Files staged in several steps and committed together, all or none.

    A batch of hundreds of briefings stages each task's files as the task finishes, so that neither the
    build's memory nor a failure depends on how many came before: nothing is renamed into place until
    `commit`, and `discard` (or a failed step) removes every temporary file staged so far.
    """

    def __init__(self) -> None:
        self.staged: list[tuple[Path, Path]] = []  # (temporary, destination)

    def add(self, files: list[tuple[Path, bytes]]) -> None:
        """Write `files` to temporaries beside their destinations; on failure discard everything staged."""
        try:
            _check_space(files)
        except BuildError:
            self.discard()
            raise
        for path, data in files:
            try:
                self.staged.append((_stage(path, data), path))
            except OSError as exc:
                self.discard()
                raise _write_error(exc, path) from None

    def commit(self) -> None:
        """Rename every staged file into place."""
        for index, (temporary, path) in enumerate(self.staged):
            try:
                os.replace(temporary, path)
            except OSError as exc:  # renames within a folder all but never fail; leave no temporary behind
                for left, _ in self.staged[index:]:
                    left.unlink(missing_ok=True)
                self.staged = []
                raise _write_error(exc, path) from None
        self.staged = []

    def discard(self) -> None:
        """Remove every staged file: the destinations stay as they were."""
        for temporary, _ in self.staged:
            temporary.unlink(missing_ok=True)
        self.staged = []


def _stage(path: Path, data: bytes) -> Path:
    """Write `data` in full to a new temporary file beside `path`, flushed to disk, and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _check_space(files: list[tuple[Path, bytes]]) -> None:
    """Refuse before writing anything when the disk plainly cannot hold the files."""
    if not files:
        return
    folder = next((p for p in files[0][0].parents if p.exists()), None)
    if folder is None:
        return
    needed = sum(len(data) for _, data in files) + 1024 * 1024  # a little room for the file system's own
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise BuildError([Problem(f"not enough disk space to write {len(files)} file(s): {needed / 2**20:,.1f} MB "
                                  f"needed, {free / 2**20:,.1f} MB free; free some space and build again; "
                                  "nothing was replaced", "disk-full", Location(_shown(folder)))])


def _write_error(exc: OSError, path: Path) -> BuildError:
    reason = "the disk is full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else \
        "the folder is read-only" if exc.errno == errno.EROFS else \
        "tspdocs may not write there" if exc.errno in (errno.EACCES, errno.EPERM) else exc.strerror or str(exc)
    code = "disk-full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "unwritable"
    return BuildError([Problem(f"cannot write {path.name}: {reason}; none of the files being written was replaced, "
                               "so the previous ones are as they were", code, Location(_shown(path.parent)))])


def _shown(path: Path) -> str:
    """Return a folder as users see it in messages: from build/ on, else as it is."""
    parts = path.parts
    if BUILD_DIR in parts:
        index = len(parts) - 1 - parts[::-1].index(BUILD_DIR)
        return PurePosixPath(*parts[index:]).as_posix()
    return str(path)
