"""The Jinja2 environment for project templates: sandboxed, strict, and confined to the project.

Templates are edited by the same many hands as the content, so they run in
Jinja's `ImmutableSandboxedEnvironment` (no `__class__` tricks, no mutating
the project), every undefined name is an error rather than an empty string,
templates load only from files whose real path is inside the project, and a render has a work
budget (loop steps, output size, the size of a `*` or `**` result) so a template cannot hang a build.
"""

from __future__ import annotations

import math
import operator
import traceback
from collections.abc import Callable, Generator, Iterable, Iterator, Sized
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
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


# Far above what any document needs (the shipped final report takes a few thousand loop steps and well
# under a megabyte), far below what takes minutes or exhausts memory: two nested loops of 100,000 are 10^10.
MAX_LOOP_STEPS = 1_000_000
MAX_OUTPUT_CHARS = 16 * 2**20
MAX_POWER_BITS = 100_000  # 2 ** 100_000 prints as 30,103 digits; 10 ** 10 ** 9 would compute for hours

_COUNT_STEPS = "tspdocs:count-steps"  # not a name a template can write, so only the compiler puts it in
_steps: ContextVar[list[int]] = ContextVar("template_steps")


class TemplateLimitError(Exception):
    """A render went past one of the work limits; raised inside the template, so its line is known."""


class _CountingCodeGenerator(CodeGenerator):
    """Compile every `{% for %}` to iterate through `_count_steps`, so each loop step spends the budget."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        for loop in node.find_all(nodes.For):  # before the generator lists the filters a template uses
            loop.iter = nodes.Filter(loop.iter, _COUNT_STEPS, [], [], None, None, lineno=loop.lineno)
        super().visit_Template(node, frame)


def _count_steps(iterable: Iterable[Any]) -> Iterator[Any]:
    steps = _steps.get([0])
    for item in iterable:
        steps[0] += 1
        if steps[0] > MAX_LOOP_STEPS:
            raise TemplateLimitError(f"loops ran more than {MAX_LOOP_STEPS:,} steps")
        yield item


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, with `*` and `**` checked before they build a result too large to print."""

    code_generator_class = _CountingCodeGenerator
    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: jinja2.runtime.Context, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 \
                    and right * math.log2(abs(left)) > MAX_POWER_BITS:
                raise TemplateLimitError(f"{left} ** {right} is too large a number")
            return operator.pow(left, right)
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, Sized) and isinstance(times, int) and len(seq) * times > MAX_OUTPUT_CHARS:
                raise TemplateLimitError(f"a repetition of {len(seq) * times:,} items is too large")
        return operator.mul(left, right)


def make_environment(fs: ProjectFS, *, autoescape: bool = False) -> ImmutableSandboxedEnvironment:
    """Return the sandbox; `autoescape` is for HTML layouts, off for templates that produce Markdown."""
    env = _Sandbox(
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
    env.filters[_COUNT_STEPS] = _count_steps
    return env


def _render(template: jinja2.Template, context: dict[str, Any]) -> str:
    """Render within the work budget; past the output limit, stop the template where it is writing."""
    token = _steps.set([0])
    try:
        parts: list[str] = []
        size = 0
        chunks = template.generate(context)
        assert isinstance(chunks, Generator)  # typed as an Iterator; throw() stops it at its current line
        for part in chunks:
            size += len(part)
            if size > MAX_OUTPUT_CHARS:
                chunks.throw(TemplateLimitError(f"the output grew past {MAX_OUTPUT_CHARS:,} characters"))
            parts.append(part)
        return "".join(parts)
    finally:
        _steps.reset(token)


def render_template(env: jinja2.Environment, fs: ProjectFS, name: str, context: dict[str, Any],
                    where: Location | None = None) -> str:
    """Render a template, turning every template mistake into a `file:line` problem."""
    try:
        return _render(env.get_template(name), context)
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
    except TemplateLimitError as exc:
        raise BuildError([Problem(f"template stopped: {exc}; do the work in the data, or split the template",
                                  "template-limit",
                                  _template_frame(exc, fs, name))]) from None
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
