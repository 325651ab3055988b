"""The Jinja2 environment for project templates: sandboxed, strict, and confined to the project.

Templates are edited by the same many hands as the content, so they run in
Jinja's `ImmutableSandboxedEnvironment` (no `__class__` tricks, no mutating
the project), every undefined name is an error rather than an empty string,
and templates load only from files whose real path is inside the project.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import BuildError, Location, Problem, fail
from ..project.projectfs import ProjectFS


class ProjectLoader(jinja2.BaseLoader):
    """Load templates from the project's `templates/`, never through a symlink or `..` out of it."""

    def __init__(self, fs: ProjectFS) -> None:
        self.fs = fs
        self.folder = fs.root / "templates"
        self.loaded: dict[str, str] = {}  # every template a render used, for mapping output lines back

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        real = self.fs.resolve(template, base=self.folder, what="template")
        if not real.is_relative_to(self.folder.resolve()):
            raise fail(f"template {template!r} is not under templates/", "outside-project")
        if not real.is_file():
            raise jinja2.TemplateNotFound(template)
        text = self.fs.read_text(real)
        self.loaded[f"templates/{template}"] = text
        mtime = real.stat().st_mtime
        return text, str(self.folder / template), lambda: real.stat().st_mtime == mtime


def make_environment(fs: ProjectFS, *, autoescape: bool = False) -> ImmutableSandboxedEnvironment:
    """Return the sandbox; `autoescape` is for HTML layouts, off for templates that produce Markdown."""
    env = ImmutableSandboxedEnvironment(
        loader=ProjectLoader(fs),
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        # `{#id}` is Pandoc's attribute syntax in Markdown, so Jinja comments are `{## ... ##}`.
        comment_start_string="{##",
        comment_end_string="##}",
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def render_template(env: jinja2.Environment, fs: ProjectFS, name: str, context: dict[str, Any],
                    where: Location | None = None) -> str:
    """Render a template, turning every template mistake into a `file:line` problem."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateNotFound as exc:
        raise fail(f"template {exc.name!r} not found under templates/", "template", where) from None
    except jinja2.TemplateSyntaxError as exc:
        path = f"templates/{exc.name}" if exc.name else f"templates/{name}"
        raise fail(f"template syntax: {exc.message}", "template", Location(path, exc.lineno)) from None
    except SecurityError as exc:
        raise BuildError([Problem(f"template tried something unsafe and was stopped: {exc}",
                                  "template-unsafe", _template_frame(exc, fs, name))]) from None
    except jinja2.UndefinedError as exc:
        raise BuildError([Problem(f"template: {exc.message}", "template", _template_frame(exc, fs, name))]) \
            from None
    except BuildError as exc:  # a template reached for a file it may not have
        located = _template_frame(exc, fs, name)
        raise BuildError([Problem(p.message, p.code, p.location if p.location and p.location.line else
                                  (located if located.line else where or located)) for p in exc.problems]) from None
    except (OverflowError, MemoryError, RecursionError) as exc:
        raise BuildError([Problem(f"template asked for too much and was stopped ({type(exc).__name__})",
                                  "template-unsafe", _template_frame(exc, fs, name))]) from None
    # a template is an editor's code: its mistakes are theirs to fix, not tracebacks
    except Exception as exc:  # noqa: BLE001
        raise BuildError([Problem(f"template failed: {type(exc).__name__}: {exc}", "template",
                                  _template_frame(exc, fs, name))]) from None


def _template_frame(exc: BaseException, fs: ProjectFS, name: str) -> Location:
    """Return the template file and line where `exc` was raised (Jinja rewrites frames to them)."""
    templates = fs.root / "templates"
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename)
        if path.is_relative_to(templates) or path.suffix == ".j2":
            return Location(fs.display(path), frame.lineno)
    return Location(f"templates/{name}")
