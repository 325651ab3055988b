"""What a build tells the person running it: progress, what was written, and problems.

Bars and colour appear only on a terminal; `--quiet` leaves errors alone,
`--verbose` adds timings and up-to-date documents.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from .errors import Problem, Severity


@dataclass
class Console:
    """Where a command speaks to its user: quiet, normal or verbose, on stderr."""

    quiet: bool = False
    verbose: bool = False
    lines: list[str] = field(default_factory=list)

    @property
    def tty(self) -> bool:
        return sys.stderr.isatty()

    def say(self, text: str, *, always: bool = False) -> None:
        if always or not self.quiet:
            click.echo(text)

    def detail(self, text: str) -> None:
        if self.verbose and not self.quiet:
            click.echo(_styled(text, dim=True))

    def problem(self, problem: Problem, *, err: bool = True) -> None:
        colour = {Severity.ERROR: "red", Severity.WARNING: "yellow"}.get(problem.severity, "cyan")
        if problem.severity is not Severity.ERROR and self.quiet:
            return
        click.echo(_styled(str(problem), fg=colour), err=err)

    @contextmanager
    def progress(self, total: int, label: str) -> Iterator[Any]:
        """Yield a function to call as each item finishes; draws a bar on a terminal for several items."""
        if self.quiet or not self.tty or total < 2:
            yield lambda _item=None: None
            return
        with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True) as bar:
            yield lambda _item=None: bar.update(1)

    def written(self, root: Path, path: Path, size: int, seconds: float) -> None:
        self.detail(f"wrote {_relative(root, path)}  {size / 1024:,.0f} KB  {seconds:.2f} s")


def _styled(text: str, **style: Any) -> str:
    """Colour text for a terminal, unless the user asked for none (https://no-color.org: NO_COLOR set and
    not empty)."""
    return text if os.environ.get("NO_COLOR") else click.style(text, **style)


def _relative(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
