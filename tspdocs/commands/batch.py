"""Briefings by area: one briefing per local area in the survey data, per audience, in parallel.

Each (audience, area) pair is one task for a `concurrent.futures` executor:
a local process pool by default, or any executor passed in, such as a Dask
client's (`client.get_executor()`), to spread hundreds of briefings over a
cluster. Each task writes only into its own folder, so tasks never touch
each other's files; a manifest lists everything written.
"""

from __future__ import annotations

import json
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..assemble.assembly import Options
from ..console import Console
from ..errors import BuildError, Problems, fail
from ..project.targets import slug
from ..store.cache import Memo
from ..store.output import build_file, output_path, write_atomic
from ..store.state import sha256

MANIFEST = "build/briefings/manifest-by-{column}.json"
_WORKER: dict[str, Any] = {}


@dataclass(frozen=True)
class AreaFile:
    audience: str
    area: str
    format: str
    path: str
    bytes: int
    sha256: str


def areas(root: Path, column: str) -> list[str]:
    """Return the distinct values of `column` across the project's file tables, in order."""
    from ..data import Data
    from ..project.readers import read_corpus

    corpus = read_corpus(root)
    data = Data(corpus.fs, corpus.project)
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


def build_by_area(root: Path, audience: str, column: str, formats: list[str] | None, options: Options, *,
                  jobs: int = 1, executor: Executor | None = None, console: Console | None = None) -> list[AreaFile]:
    """Build every audience's (or one audience's) briefing for every area, all or nothing.

    Tasks return their files' bytes; only when every task has succeeded are the files written (each
    atomically) and the manifest with them, so a failure anywhere leaves build/ as it was.
    """
    from ..project.readers import read_corpus
    from ..project.validation import known_names

    console = console or Console(quiet=True)
    audiences = list(read_corpus(root).project.audiences)
    if audience != "all":
        if audience not in audiences:
            raise fail(known_names(audience, audiences, "audience") or audience, "unknown-audience")
        audiences = [audience]
    tasks = [(a, place) for a in audiences for place in areas(root, column)]
    pool = executor or (ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None)
    args = [(str(root), a, column, place, formats, asdict(options)) for a, place in tasks]
    problems = Problems()
    files: list[tuple[AreaFile, bytes]] = []
    try:
        results = pool.map(_task, args) if pool else map(_task, args)
        with console.progress(len(tasks), "briefings") as tick:
            for result in results:
                if isinstance(result, BuildError):
                    problems.extend(result.problems)
                else:
                    files.extend(result)
                tick()
    finally:
        if pool is not None and executor is None:
            pool.shutdown()
    problems.raise_if_errors()
    destinations = [build_file(root, item.path) for item, _ in files]
    for path, (_, data) in zip(destinations, files):
        write_atomic(path, data)
    written = [item for item, _ in files]
    manifest = {"by": column, "files": [asdict(item) for item in written]}
    write_atomic(build_file(root, MANIFEST.format(column=column)), json.dumps(manifest, indent=2).encode())
    return written


def _task(args: tuple[str, str, str, str, list[str] | None, dict[str, Any]]) -> list[tuple[AreaFile, bytes]] | BuildError:
    """Build one area's briefing in this process, reusing what an earlier task here already read."""
    root_text, audience, column, place, formats, option_values = args
    try:
        return _build_one(Path(root_text), audience, column, place, formats, Options(**option_values))
    except BuildError as exc:  # returned, not raised, so one bad area does not hide the others' results
        return exc


def _build_one(root: Path, audience: str, column: str, place: str, formats: list[str] | None,
               options: Options) -> list[tuple[AreaFile, bytes]]:
    from ..checks.budgets import budget_problems
    from ..data import Data
    from ..prepare.citations import References
    from ..project.readers import read_corpus
    from ..project.targets import briefing_target, for_place
    from ..store.provenance import read_provenance
    from ..store.state import input_signature
    from ..writers.base import WriteContext
    from .build import build_epoch, prepare
    from .render import Prepared, Renderer

    signature = (root, input_signature(root))
    if _WORKER.get("signature") != signature:  # read once per process, again only if the project changed
        corpus = read_corpus(root)
        provenance = read_provenance(root)
        memo = Memo(root)
        _WORKER.update(signature=signature, corpus=corpus, provenance=provenance, memo=memo,
                       references=References(corpus.fs, memo), data=Data(corpus.fs, corpus.project, memo=memo),
                       epoch=build_epoch(provenance))
    corpus = _WORKER["corpus"]
    options.provenance = _WORKER["provenance"].text
    options.draft_mark = options.draft_mark or _WORKER["provenance"].dirty
    target = for_place(briefing_target(corpus, audience), place)
    problems = Problems()
    data = Data(corpus.fs, corpus.project, scope={column: place}, base=_WORKER["data"])
    doc = prepare(corpus, target, options, problems, data, _WORKER["references"])
    problems.raise_if_errors()
    rendered = Renderer(0).render([Prepared(target, doc, list(formats or target.spec.formats))],
                                  WriteContext(corpus.fs, _WORKER["epoch"]))[0]
    over = [p for p in budget_problems(corpus, target, doc, pages=rendered.pages, anchors=rendered.anchors,
                                       allow_overlength=options.allow_overlength) if p.severity.value == "error"]
    if over:
        raise BuildError(over)
    _WORKER["memo"].commit()
    files = []
    for fmt, data_bytes in rendered.outputs.items():
        path = output_path(root, target.folder, f"{target.stem}.{fmt}")
        item = AreaFile(audience, place, fmt, path.relative_to(root.resolve()).as_posix(), len(data_bytes),
                        sha256(data_bytes))
        files.append((item, data_bytes))
    return files
