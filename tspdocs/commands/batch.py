"""Briefings by area: one briefing per local area in the survey data, per audience, in parallel.

The (audience, area) pairs are split into chunks, each a task for a
`concurrent.futures` executor: a local process pool by default, or any
executor passed in, such as a Dask client's (`client.get_executor()`), to
spread hundreds of briefings over a cluster. A task opens one build session
and builds its chunk with the same steps as `tspdocs build`; it returns the
files' bytes, and only when every task has succeeded is anything written.
"""

from __future__ import annotations

import gc
import json
import threading
import uuid
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..console import Console
from ..errors import BuildError, Problems, fail
from ..prepare.figures import figure_records
from ..project.model import OutputFormat
from ..project.targets import briefing_target, for_place, slug
from ..project.validation import resolve_name
from ..store.output import Staging, build_file, output_path
from ..store.state import sha256
from ..writers.pdf import fonts_shared
from .build import extra_files, render_documents
from .render import Renderer
from .session import BuildOptions, BuildSession

MANIFEST = "build/briefings/manifest-by-{column}.json"
CHUNKS_PER_WORKER = 4  # enough chunks that a slow one does not leave the other workers idle
# A chunk's briefings are all prepared before any is rendered, and its files come back together: a
# bounded chunk keeps each task's memory the same however many areas the data has.
MOST_PER_CHUNK = 6


@dataclass(frozen=True)
class AreaFile:
    """One file a batch wrote for an area, as its index lists it, with the figures it prints."""

    audience: str
    area: str
    format: str
    path: str
    bytes: int
    sha256: str
    figures: list[dict[str, Any]] = field(default_factory=list, compare=False)  # what it prints, with bases


@dataclass(frozen=True)
class Chunk:
    """One task: some (audience, area) briefings, built in one session on one worker."""

    root: str
    options: BuildOptions
    column: str
    formats: list[OutputFormat] | None
    briefings: list[tuple[str, str]]
    batch: str  # the build this chunk belongs to: its chunks share one session per worker


def areas(session: BuildSession, column: str) -> list[str]:
    """Return the distinct values of `column` across the project's file tables, in order."""
    data = session.data
    found: list[str] = []
    for name, spec in data.spec.tables.items():
        if spec.file and spec.columns and column in spec.columns:
            found.extend(str(v) for v in data.table(name, data.where("tables", name)).frame[column].unique())
    if not found:
        raise fail(f"no data table has a column {column!r} to build briefings by", "data-column",
                   data.where("tables"))
    places = sorted(set(found), key=found.index)
    folders: dict[str, str] = {}
    for place in places:
        other = folders.setdefault(slug(place), place)
        if other != place:
            raise fail(f"areas {other!r} and {place!r} would share the folder {slug(place)!r}; make the names in "
                       f"column {column!r} differ by more than case and punctuation", "data-column",
                       data.where("tables"))
    return places


def build_by_area(root: Path, audience: str, column: str, formats: list[OutputFormat] | None,
                  options: BuildOptions, *, jobs: int = 1, executor: Executor | None = None,
                  console: Console | None = None) -> list[AreaFile]:
    """Build every audience's (or one audience's) briefing for every area, all or nothing.

    Tasks return their files' bytes; only when every task has succeeded are the files written (each
    atomically) and the manifest with them, so a failure anywhere leaves build/ as it was.
    """
    console = console or Console(quiet=True)
    root = root.resolve()  # each task opens the project by this path, in a worker whose folder may differ
    session = BuildSession.open(root, options, keep_renders=False)  # with -j 1 its chunks are built in it
    audiences = list(session.corpus.project.audiences)
    if audience != "all":
        audiences = [resolve_name(audience, audiences, "audience", "unknown-audience")]
    briefings = [(a, place) for a in audiences for place in areas(session, column)]
    size = max(1, min(MOST_PER_CHUNK, -(-len(briefings) // (max(jobs, 1) * CHUNKS_PER_WORKER))))
    batch = uuid.uuid4().hex
    chunks = [Chunk(str(session.root), options, column, formats, briefings[i:i + size], batch)
              for i in range(0, len(briefings), size)]
    with _SESSIONS_LOCK:
        _SESSIONS[batch, threading.get_ident()] = _Worker(session)  # the chunks this thread builds reuse it
    pool = executor or (ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None)
    problems = Problems()
    written: list[AreaFile] = []
    staging = Staging()  # each chunk's files go to disk as it finishes; none replaces an output before all have
    try:
        results = pool.map(build_chunk, chunks) if pool else map(build_chunk, chunks)
        with console.progress(len(briefings), "briefings") as tick:
            for chunk, result in zip(chunks, results, strict=True):
                if isinstance(result, BuildError):
                    problems.extend(result.problems)
                elif not problems:  # after a failure nothing will be written: only the problems are kept
                    staging.add([*((build_file(root, item.path), data) for item, data in result.files),
                                 *extra_files(root, result.extras)])
                    written.extend(item for item, _ in result.files)
                for _ in chunk.briefings:
                    tick()
        problems.raise_if_errors()
        manifest = {"by": column, "files": [asdict(item) for item in written]}
        staging.add([(build_file(root, MANIFEST.format(column=column)), json.dumps(manifest, indent=2).encode())])
        staging.commit()
    except BrokenProcessPool:  # a worker was killed (or ran out of memory): its briefings will never come
        raise fail("a worker building area briefings stopped before it finished (killed, or out of memory?); "
                   "nothing was written: build again, or with --jobs 1 to build in this process", "worker") from None
    finally:
        _forget(batch)
        if pool is not None and executor is None:
            pool.shutdown()
        staging.discard()  # what a failure left staged; nothing once committed
    return written


@dataclass(frozen=True)
class ChunkFiles:
    """What one chunk built: each briefing's bytes, and the files its writers make beside them (the DOCX
    review manifest's copy in `build/anchors/`, so `tspdocs review` reads a returned area briefing)."""

    files: list[tuple[AreaFile, bytes]]
    extras: list[dict[str, bytes]]  # by path under build/, as `WriteResult.extras`


@dataclass
class _Worker:
    """What one thread keeps between the chunks of a batch it builds."""

    session: BuildSession
    # The font configurations its layouts share (writers/pdf.fonts_shared): Fontconfig keeps about a
    # quarter of a megabyte of each after it is freed, so one per chunk made a long batch grow.
    fonts: dict[str, object] = field(default_factory=dict)


# The session each thread of this process builds the current batch's chunks with: opening one (reading
# every finding and data table) for each of a hundred chunks would cost more than some briefings do.
_SESSIONS: dict[tuple[str, int], _Worker] = {}
_SESSIONS_LOCK = threading.Lock()


def _worker(chunk: Chunk) -> _Worker:
    key = (chunk.batch, threading.get_ident())
    with _SESSIONS_LOCK:
        worker = _SESSIONS.get(key)
        for other in [k for k in _SESSIONS if k[0] != chunk.batch]:  # a pool worker's earlier batch
            del _SESSIONS[other]
    if worker is None:
        worker = _Worker(BuildSession.open(Path(chunk.root), chunk.options, keep_renders=False))
        with _SESSIONS_LOCK:
            _SESSIONS[key] = worker
    return worker


def _forget(batch: str) -> None:
    with _SESSIONS_LOCK:
        for key in [k for k in _SESSIONS if k[0] == batch]:
            del _SESSIONS[key]


def build_chunk(chunk: Chunk) -> ChunkFiles | BuildError:
    """Build one chunk's briefings in this process, with the same steps as `tspdocs build`.

    A failure is returned, not raised, so that one bad area does not hide the others' results.
    """
    try:
        worker = _worker(chunk)
        session = worker.session
        targets = [for_place(briefing_target(session.corpus, audience), chunk.column, place)
                   for audience, place in chunk.briefings]
        with fonts_shared(worker.fonts):
            rendered = render_documents(session, targets, chunk.formats, Renderer(0), Console(quiet=True))
        session.keep_cache()  # the batch's files are staged later, all or none; the cache is only a speed-up
    except BuildError as exc:
        return exc
    files = []
    extras: list[dict[str, bytes]] = []
    for item in rendered:
        audience, place = item.prepared.target.audience_id or "", item.prepared.target.place
        for fmt, result in item.outputs.items():
            path = output_path(session.root, item.prepared.target.folder, f"{item.prepared.target.stem}.{fmt}")
            record = AreaFile(audience, place, fmt, path.relative_to(session.root).as_posix(), len(result.data),
                              sha256(result.data), figure_records(item.prepared.doc))
            files.append((record, result.data))
            extras.append(result.extras)
    del rendered
    # The command collects cyclic garbage rarely (writers/collector.py), and a chunk's documents (python-docx's
    # packages and their lxml trees, outside Python's heap) are cycles: without this a batch kept them all,
    # about 0.5 MB a briefing. One full collection per chunk of six costs a few milliseconds.
    gc.collect()
    return ChunkFiles(files, extras)
