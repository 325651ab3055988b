"""Remember what the last build read and wrote, so an unchanged document is not built again.

Two levels, both content hashes: if no input file changed at all (checked
from file sizes and times, confirmed by hash), the build stops before
importing anything heavy; otherwise each target is rebuilt only if one of
the files it read, its findings, its settings or the version changed.
build/manifest.json lists every input with its hash and every output.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import stat
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import BuildError
from ..project.projectfs import ProjectFS
from .output import build_file, write_atomic

STATE_FILE = "build/.tspdocs/state.json"
MANIFEST_FILE = "build/manifest.json"
INPUT_FOLDERS = ("content", "templates", "assets")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class FileStamp:
    """An input's size, time and hash: a file whose size and time are unchanged keeps its hash."""

    size: int
    mtime_ns: int
    sha256: str


@dataclass
class OutputRecord:
    """An output as written, to tell later whether it is still intact."""

    path: str
    format: str
    bytes: int
    sha256: str
    mtime_ns: int


@dataclass
class TargetRecord:
    """A target's last build: the key it was built for, the files it read, what it wrote."""

    key: str
    deps: list[str]
    outputs: list[OutputRecord]
    figures: list[dict[str, Any]] = field(default_factory=list)  # every figure the outputs print


@dataclass
class State:
    """What the last builds knew: input stamps, each target's key and outputs, and each request's targets."""

    version: str = __version__
    inputs: dict[str, FileStamp] = field(default_factory=dict)
    targets: dict[str, TargetRecord] = field(default_factory=dict)
    requests: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path) -> State:
        try:
            # Through the file gate: a FIFO or device left at the state's place is no state, not a hang.
            raw = json.loads(ProjectFS.at(root).read_bytes(build_file(root, STATE_FILE)).decode("utf-8"))
            if raw.get("version") != __version__:
                return cls()
            return cls(
                inputs={k: FileStamp(**v) for k, v in raw["inputs"].items()},
                targets={k: TargetRecord(v["key"], v["deps"], [OutputRecord(**o) for o in v["outputs"]],
                                         v.get("figures", []))
                         for k, v in raw["targets"].items()},
                requests=raw.get("requests", {}),
            )
        except (OSError, ValueError, KeyError, TypeError, BuildError):
            return cls()  # no state, or one from another version: build everything

    def save(self, root: Path, updated: list[str]) -> State:
        """Write the state, merging in records another process saved meanwhile (a preview server's
        background build), so that neither forgets what the other built."""
        with _locked(root):
            latest = State.load(root)
            for name in updated:
                latest.targets[name] = self.targets[name]
            latest.inputs, latest.requests = self.inputs, {**latest.requests, **self.requests}
            latest.write(root)
        return latest

    def write(self, root: Path) -> None:
        """Write the state file; callers hold the lock (`_locked`)."""
        write_atomic(build_file(root, STATE_FILE), json.dumps(asdict(self), indent=1, sort_keys=True).encode("utf-8"))


    def prune(self, root: Path, known: Collection[str]) -> list[str]:
        """Forget every target the project no longer defines (`known` names those it does: a document
        removed from or renamed in documents.yaml), write the state, and return the outputs only those
        targets had, for the build to delete: build/ and the manifest then list what the project makes."""
        with _locked(root):
            latest = State.load(root)
            gone = [name for name in latest.targets if name.split("[")[0] not in known]
            if not gone:
                return []
            kept = {o.path for name, record in latest.targets.items() if name not in gone for o in record.outputs}
            stale = sorted({o.path for name in gone for o in latest.targets.pop(name).outputs} - kept)
            latest.requests = {request: [n for n in names if n not in gone]
                               for request, names in latest.requests.items()}
            latest.write(root)
        self.targets, self.requests = latest.targets, latest.requests
        return stale


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    """Hold build/.tspdocs/lock while the state is read, merged and written back."""
    path = build_file(root, "build/.tspdocs/lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            path.unlink()  # tspdocs's own file: a FIFO there would make opening it wait for a reader forever
    except FileNotFoundError:
        pass
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def input_files(root: Path) -> Iterator[tuple[str, Path, os.stat_result]]:
    """Yield every input file (project-relative name, path, stat) in a fixed order.

    Only regular files count, reached directly or through a link that stays inside the project: a FIFO,
    socket or device, a dangling link and a link out of the project are passed over without being opened
    (the file gate refuses them, with their place, if a document reads them), so that an unused odd file
    can neither stall the scan, nor exhaust memory, nor put an outside file's hash in the manifest.
    """
    real_root = root.resolve()
    for folder in INPUT_FOLDERS:
        for directory, subfolders, files in os.walk(root / folder):
            subfolders.sort()
            for name in sorted(files):
                path = Path(directory) / name
                try:
                    info = path.lstat()
                    if stat.S_ISLNK(info.st_mode):
                        if not path.resolve().is_relative_to(real_root):
                            continue
                        info = path.stat()
                except (OSError, RuntimeError):
                    continue  # a dangling link or a loop of links
                if stat.S_ISREG(info.st_mode):
                    yield path.relative_to(root).as_posix(), path, info


def scan_inputs(root: Path, previous: dict[str, FileStamp]) -> dict[str, FileStamp]:
    """Stamp every input file; a file whose size and time are unchanged keeps its known hash."""
    stamps: dict[str, FileStamp] = {}
    fs = ProjectFS.at(root)
    for relative, path, info in input_files(root):
        known = previous.get(relative)
        if known and known.size == info.st_size and known.mtime_ns == info.st_mtime_ns:
            stamps[relative] = known
        else:
            try:
                stamps[relative] = FileStamp(info.st_size, info.st_mtime_ns, fs.digest(path))
            except BuildError:
                continue  # changed into something the gate refuses since it was looked at
    return stamps


def input_signature(root: Path) -> str:
    """Hash every input's name, size and time: a cheap way to tell that nothing was touched."""
    return request_key([(relative, info.st_size, info.st_mtime_ns) for relative, _path, info in input_files(root)])


def request_key(*parts: Any) -> str:
    return sha256(json.dumps(parts, sort_keys=True, default=str).encode("utf-8"))


def outputs_intact(root: Path, record: TargetRecord) -> bool:
    for output in record.outputs:
        path = root / output.path
        try:
            info = path.stat()
        except OSError:
            return False
        if info.st_size != output.bytes or info.st_mtime_ns != output.mtime_ns:
            return False
    return True


def nothing_to_do(root: Path, request: str) -> list[OutputRecord] | None:
    """Return the outputs of a request if no input changed since it was last built, else None.

    Reads only the state file and file stamps, so it answers in milliseconds.
    """
    state = State.load(root)
    names = state.requests.get(request)
    if not names or any(n not in state.targets for n in names):
        return None
    current = scan_inputs(root, state.inputs)
    if {k: v.sha256 for k, v in current.items()} != {k: v.sha256 for k, v in state.inputs.items()}:
        return None
    records = [state.targets[n] for n in names]
    if not all(outputs_intact(root, record) for record in records):
        return None
    return [output for record in records for output in record.outputs]


def target_key(inputs: dict[str, FileStamp], deps: list[str], *parts: Any) -> str:
    """Hash what a target depends on: the files it read and everything else that shapes it."""
    files = [(dep, inputs[dep].sha256 if dep in inputs else None) for dep in sorted(deps)]
    return request_key(files, *parts)


def write_manifest(root: Path, state: State, provenance: str) -> None:
    newest: dict[str, tuple[str, OutputRecord, TargetRecord]] = {}
    for name, record in state.targets.items():
        for output in record.outputs:
            if output.path not in newest or output.mtime_ns > newest[output.path][1].mtime_ns:
                newest[output.path] = (name.split("[")[0], output, record)
    manifest = {
        "tspdocs": __version__,
        "provenance": provenance,
        "inputs": [{"path": path, "sha256": stamp.sha256, "bytes": stamp.size}
                   for path, stamp in sorted(state.inputs.items())],
        "outputs": [{"target": name, "path": o.path, "format": o.format, "bytes": o.bytes, "sha256": o.sha256,
                     "figures": record.figures}
                    for name, o, record in (newest[path] for path in sorted(newest)) if (root / o.path).is_file()],
    }
    write_atomic(build_file(root, MANIFEST_FILE), json.dumps(manifest, indent=2).encode("utf-8"))
