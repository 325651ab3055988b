"""Shell completion of document and audience names, read from the project the command line points at."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.shell_completion import CompletionItem

from ..errors import BuildError

if TYPE_CHECKING:
    from ..project.readers import Corpus


def complete_documents(context: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Complete what `build` takes: `all`, the documents, their variants and every briefing."""
    names = _document_names(context)
    return _matching(["all", *names] if names else [], incomplete)


def complete_document(context: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Complete the one document `serve` previews."""
    return _matching(_document_names(context), incomplete)


def _document_names(context: click.Context) -> list[str]:
    from ..project.targets import document_names

    corpus = _corpus(context)
    return document_names(corpus) if corpus else []


def complete_audiences(context: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Complete an audience name from project.yaml, with `all`, each shown with its full name."""
    corpus = _corpus(context)
    if corpus is None:
        return []
    described = {"all": "every audience", **{k: a.name for k, a in corpus.project.audiences.items()}}
    return [CompletionItem(item.value, help=described[item.value]) for item in _matching(list(described), incomplete)]


def _matching(names: list[str], incomplete: str) -> list[CompletionItem]:
    """Keep the names that start with what is typed, whatever its case: names match that way everywhere."""
    return [CompletionItem(name) for name in names if name.casefold().startswith(incomplete.casefold())]


def _corpus(context: click.Context) -> Corpus | None:
    """Return the project's content, or None: a completion never prints an error into the shell."""
    from ..project.projectfs import find_root
    from ..project.readers import read_corpus

    project = context.params.get("project")
    try:
        return read_corpus(find_root(Path(project) if project else Path.cwd()))
    except (BuildError, OSError):
        return None
