"""Read project files: only from inside the project, always as UTF-8 text with LF line ends.

Every input passes through here, so this is where the safety rule "rendering
never reads outside the project" is enforced (symlinks are resolved before the
check) and where encoding mistakes become `file:line` problems instead of
mojibake in a published report.

A read takes only a regular file: a FIFO, device or socket is refused after a
`stat` and before any byte is read (and the file is opened non-blocking, so a
FIFO swapped in meanwhile cannot stall the build), and a file over
`MAX_FILE_BYTES` (64 MiB, far above any finding, template, picture or data
file a report needs, far below what would exhaust memory) is refused with its
size. `digest` hashes a file through the same checks without the size limit,
for the change detection that must look at every file.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import BuildError, Location, fail

UTF8_BOM = b"\xef\xbb\xbf"
PROJECT_FILE = "content/project.yaml"
MAX_FILE_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC


def find_root(start: Path) -> Path:
    """Return the nearest folder at or above `start` holding content/project.yaml."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    raise fail(f"no {PROJECT_FILE} here or in any parent folder of {here}; run tspdocs inside a project, "
               "pass --project DIR, or create one with `tspdocs init DIR`", "no-project")


@dataclass(frozen=True)
class ProjectFS:
    """The project folder and the one way to reach files in it."""

    root: Path

    @classmethod
    def at(cls, root: str | Path) -> ProjectFS:
        return cls(Path(root).resolve())

    def display(self, path: Path) -> str:
        """Return `path` as users see it in messages: relative to the project, with `/`."""
        return self._shown(path.resolve(), path)

    def _shown(self, real: Path, path: Path) -> str:
        """`display` of `path` whose real path (`path.resolve()`) is `real`: a read that has resolved the
        path once names it without walking it again (every link on the way is one more system call)."""
        try:
            return real.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def resolve(self, relative: str | Path, *, base: Path | None = None,
                where: Location | None = None, what: str = "file") -> Path:
        """Return the real path of a project file, refusing anything that leads outside.

        `relative` is taken from `base` (a folder inside the project) or the
        project root; absolute paths, `..` escapes and symlinks out of the
        project are refused, since content comes from many hands.
        """
        text = str(relative)
        if "\x00" in text or "://" in text or text.startswith("file:"):
            raise fail(f"{what} {text!r} is not a path inside the project", "outside-project", where)
        candidate = Path(text)
        if candidate.is_absolute():
            raise fail(f"{what} {text!r} is an absolute path; give a path inside the project",
                       "outside-project", where)
        real = ((base or self.root) / candidate).resolve()
        if not real.is_relative_to(self.root):
            raise fail(f"{what} {text!r} leads outside the project folder {self.root}",
                       "outside-project", where)
        return real

    def read_bytes(self, path: Path, where: Location | None = None, *, limit: int | None = None) -> bytes:
        """Return the bytes of a regular file inside the project, refusing one over `limit` bytes."""
        return self._read(path, where, limit)[0]

    def read_source(self, path: Path, where: Location | None = None) -> tuple[str, str]:
        """Return the file's text, as `read_text`, and its name as `display` gives it, for messages."""
        data, shown = self._read(path, where, None)
        return decode_text(data, shown), shown

    def _read(self, path: Path, where: Location | None, limit: int | None) -> tuple[bytes, str]:
        limit = MAX_FILE_BYTES if limit is None else limit
        opened = self._opened(path, where)
        with opened as (handle, size):
            if size > limit:
                raise self._too_large(opened.shown, size, limit, where)
            data = handle.read(limit + 1)  # the file may have grown since it was looked at
        if len(data) > limit:
            raise self._too_large(opened.shown, len(data), limit, where)
        return data, opened.shown

    def digest(self, path: Path, where: Location | None = None) -> str:
        """Return the SHA-256 of a regular file inside the project, read in pieces."""
        hasher = hashlib.sha256()
        with self._opened(path, where) as (handle, _size):
            while chunk := handle.read(CHUNK):
                hasher.update(chunk)
        return hasher.hexdigest()

    def is_readable(self, path: Path) -> bool:
        """Tell, without reading, whether `path` is a regular file inside the project (links followed)."""
        real = path.resolve()
        try:
            return real.is_relative_to(self.root) and stat.S_ISREG(os.stat(real).st_mode)
        except (OSError, ValueError):
            return False

    def _opened(self, path: Path, where: Location | None) -> _Opened:
        real = path.resolve()
        shown = self._shown(real, path)
        if not real.is_relative_to(self.root):
            raise fail(f"{shown} leads outside the project folder", "outside-project", where)
        try:
            self._check_regular(os.stat(real).st_mode, shown, where)
            fd = os.open(real, _OPEN_FLAGS)
        except FileNotFoundError:
            raise fail(f"file {shown} does not exist", "missing-file", where) from None
        except IsADirectoryError:
            raise fail(f"{shown} is a folder, not a file", "missing-file", where) from None
        except OSError as exc:
            raise fail(f"cannot read {shown}: {exc.strerror or exc}", "unreadable", where) from None
        try:
            info = os.fstat(fd)
            self._check_regular(info.st_mode, shown, where)  # the file opened is the file looked at
            os.set_blocking(fd, True)
        except BaseException:
            os.close(fd)
            raise
        return _Opened(os.fdopen(fd, "rb"), info.st_size, shown)

    @staticmethod
    def _check_regular(mode: int, shown: str, where: Location | None) -> None:
        if stat.S_ISDIR(mode):
            raise fail(f"{shown} is a folder, not a file", "missing-file", where)
        if not stat.S_ISREG(mode):
            kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                    else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a plain file")
            raise fail(f"{shown} is {kind}; only regular files are read", "special-file", where)

    @staticmethod
    def _too_large(shown: str, size: int, limit: int, where: Location | None) -> BuildError:
        return fail(f"{shown} holds {size:,} bytes, more than the {limit:,} ({limit // 2**20} MiB) "
                    "a project file may hold", "file-too-large", where)

    def read_text(self, path: Path, where: Location | None = None) -> str:
        """Return the file as text: UTF-8 (a BOM is accepted), CRLF and CR turned into LF."""
        return self.read_source(path, where)[0]


class _Opened:
    """An open regular file, the size it had when opened and its name in messages, closed on leaving the
    `with` block."""

    def __init__(self, handle: BinaryIO, size: int, shown: str) -> None:
        self.handle, self.size, self.shown = handle, size, shown

    def __enter__(self) -> tuple[BinaryIO, int]:
        return self.handle, self.size

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


def decode_text(data: bytes, display: str) -> str:
    """Decode UTF-8, or fail naming the line of the first byte that is not UTF-8.

    A BOM and Windows line ends are harmless and accepted silently, as Pandoc
    does; a Windows-1252 file is not guessed at, because guessing wrong puts
    the wrong characters into a published document.
    """
    data = data.removeprefix(UTF8_BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        hint = _encoding_hint(data)
        raise fail(f"byte 0x{byte:02x} is not UTF-8{hint}; re-save the file as UTF-8",
                   "encoding", Location(display, line)) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _encoding_hint(data: bytes) -> str:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return ""
    return " (the file looks like Windows-1252)"
