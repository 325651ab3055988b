"""Read project files: only from inside the project, always as UTF-8 text with LF line ends.

Every input passes through here, so this is where the safety rule "rendering
never reads outside the project" is enforced (symlinks are resolved before the
check) and where encoding mistakes become `file:line` problems instead of
mojibake in a published report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import Location, fail

UTF8_BOM = b"\xef\xbb\xbf"
PROJECT_FILE = "content/project.yaml"


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
        try:
            return path.resolve().relative_to(self.root).as_posix()
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

    def read_bytes(self, path: Path, where: Location | None = None) -> bytes:
        real = path.resolve()
        if not real.is_relative_to(self.root):
            raise fail(f"{self.display(path)} leads outside the project folder",
                       "outside-project", where)
        try:
            return real.read_bytes()
        except FileNotFoundError:
            raise fail(f"file {self.display(path)} does not exist", "missing-file", where) from None
        except IsADirectoryError:
            raise fail(f"{self.display(path)} is a folder, not a file", "missing-file", where) from None

    def read_text(self, path: Path, where: Location | None = None) -> str:
        """Return the file as text: UTF-8 (a BOM is accepted), CRLF and CR turned into LF."""
        data = self.read_bytes(path, where)
        return decode_text(data, self.display(path))


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
