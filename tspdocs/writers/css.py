"""Read the house stylesheets, refusing anything in them that would fetch a file or a page.

The CSS is tokenised (by tinycss2, which WeasyPrint uses itself), so every
`url()`, `@import` and quoted URL in `image-set()` and the like is seen,
however it is spelled; only `data:` URLs and the fonts beside the styles
in assets/ are allowed.
"""

from __future__ import annotations

from collections.abc import Iterator

import tinycss2

from ..errors import Location, fail
from .base import WriteContext

URL_FUNCTIONS = {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade", "element", "-moz-image-rect"}


def read_stylesheet(ctx: WriteContext, name: str) -> str:
    path = ctx.fs.resolve(name, base=ctx.assets / "styles", what="stylesheet")
    text = ctx.fs.read_text(path)
    display = ctx.fs.display(path)
    for url, line in urls(text):
        where = Location(display, line)
        if url.startswith("data:"):
            continue
        if url.startswith("fonts/") and ":" not in url:
            ctx.fs.resolve(url, base=ctx.assets, where=where, what="font")
            continue
        raise fail(f"the stylesheet refers to {url!r}; only data: URLs and fonts/ files are allowed, so that a "
                   "build never fetches anything", "outside-project", where)
    return text


def urls(text: str) -> Iterator[tuple[str, int]]:
    """Yield every URL a stylesheet could make a renderer fetch, with its line."""
    yield from _walk(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True), False)


def declaration_urls(text: str) -> Iterator[tuple[str, int]]:
    """Yield every URL in a `style` attribute (declarations without a selector) or an SVG paint value."""
    yield from _walk(tinycss2.parse_blocks_contents(text, skip_comments=True, skip_whitespace=True), False)


def value_urls(text: str) -> Iterator[tuple[str, int]]:
    """Yield every URL in one property value, such as an SVG `fill="url(…)"` attribute."""
    yield from _walk(tinycss2.parse_component_value_list(text, skip_comments=True), False)


def _walk(nodes: list[object], in_url_function: bool) -> Iterator[tuple[str, int]]:
    for node in nodes:
        kind = getattr(node, "type", "")
        if kind == "url" or (kind == "string" and in_url_function):
            yield node.value, node.source_line  # type: ignore[attr-defined]
        elif kind == "at-rule":
            is_import = node.lower_at_keyword == "import"  # type: ignore[attr-defined]
            yield from _walk(node.prelude, is_import)  # type: ignore[attr-defined]
            yield from _walk(node.content or [], False)  # type: ignore[attr-defined]
        elif kind == "qualified-rule":
            yield from _walk(node.prelude, False)  # type: ignore[attr-defined]
            yield from _walk(node.content, False)  # type: ignore[attr-defined]
        elif kind == "function":
            yield from _walk(node.arguments, node.lower_name in URL_FUNCTIONS)  # type: ignore[attr-defined]
        elif kind == "declaration":
            yield from _walk(node.value, False)  # type: ignore[attr-defined]
        elif kind in ("() block", "[] block", "{} block"):
            yield from _walk(node.content, in_url_function)  # type: ignore[attr-defined]
