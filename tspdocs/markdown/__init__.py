"""The one Markdown parser: markdown-it-py's `js-default` (raw HTML off) with Pandoc-flavoured plugins."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.subscript import sub_plugin
from mdit_py_plugins.superscript import superscript_plugin

from .bracket_guard import bracket_guard_plugin
from .citation_syntax import citations_plugin
from .critic_syntax import critic_comments_plugin
from .div_syntax import divs_plugin
from .footnote_checks import footnote_checks_plugin
from .grid_table_syntax import grid_table_plugin
from .line_block_syntax import line_block_plugin
from .pipe_table_syntax import pipe_table_plugin
from .quotes import quotes_plugin
from .refused_syntax import refused_syntax_plugin
from .shortcode_syntax import shortcodes_plugin
from .typography import typography_plugin


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """Return the configured parser; `html` stays off so content cannot inject markup or scripts."""
    md = MarkdownIt("js-default", {"typographer": True, "quotes": "“”‘’"})
    md.enable(["replacements", "smartquotes"])
    md.use(typography_plugin)  # dashes and ellipsis only, as Pandoc's smart; attribute text left straight
    md.use(quotes_plugin)  # markdown-it's curly quotes, in linear time
    md.use(pipe_table_plugin)  # rows indented by four spaces stay in the table, as in Pandoc
    md.use(grid_table_plugin)  # Pandoc's grid tables, whose cells hold blocks
    md.use(line_block_plugin)  # Pandoc's | lines, kept line by line
    md.use(footnote_plugin)
    md.use(footnote_checks_plugin)  # undefined, duplicate and unused notes reported at their line
    md.use(deflist_plugin)
    md.use(attrs_plugin, spans=True)  # every attribute is kept, as Pandoc keeps them; writers emit only known ones
    md.use(attrs_block_plugin)
    md.use(container_plugin, "div", validate=lambda params, *rest: bool(params.strip()))
    md.use(divs_plugin)  # nested as Pandoc nests them; an unclosed one is marked, not run to the end
    md.use(sub_plugin)  # Pandoc's H~2~O and x^2^, read as spans of class subscript and superscript
    md.use(superscript_plugin)
    md.use(citations_plugin)
    md.use(shortcodes_plugin)
    md.use(refused_syntax_plugin)  # simple tables, example lists, $math$: an error at the line, not garbled
    md.use(bracket_guard_plugin)  # an [ nothing can close is text at once: runs of [ stay fast
    md.use(critic_comments_plugin)  # reviewers' notes, kept in the source and never printed
    return md


def parse(text: str) -> list[Token]:
    """Return markdown-it's block tokens for `text`; `map` lines count from 0 within `text`."""
    return parser().parse(text, {})
