"""The `tspdocs` command: a thin layer of click over the library.

A user's mistake prints `path:line: error [code] message` lines and exits
with status 1; only a bug in tspdocs itself shows a traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .errors import BuildError

F = TypeVar("F", bound=Callable[..., Any])
FORMAT_NAMES = ("pdf", "docx", "html")


def reports_problems(command: F) -> F:
    """Turn a BuildError into a listing on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BuildError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            count = len(exc.problems)
            click.echo(f"tspdocs: stopped, {count} problem{'s' if count != 1 else ''}; nothing was written",
                       err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def parse_formats(value: str | None) -> list[str] | None:
    if not value:
        return None
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in FORMAT_NAMES]
    if unknown:
        raise click.BadParameter(f"unknown format {', '.join(unknown)}; use {', '.join(FORMAT_NAMES)}")
    return names


def project_root(project: str | None) -> Path:
    from .readers import find_root

    return find_root(Path(project) if project else Path.cwd())


project_option = click.option("--project", "-p", type=click.Path(file_okay=False), default=None,
                              help="Project folder (default: the nearest folder with content/project.yaml).")
format_option = click.option("--format", "-f", "formats", default=None, metavar="LIST",
                             help="Formats to write, comma-separated: pdf,docx,html (default: all).")
drafts_option = click.option("--include-drafts", is_flag=True, help="Let draft findings into briefings.")
overlength_option = click.option("--allow-overlength", is_flag=True,
                                 help="Write briefings even when they exceed their page or word budget.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tspdocs")
def main() -> None:
    """Build a research project's reports, manuscripts and policy briefings from one evidence base."""


@main.command()
@click.argument("documents", nargs=-1)
@project_option
@format_option
@drafts_option
@overlength_option
@reports_problems
def build(documents: tuple[str, ...], project: str | None, formats: str | None, include_drafts: bool,
          allow_overlength: bool) -> None:
    """Build DOCUMENTS (interim, final, academic, ... or `all`, which includes every briefing)."""
    from .assembly import Options
    from .build import build as run_build
    from .targets import all_targets, document_targets

    names = documents or ("all",)

    def targets(corpus: Any) -> list[Any]:
        if "all" in names:
            return all_targets(corpus)
        return [t for name in names for t in document_targets(corpus, name)]

    options = Options(include_drafts=include_drafts, allow_overlength=allow_overlength)
    _report(run_build(project_root(project), targets, parse_formats(formats), options))


@main.command()
@click.option("--audience", "-a", required=True, help="Audience name from project.yaml, or `all`.")
@project_option
@format_option
@drafts_option
@overlength_option
@reports_problems
def brief(audience: str, project: str | None, formats: str | None, include_drafts: bool,
          allow_overlength: bool) -> None:
    """Build the policy briefing for an audience into build/briefings/AUDIENCE/."""
    from .assembly import Options
    from .build import build as run_build
    from .targets import briefing_target

    def targets(corpus: Any) -> list[Any]:
        names = list(corpus.project.audiences) if audience == "all" else [audience]
        return [briefing_target(corpus, name) for name in names]

    options = Options(include_drafts=include_drafts, allow_overlength=allow_overlength)
    _report(run_build(project_root(project), targets, parse_formats(formats), options))


@main.command(name="list")
@project_option
@reports_problems
def list_(project: str | None) -> None:
    """List the documents and audiences, and how many findings each takes."""
    from .assembly import Options, selected_findings
    from .readers import read_corpus
    from .targets import all_targets

    corpus = read_corpus(project_root(project))
    click.echo(f"{'target':<24} {'findings':>8}  template")
    for target in all_targets(corpus):
        count = len(selected_findings(corpus, target, Options()))
        click.echo(f"{target.name:<24} {count:>8}  templates/{target.spec.template}")
    click.echo("\naudiences: " + ", ".join(f"{k} ({a.name})" for k, a in corpus.project.audiences.items()))


def _report(written: list[Any]) -> None:
    for item in written:
        click.echo(f"wrote {item.path.relative_to(Path.cwd()) if item.path.is_relative_to(Path.cwd()) else item.path}"
                   f"  {item.size / 1024:,.0f} KB  {item.seconds:.2f} s")
