"""Check a rendered page for anything that would make a browser or the PDF renderer fetch something.

The page is parsed as a browser parses it (html5lib), and every place a URL
can hide is looked at: each attribute that holds one (`src`, `href`,
`xlink:href`, `srcset`, `poster`, `data`, `action`, …), the CSS of every
`style` attribute and `<style>` element (with the stylesheet tokenizer, so
`@import` and `url()` are seen however they are spelled), SVG paint
attributes, `srcdoc` pages and stylesheets inside `data:` URLs. Allowed are
`data:` URLs, fragment links (`#…`), the URLs the house stylesheets were
already checked for, and, for `<a href>` (a link, not a fetch), http(s)
and mailto links and the links the document's own content makes. Scripts,
event handlers and `<meta http-equiv="refresh">` are refused: any of them
could fetch anything.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import unquote_to_bytes

import html5lib  # type: ignore[import-untyped]

from .css import declaration_urls, urls, value_urls

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

# Attributes whose value is a URL the browser fetches (or submits to, or navigates a frame to).
URL_ATTRIBUTES = {"src", "href", "poster", "action", "formaction", "background", "manifest", "codebase",
                  "longdesc", "lowsrc", "dynsrc", "icon", "classid", "archive", "ping", "profile"}
SRCSET_ATTRIBUTES = {"srcset", "imagesrcset"}
# SVG presentation attributes that take a CSS url() value.
PAINT_ATTRIBUTES = {"fill", "stroke", "filter", "mask", "clip-path", "marker-start", "marker-mid", "marker-end",
                    "cursor"}
LINK_ELEMENTS = {"a", "area"}  # their href is a link the reader may follow, not a fetch
FRAME_ELEMENTS = {"iframe", "frame", "object", "embed"}  # a data: document inside these can fetch
LINK_SCHEMES = ("http:", "https:", "mailto:")
_STRIP = re.compile(r"[\t\n\r]")


def external_references(page: str | Element, *, content_links: Iterable[str] = (),
                        checked_css: Iterable[str] = (), depth: int = 0) -> Iterator[str]:
    """Yield a description of every reference in `page` that would fetch something; nothing for a
    self-contained page. `page` is HTML, or the element tree an HTML5 parser made of it."""
    links = set(content_links)
    css_ok = set(checked_css)
    tree = html5lib.parse(page, namespaceHTMLElements=False) if isinstance(page, str) else page
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # a comment
        tag = _local(element.tag).lower()
        if tag == "script":
            yield "<script>"
            continue
        if tag == "style":
            yield from _css_problems(urls(element.text or ""), css_ok, "<style>", depth)
        if tag == "meta" and (element.get("http-equiv") or "").strip().lower() in ("refresh", "link"):
            yield f"<meta http-equiv={element.get('http-equiv')!r}>"
        if tag == "object" and element.get("data") is not None:
            yield from _url_problem(element.get("data") or "", tag, "data", links, css_ok, depth)
        for key, raw in element.attrib.items():
            name = _local(key).lower()
            value = str(raw)
            if name.startswith("on"):
                yield f"<{tag} {name}>"
            elif name in URL_ATTRIBUTES:
                urls_in = value.split() if name in ("ping", "archive") else [value]
                for url in urls_in:
                    yield from _url_problem(url, tag, name, links, css_ok, depth)
            elif name in SRCSET_ATTRIBUTES:
                for url in _srcset(value):
                    yield from _url_problem(url, tag, name, links, css_ok, depth)
            elif name == "style":
                yield from _css_problems(declaration_urls(value), css_ok, f"<{tag} style>", depth)
            elif name in PAINT_ATTRIBUTES:
                yield from _css_problems(value_urls(value), css_ok, f"<{tag} {name}>", depth)
            elif name == "srcdoc":
                if depth > 2:
                    yield f"<{tag} srcdoc> nested too deeply"
                else:
                    yield from external_references(value, content_links=links, checked_css=css_ok, depth=depth + 1)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _url_problem(raw: str, tag: str, attribute: str, links: set[str], css_ok: set[str],
                 depth: int) -> Iterator[str]:
    url = _STRIP.sub("", raw).strip()
    lowered = url.lower()
    if not url or url.startswith("#"):
        return
    if tag in LINK_ELEMENTS and attribute == "href" and (lowered.startswith(LINK_SCHEMES) or url in links):
        return
    if lowered.startswith("data:") and tag not in FRAME_ELEMENTS:
        css = _data_css(url)
        if css is not None:
            yield from _css_problems(urls(css), css_ok, f"<{tag} {attribute}> (a data: stylesheet)", depth)
        return
    yield f"<{tag} {attribute}> {url[:80]!r}"


def _css_problems(found: Iterable[tuple[str, int]], css_ok: set[str], where: str, depth: int) -> Iterator[str]:
    for url, _line in found:
        stripped = url.strip()
        if stripped.startswith("#") or stripped in css_ok:
            continue
        if stripped.lower().startswith("data:"):
            css = _data_css(stripped)
            if css is not None:
                if depth > 2:
                    yield f"{where}: data: stylesheets nested too deeply"
                else:
                    yield from _css_problems(urls(css), css_ok, where, depth + 1)
            continue
        yield f"{where} url {stripped[:80]!r}"


def _data_css(url: str) -> str | None:
    """Return the text of a `data:text/css` URL (which could @import anything), else None."""
    header, _, body = url[5:].partition(",")
    if not header.split(";", 1)[0].strip().lower() == "text/css":
        return None
    data = unquote_to_bytes(body)
    if header.lower().rstrip().endswith(";base64"):
        try:
            data = base64.b64decode(data)
        except ValueError:
            return ""
    return data.decode("utf-8", "replace")


def _srcset(value: str) -> Iterator[str]:
    """Yield the URLs of a `srcset`: candidates split at commas that follow whitespace-separated URLs."""
    position = 0
    while position < len(value):
        while position < len(value) and (value[position].isspace() or value[position] == ","):
            position += 1
        start = position
        while position < len(value) and not value[position].isspace():
            position += 1
        url = value[start:position]
        if url.endswith(","):
            url = url.rstrip(",")
        elif url:
            depth = 0  # skip the descriptors up to the next comma outside parentheses
            while position < len(value) and (value[position] != "," or depth):
                depth += {"(": 1, ")": -1}.get(value[position], 0)
                position += 1
        if url:
            yield url
