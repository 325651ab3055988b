"""Time tspdocs against its floors: bare WeasyPrint, and Pandoc on the same content.

Every command runs in a fresh process; each figure is the median of --repeat
runs. Peak memory is the largest total PSS (proportional set size, so pages
shared between processes are not counted twice) of the command's process tree,
sampled in three separate runs so that sampling does not slow the timed ones.

    python benchmarks/run.py              # all measurements (about 6 minutes on 2 cores)
    python benchmarks/run.py --quick      # skip the 300-briefing batch

Benchmarks are not tests: this prints figures; the test suite asserts behaviour.
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
# Every command imports tspdocs from this checkout, wherever `pip install -e` last pointed.
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1292457600",
       "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}


@dataclass
class Timing:
    seconds: float
    peak_mb: float


def _tree_pss(pid: int) -> int:
    """Total PSS in kB of a process and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        stack.extend(int(child) for child in children)
    return total


def run(command: list[str], cwd: Path, memory: bool = False) -> Timing:
    """Time one run, or with `memory` sample its peak PSS instead: the sampler reads every process's
    page tables a hundred times a second, which would steal time from a build that uses both cores."""
    peak = 0
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_pss(process.pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    if memory:
        sampler.start()
    _, error = process.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    if memory:
        sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{error.decode()}")
    return Timing(elapsed, peak / 1024)


def median(command: list[str], cwd: Path, repeat: int, before: list[str] | None = None,
           memory: bool = False) -> Timing:
    """Median time of `repeat` runs; with `memory`, also the median peak of three more, sampled, runs."""

    def once(sampled: bool) -> Timing:
        if before:
            subprocess.run(before, cwd=cwd, env=ENV, check=True, capture_output=True)
        return run(command, cwd, sampled)

    seconds = statistics.median(once(False).seconds for _ in range(repeat))
    peak = statistics.median(once(True).peak_mb for _ in range(3)) if memory else 0.0
    return Timing(seconds, peak)


def prepared(root: Path, target_name: str, audience: str | None = None):  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(REPO))
    from tspdocs.commands.build import prepare
    from tspdocs.commands.session import BuildSession
    from tspdocs.errors import Problems
    from tspdocs.project.targets import briefing_target, document_targets

    session = BuildSession.open(root)
    corpus = session.corpus
    target = briefing_target(corpus, audience) if audience else document_targets(corpus, target_name)[0]
    return prepare(session, target, Problems())


def print_html(root: Path, doc, out: Path) -> None:  # type: ignore[no-untyped-def]
    from tspdocs.project.projectfs import ProjectFS
    from tspdocs.writers.base import WriteContext
    from tspdocs.writers.html import page_html

    out.write_text(page_html(doc, WriteContext(ProjectFS.at(root), 0), print_mode=True), encoding="utf-8")


def markdown_of(root: Path, doc) -> str:  # type: ignore[no-untyped-def]
    """The same content as plain Pandoc Markdown: every included section and finding, in order."""
    from tspdocs.project.readers import read_corpus

    corpus = read_corpus(root)
    bodies = {s.source.path: s.source.text for s in corpus.sections.values()}
    bodies |= {f.source.path: f"## {f.meta.title}\n\n{f.source.text}" for f in corpus.findings.values()}
    order = [path for path in bodies if path in doc.sources]
    return "\n\n".join(bodies[path] for path in order)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="skip the 300-briefing batch")
    args = parser.parse_args()
    pandoc = subprocess.run([sys.executable, "-c",
                             "from tspdocs.prepare.citations import pandoc_path; print(pandoc_path())"],
                            env=ENV, capture_output=True, text=True, check=True).stdout.strip()
    tspdocs = [sys.executable, "-m", "tspdocs", "-q"]
    rows: list[tuple[str, float, str, float, str]] = []
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        root = work / "project"
        for name in ("content", "templates", "assets"):
            shutil.copytree(REPO / name, root / name)
        subprocess.run([*tspdocs, "build", "all"], cwd=root, env=ENV, check=True)  # warm the cache

        brief_html, final_html = work / "brief.html", work / "final.html"
        brief_doc, final_doc = prepared(root, "briefing", "dh"), prepared(root, "final")
        print_html(root, brief_doc, brief_html)
        print_html(root, final_doc, final_html)
        (work / "final.pickle").write_bytes(pickle.dumps(final_doc))
        (work / "final.md").write_text(markdown_of(root, final_doc), encoding="utf-8")
        floor = [sys.executable, str(HERE / "floor_pdf.py")]

        brief = median([*tspdocs, "brief", "--audience", "dh", "--format", "pdf", "--force"], root, args.repeat,
                       memory=True)
        brief_floor = median([*floor, str(brief_html), str(work / "b.pdf"), str(root)], root, args.repeat,
                             memory=True)
        rows.append(("brief --audience dh --format pdf", brief.seconds, "bare WeasyPrint, same HTML",
                     brief_floor.seconds, "≤ 1.10"))
        quick_floor = median([*floor, str(brief_html), str(work / "q.pdf"), str(root), "--quick-import"], root,
                             args.repeat)
        rows.append(("brief --audience dh --format pdf", brief.seconds, "the same, with tspdocs's WeasyPrint import",
                     quick_floor.seconds, "—"))

        final = median([*tspdocs, "build", "final", "--force"], root, args.repeat, memory=True)
        final_floor = median([*floor, str(final_html), str(work / "f.pdf"), str(root)], root, args.repeat,
                             memory=True)
        rows.append(("build final (PDF, DOCX, HTML)", final.seconds, "bare WeasyPrint PDF alone",
                     final_floor.seconds, "≤ 1.05"))
        pandoc_docx = median([pandoc, "final.md", "-o", "p.docx"], work, args.repeat)
        pandoc_html = median([pandoc, "final.md", "-s", "--metadata", "title=Final", "-o", "p.html"], work,
                             args.repeat)
        pandoc_pdf = median([*floor, str(work / "p.html"), str(work / "p.pdf"), str(root)], work, args.repeat)
        pipeline = pandoc_docx.seconds + pandoc_html.seconds + pandoc_pdf.seconds
        rows.append(("build final (PDF, DOCX, HTML)", final.seconds, "Pandoc DOCX + HTML, then WeasyPrint",
                     pipeline, "—"))

        writer = median([sys.executable, str(HERE / "docx_writer.py"), "final.pickle", "t.docx", str(root)], work,
                        args.repeat)
        rows.append(("DOCX writer, final report", writer.seconds, "Pandoc Markdown → DOCX",
                     pandoc_docx.seconds, "≤ 1.0"))

        noop = median([*tspdocs, "build", "all"], root, max(args.repeat, 5))
        rows.append(("no-op build all", noop.seconds, "target", 0.25, "≤ 1.0"))

        single = median([*tspdocs, "brief", "--audience", "dh", "--format", "pdf", "--force", "-j", "0"], root,
                        args.repeat, memory=True)
        rows.append(("brief, one process (-j 0)", single.seconds, "bare WeasyPrint, same HTML",
                     brief_floor.seconds, "—"))
        rows.append(("peak memory, brief (MB)", brief.peak_mb, "bare WeasyPrint (MB)", brief_floor.peak_mb, "≤ 1.2"))
        rows.append(("peak memory, brief -j 0 (MB)", single.peak_mb, "bare WeasyPrint (MB)", brief_floor.peak_mb,
                     "—"))
        rows.append(("peak memory, build final (MB)", final.peak_mb, "bare WeasyPrint (MB)", final_floor.peak_mb,
                     "≤ 1.2"))

        cold = median([*tspdocs, "build", "final", "--force"], root, args.repeat,
                      before=["rm", "-rf", "build/.tspdocs/cache"])
        rows.append(("build final, cold cache", cold.seconds, "bare WeasyPrint PDF alone", final_floor.seconds, "—"))

        if not args.quick:
            rows.extend(batch(work, tspdocs))

    print(f"\n{'what':<36} {'tspdocs':>9}  {'against':<42} {'value':>9} {'ratio':>7}  target")
    for what, ours, against, theirs, target in rows:
        print(f"{what:<36} {ours:>9.2f}  {against:<42} {theirs:>9.2f} {ours / theirs:>7.2f}  {target}")


def batch(work: Path, tspdocs: list[str]) -> list[tuple[str, float, str, float, str]]:
    """300 briefings: 100 areas x 3 audiences, from a benchmark survey, with one worker and with two."""
    root = work / "batch"
    for name in ("content", "templates", "assets"):
        shutil.copytree(REPO / name, root / name)
    subprocess.run([sys.executable, str(REPO / "scripts/make_survey.py"), "--areas", "100", "--respondents", "3000",
                    "--out", str(root / "content/data/survey.csv")], check=True, capture_output=True)
    command = [*tspdocs, "brief", "--audience", "all", "--by", "area"]
    run([*command, "-j", "2"], root)  # warm the cache, so neither timed run finds it warmed by the other
    one = run([*command, "-j", "1"], root)
    two = run([*command, "-j", "2"], root)
    return [("300 area briefings, -j 1 vs -j 2", one.seconds, "-j 2 (speed-up, want ≥ 1.8)", two.seconds, "≥ 1.8")]


if __name__ == "__main__":
    main()
