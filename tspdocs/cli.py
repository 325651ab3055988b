"""The `tspdocs` command: a thin layer of click over the library.

A user's mistake prints `path:line: error [code] message` lines and exits
with status 1; only a bug in tspdocs itself shows a traceback. Heavy modules
are imported inside commands, so an up-to-date build answers at once.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .commands.completion import complete_audiences, complete_document, complete_documents
from .console import Console
from .errors import BuildError
from .writers import WRITERS
from .writers.collector import fewer_collections

if TYPE_CHECKING:
    from .project.model import OutputFormat

F = TypeVar("F", bound=Callable[..., Any])
FORMAT_NAMES = tuple(WRITERS)
USAGE_CODES = frozenset({"unknown-document", "unknown-audience"})  # a mistake on the command line: exit 2


def reports_problems(command: F) -> F:
    """Turn a BuildError into a listing on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BuildError as exc:
            console = _console()
            for problem in exc.problems:
                console.problem(problem)
            count = len(exc.problems)
            click.echo(f"tspdocs: stopped, {count} problem{'s' if count != 1 else ''}; nothing was written",
                       err=True)
            sys.exit(2 if all(p.code in USAGE_CODES for p in exc.problems) else 1)

    return wrapper  # type: ignore[return-value]


def parse_formats(value: str | None) -> list[OutputFormat] | None:
    """Return the formats a user named (`pdf,docx`), or None for all; an unknown name is a usage error."""
    if not value:
        return None
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in FORMAT_NAMES]
    if unknown:
        raise click.BadParameter(f"unknown format {', '.join(unknown)}; use {', '.join(FORMAT_NAMES)}")
    return [fmt for fmt in FORMAT_NAMES if fmt in names]


def project_root(project: str | None) -> Path:
    from .project.projectfs import find_root

    return find_root(Path(project) if project else Path.cwd())


project_option = click.option("--project", "-p", type=click.Path(file_okay=False), default=None,
                              help="Project folder (default: the nearest folder with content/project.yaml).")
format_option = click.option("--format", "-f", "formats", default=None, metavar="LIST",
                             help="Formats to write, comma-separated: pdf,docx,html (default: all).")
drafts_option = click.option("--include-drafts", is_flag=True, help="Let draft findings into the documents.")
overlength_option = click.option("--allow-overlength", is_flag=True,
                                 help="Write documents even when they exceed their page or word budget.")
force_option = click.option("--force", is_flag=True, help="Rebuild everything, even what is up to date.")
jobs_option = click.option("--jobs", "-j", type=click.IntRange(0), default=None,
                           help="Worker processes for PDF layout (default: one per core; 0: none).")


def _quiet(context: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        context.ensure_object(Console).quiet = True


def _verbose(context: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        context.ensure_object(Console).verbose = True


def output_options(command: F) -> F:
    """Accept -q/-v after the command too (`tspdocs build all -v`), as well as before it."""
    command = click.option("--quiet", "-q", is_flag=True, expose_value=False, callback=_quiet,
                           help="Print only errors.")(command)
    return click.option("--verbose", "-v", is_flag=True, expose_value=False, callback=_verbose,
                        help="Also print documents that were up to date.")(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
@click.option("--verbose", "-v", is_flag=True, help="Also print each file written and documents up to date.")
@click.version_option(package_name="tspdocs")
@click.pass_context
def main(context: click.Context, quiet: bool, verbose: bool) -> None:
    """Build a research project's reports, manuscripts and policy briefings from one evidence base."""
    context.obj = Console(quiet=quiet, verbose=verbose)


def _console() -> Console:
    return click.get_current_context().find_object(Console) or Console()


def _run_build(context: click.Context, command: str, names: list[str], project: str | None, formats: str | None,
               include_drafts: bool, allow_overlength: bool, force: bool, jobs: int | None,
               targets: Callable[[Any], list[Any]]) -> None:
    console: Console = context.obj
    root = project_root(project)
    chosen_formats = parse_formats(formats)
    from .prepare.background import Background
    from .store.provenance import read_provenance

    if force:
        renderer = _start_renderer(names, chosen_formats, jobs)  # forked before any thread starts
        # Read once (both the request key and the build need it). Git runs as other processes, so with
        # nothing to decide first it runs beside the build's imports (6 ms outside a repository, 15-30 in one).
        reading = Background(lambda: read_provenance(root))
    else:
        from .store.state import nothing_to_do

        provenance = read_provenance(root)  # whether the outputs are up to date depends on the version
        request = _request(command, names, chosen_formats, include_drafts, allow_overlength, provenance.text)
        outputs = nothing_to_do(root, request)
        if outputs is not None:
            console.say(f"Up to date: {len(outputs)} files in build/, nothing changed since they were built.")
            return
        renderer = _start_renderer(names, chosen_formats, jobs)
    from .commands.build import build
    from .commands.session import BuildOptions

    if force:
        provenance = reading.result()
        request = _request(command, names, chosen_formats, include_drafts, allow_overlength, provenance.text)

    options = BuildOptions(include_drafts=include_drafts, allow_overlength=allow_overlength)
    report = build(root, targets, chosen_formats, options, console=console, force=force, request=request,
                   renderer=renderer, provenance=provenance)
    for item in report.written:
        console.say(f"wrote {_shown(root, item.path)}  {item.size / 1024:,.0f} KB  {item.seconds:.2f} s")
    for name in report.up_to_date:
        console.detail(f"up to date: {name}")
    documents = len({item.target for item in report.written})
    size = sum(item.size for item in report.written) / 2**20
    console.say(f"Built {_plural(documents, 'document')} ({_plural(len(report.written), 'file')}, "
                f"{size:.1f} MB) in {report.seconds:.1f} s; {len(report.up_to_date)} already up to date.")


def _start_renderer(names: list[str], formats: list[OutputFormat] | None, jobs: int | None) -> Any:
    """Start the PDF workers before the heavy imports, so WeasyPrint loads on the other core meanwhile:
    one worker for one document, one per core for several."""
    from .commands.render import Renderer

    one_document = len(names) == 1 and names[0] != "all"
    workers = jobs if jobs is not None else (1 if one_document else os.cpu_count() or 1)
    return Renderer(workers if formats is None or "pdf" in formats else 0)


def _request(command: str, names: list[str], formats: list[OutputFormat] | None, drafts: bool, overlength: bool,
             provenance: str) -> str:
    """Identify a build request, so an identical one can be answered from the saved state."""
    from . import __version__
    from .store.state import request_key

    return request_key(__version__, command, names, formats, drafts, overlength, provenance,
                       os.environ.get("SOURCE_DATE_EPOCH", ""))


def _shown(root: Path, path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def build_options(command: F) -> F:
    """The options `build` and `brief` share."""
    for option in reversed((project_option, format_option, drafts_option, overlength_option, force_option,
                            jobs_option, output_options)):
        command = option(command)
    return command


@main.command(name="build")
@click.argument("documents", nargs=-1, shell_complete=complete_documents)
@build_options
@click.pass_context
@reports_problems
def build_command(context: click.Context, documents: tuple[str, ...], project: str | None, formats: str | None,
          include_drafts: bool, allow_overlength: bool, force: bool, jobs: int | None) -> None:
    """Build DOCUMENTS (interim, final, academic, ... or `all`, which includes every briefing)."""
    names = list(documents or ("all",))

    def targets(corpus: Any) -> list[Any]:
        from .project.targets import all_targets, named_targets

        if "all" in names:
            return all_targets(corpus)
        return [t for name in names for t in named_targets(corpus, name)]

    _run_build(context, "build", names, project, formats, include_drafts, allow_overlength, force, jobs, targets)


def _executor_url(_context: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"dask://[^\s/:]+:\d+", value):
        raise click.BadParameter(f"{value!r} is not dask://HOST:PORT")
    return value


@main.command()
@click.option("--audience", "-a", required=True, shell_complete=complete_audiences,
              help="Audience name from project.yaml, or `all`.")
@click.option("--by", "by", type=click.Choice(["area"]), default=None,
              help="Write one briefing per local area in the survey data, with that area's figures.")
@click.option("--executor", default=None, metavar="URL", callback=_executor_url,
              help="With --by: build on a Dask cluster, dask://HOST:PORT (pip install 'tspdocs[dask]').")
@build_options
@click.pass_context
@reports_problems
def brief(context: click.Context, audience: str, by: str | None, executor: str | None, project: str | None,
          formats: str | None, include_drafts: bool, allow_overlength: bool, force: bool, jobs: int | None) -> None:
    """Build the policy briefing for an audience into build/briefings/AUDIENCE/."""
    if executor and not by:
        raise click.UsageError("--executor builds briefings by area; add --by area")
    if by:
        from .commands.batch import build_by_area
        from .commands.cluster import open_executor
        from .commands.session import BuildOptions

        options = BuildOptions(include_drafts=include_drafts, allow_overlength=allow_overlength)
        root = project_root(project)
        with open_executor(executor, root) as pool:
            written = build_by_area(root, audience, by, parse_formats(formats), options,
                                    jobs=jobs if jobs is not None else os.cpu_count() or 1, executor=pool,
                                    console=_console())
        briefings = len({(item.audience, item.area) for item in written})
        _console().say(f"Built {briefings} area briefings ({len(written)} files); "
                       f"see build/briefings/manifest-by-{by}.json.")
        return

    def targets(corpus: Any) -> list[Any]:
        from .project.targets import briefing_target

        names = list(corpus.project.audiences) if audience == "all" else [audience]
        return [briefing_target(corpus, name) for name in names]

    _run_build(context, "brief", [audience], project, formats, include_drafts, allow_overlength, force, jobs,
               targets)


@main.command(name="list")
@project_option
@reports_problems
def list_(project: str | None) -> None:
    """List the documents and audiences, and how many findings each takes."""
    from .assemble.assembly import selected_findings
    from .project.readers import read_corpus
    from .project.targets import all_targets

    corpus = read_corpus(project_root(project))
    click.echo(f"{'target':<24} {'findings':>8}  template")
    for target in all_targets(corpus):
        count = len(selected_findings(corpus, target, False))
        click.echo(f"{target.name:<24} {count:>8}  templates/{target.spec.template}")
    click.echo("\naudiences: " + ", ".join(f"{k} ({a.name})" for k, a in corpus.project.audiences.items()))


@main.command()
@project_option
@click.option("--format", "output", type=click.Choice(["text", "json", "github", "sarif"]), default="text",
              help="For CI: `json` (one object, documented in docs/check-output.schema.json), `github` (workflow "
                   "annotations at each file and line) or `sarif` (SARIF 2.1.0 for code scanning).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit status 1).")
@click.option("--by", "by", type=click.Choice(["area"]), default=None,
              help="Also check every briefing for every local area, as `brief --by area` builds them.")
@output_options
@click.pass_context
@reports_problems
def check(context: click.Context, project: str | None, output: str, strict: bool, by: str | None) -> None:
    """Check everything without rendering: schemas, labels, citations, data, claims, accessibility, plain English."""
    from .commands.check import check_project
    from .commands.check_report import report_github, report_json, report_sarif

    problems = check_project(project_root(project), by)
    failing = ("error", "warning") if strict else ("error",)
    errors = [p for p in problems if p.severity.value in failing]
    if output != "text":
        report = {"json": report_json, "github": report_github, "sarif": report_sarif}[output](problems)
        if report:
            click.echo(report)
    else:
        console = _console()
        for problem in problems:
            console.problem(problem, err=False)
        counts = {name: len([p for p in problems if p.severity.value == name]) for name in ("error", "warning", "info")}
        notes = f", {_plural(counts['info'], 'note')}" if counts["info"] else ""
        console.say(f"{_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')}{notes}", always=True)
    sys.exit(1 if errors else 0)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@main.command()
@click.argument("revision")
@project_option
@reports_problems
def changes(revision: str, project: str | None) -> None:
    """List findings added, changed and removed since REVISION (a tag, branch or commit)."""
    from .commands.changes import finding_changes

    for change in finding_changes(project_root(project), revision):
        click.echo(change)


@main.command()
@click.argument("returned", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "-f", "output", type=click.Choice(["text", "json", "github"]), default="text",
              help="text (file:line: lines), json, or github (workflow annotations).")
@click.option("--apply", "apply_", is_flag=True, help="Write the tracked changes that are safe to apply back.")
@click.option("--diff", is_flag=True, help="Show the patch --apply would make, and write nothing.")
@click.option("--comments", type=click.Choice(["report", "inline"]), default="report",
              help="With --apply or --diff: inline writes comments beside their lines as CriticMarkup {>> <<}.")
@project_option
@reports_problems
def review(returned: tuple[str, ...], output: str, apply_: bool, diff: bool, comments: str,
           project: str | None) -> None:
    """List the comments and tracked changes of reviewed DOCX files against the source lines they are about.

    With --apply, write back the changes that are safe (the paragraph and its source file are as they were
    sent); every other change is listed with the reason it was not applied.
    """
    from .commands.review import apply_review, review_files
    from .review.report import render, render_outcomes

    root = project_root(project)
    located = review_files(root, [Path(p) for p in returned])
    if not (apply_ or diff):
        click.echo(render(located, output), nl=False)
        return
    patch, outcomes = apply_review(root, located, write=apply_ and not diff, comments=comments == "inline")
    if diff:
        click.echo(patch, nl=False)
    click.echo(render_outcomes(outcomes), nl=False, err=diff)


@main.command(name="diff")
@click.argument("arguments", nargs=-1, required=True, metavar="OLD [NEW] DOCUMENT")
@click.option("--audience", "-a", default=None, help="Compare an audience's briefing (then give no DOCUMENT).")
@click.option("--label", default=None, help="Attribute every change to this one name instead of git's authors.")
@project_option
@format_option
@drafts_option
@jobs_option
@output_options
@reports_problems
def diff(arguments: tuple[str, ...], audience: str | None, label: str | None, project: str | None,
         formats: str | None, include_drafts: bool, jobs: int | None) -> None:
    """Write a redline of DOCUMENT between revisions OLD and NEW (default: the working tree).

    Revisions are anything git names (a tag, a commit, HEAD). Writes
    build/<document>/<document>-changes-OLD-NEW.{docx,html,pdf}: Word tracked changes in the DOCX, the
    changes marked in the HTML and PDF, which open with a summary of them.
    """
    from .commands.diff import DiffRequest, diff_revisions
    from .commands.session import BuildOptions

    wanted = 1 if audience else 2
    if not wanted <= len(arguments) <= wanted + 1:
        raise click.UsageError("give OLD [NEW] DOCUMENT, or OLD [NEW] with --audience")
    revisions = arguments[:len(arguments) - (0 if audience else 1)]
    request = DiffRequest(revisions[0], revisions[1] if len(revisions) > 1 else None,
                          document="" if audience else arguments[-1], audience=audience or "",
                          formats=parse_formats(formats), options=BuildOptions(include_drafts=include_drafts),
                          label=label or "")
    root = project_root(project)
    report = diff_revisions(root, request, jobs=1 if jobs is None else jobs)
    console = _console()
    for path in report.written:
        console.say(f"wrote {_shown(root, path)}")
    shown = f"{request.old} and {request.new or 'the working tree'}"
    if report.written:
        console.say(f"{_plural(report.changes, 'change')} between {shown}.")
    else:
        console.say(f"no changes between {shown}", always=True)


@main.group()
def new() -> None:
    """Create new content from a template."""


@new.command(name="finding")
@click.option("--question", "questions", multiple=True, required=True, help="Research question, e.g. RQ3.")
@click.option("--sector", "-s", "sectors", multiple=True, required=True, help="Sector name from project.yaml.")
@click.option("--title", "-t", default=None, help="The finding's title (a statement).")
@project_option
@reports_problems
def new_finding(questions: tuple[str, ...], sectors: tuple[str, ...], title: str | None, project: str | None) -> None:
    """Write a new draft finding with the next free id."""
    from .commands.scaffold import new_finding as make

    path = make(project_root(project), list(questions), list(sectors), title)
    click.echo(f"wrote {path}")


@main.command()
@click.argument("folder", type=click.Path(file_okay=False))
@reports_problems
def init(folder: str) -> None:
    """Create a new project in FOLDER that builds at once."""
    from .commands.scaffold import init_project

    root = init_project(Path(folder))
    click.echo(f"created a project in {root}; try: cd {folder} && tspdocs build")


@main.command(name="serve")
@click.argument("document", default="final", shell_complete=complete_document)
@project_option
@click.option("--port", default=8000, show_default=True, help="Port on localhost.")
@click.option("--audience", "-a", default=None, shell_complete=complete_audiences,
              help="Preview an audience's briefing instead of a document.")
@drafts_option
@output_options
@click.pass_context
@reports_problems
def serve(context: click.Context, document: str, project: str | None, port: int, audience: str | None,
          include_drafts: bool) -> None:
    """Serve a document's HTML on localhost, rebuilding and reloading the page on every save."""
    from .commands.serve import serve as start
    from .commands.session import BuildOptions

    start(project_root(project), document, audience, port, context.obj, BuildOptions(include_drafts=include_drafts))


main.add_command(serve, name="watch")


def _whole_summaries(group: click.Group) -> None:
    """Show each command's first paragraph whole in `--help`: click would cut it at 45 characters."""
    for command in group.commands.values():
        if command.help and not command.short_help:
            command.short_help = " ".join(command.help.split("\n\n")[0].split())
        if isinstance(command, click.Group):
            _whole_summaries(command)


_whole_summaries(main)


def run() -> None:
    """The console entry point: run the command, then leave without tearing the interpreter down.

    Every output is already written, flushed and renamed into place when a command returns, so the
    tenth of a second Python spends dismantling WeasyPrint, pydantic and lxml at exit buys nothing.
    Tests call `main` instead, which exits normally.
    """
    # pydantic looks for plugins in every installed distribution's entry points when the first model is
    # defined: in the shipped project's environment 170 files read for plugins that would only observe
    # tspdocs' own validation. The command's process is tspdocs'; one that sets the variable keeps its choice.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        with fewer_collections():  # a command's imports alone made 80 collections
            main(standalone_mode=False)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except click.Abort:
        click.echo("Aborted!", err=True)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
