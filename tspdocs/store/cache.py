"""A content-addressed cache for the expensive, deterministic steps: data, charts and citations.

Each result is stored under build/.tspdocs/cache/ by the SHA-256 of
everything that determines it (the inputs, the options and the tspdocs
version), so a warm build never imports pandas or matplotlib or runs
Pandoc for results it already has. Entries are plain JSON and bytes, never
pickles: nothing in the cache can run code. Deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import BuildError
from .output import build_file, write_all

CACHE = "build/.tspdocs/cache"
FORMAT = 2  # the shape of cached results; raise it whenever that shape changes (2: figures carry their bases)


class Cache:
    """Read hits from disk at once; keep new entries until `commit`, so a failed build writes nothing."""

    def __init__(self, root: Path | None) -> None:
        """With `root` None the cache is off (a throwaway build)."""
        self.root = root
        self.pending: dict[Path, bytes] = {}
        self._folders: dict[str, Path] = {}  # kind -> its real folder; see _path
        self._lock = threading.Lock()  # a batch may share one cache between threads

    def commit(self) -> None:
        """Write the new entries; a cache that cannot be written (a full disk) is only a slower next build."""
        with self._lock:
            entries, self.pending = self.pending, {}
        try:
            write_all(list(entries.items()))
        except BuildError:
            pass

    @staticmethod
    def key(*parts: Any) -> str:
        text = json.dumps([__version__, FORMAT, *parts], sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _path(self, kind: str, key: str, suffix: str) -> Path | None:
        """Return where an entry is, checked as every file under build/ is (no link out of it).

        Resolving each entry's full path walked a dozen folders per get and put. The first entry of a kind
        is checked in full; when it is not itself a link, the folder it resolved to is the kind's real
        folder, kept for the cache's life (one build, in which only tspdocs writes under build/), and a
        later entry there, a plain name, is real unless it is a link, which is then checked in full.
        """
        if self.root is None:
            return None
        folder = self._folders.get(kind)
        if folder is not None and not (folder / f"{key}{suffix}").is_symlink():
            return folder / f"{key}{suffix}"
        relative = f"{CACHE}/{kind}/{key}{suffix}"
        path = build_file(self.root, relative)
        if folder is None and not (self.root / relative).is_symlink():
            self._folders[kind] = path.parent
        return path

    def get_json(self, kind: str, key: str) -> Any:
        data = self.get_bytes(kind, key, ".json")
        if data is None:
            return None
        try:
            return json.loads(data)
        except ValueError:
            return None  # a damaged entry is just a miss

    def put_json(self, kind: str, key: str, value: Any) -> None:
        self.put_bytes(kind, key, ".json", json.dumps(value, ensure_ascii=False).encode("utf-8"))

    def get_bytes(self, kind: str, key: str, suffix: str) -> bytes | None:
        path = self._path(kind, key, suffix)
        if path is None:
            return None
        with self._lock:
            waiting = self.pending.get(path)
        if waiting is not None:
            return waiting
        return path.read_bytes() if path.is_file() else None

    def put_bytes(self, kind: str, key: str, suffix: str, data: bytes) -> None:
        path = self._path(kind, key, suffix)
        if path is not None:
            with self._lock:
                self.pending[path] = data
