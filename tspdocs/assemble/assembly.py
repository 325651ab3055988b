"""Assemble one target's tree: select its findings, render its template, splice in the content.

A template is Jinja2 producing Markdown, but content never passes through
Jinja: the template places `{{< include finding:F03 >}}` markers and each
finding or section is parsed from its own file, so every node keeps the
file and line it was written on.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .. import tree as t
from ..errors import Location, Problems, fail
from ..labels import label
from ..project.model import Finding, FindingMeta, Section
from ..project.readers import DOCUMENTS_FILE, PROJECT_FILE, Corpus
from ..project.selection import compile_predicate, select_findings
from ..project.targets import Target, spec_data, spec_location
from ..store.cache import Cache
from ..store.trees import ParseCache
from .templating import make_environment, render_template

MAX_INCLUDE_DEPTH = 8


def selected_findings(corpus: Corpus, target: Target, include_drafts: bool) -> list[Finding]:
    """Return the findings a target takes, in its order; drafts only when asked for."""
    selection = target.spec.findings
    where = spec_data(corpus, target, "findings", "where")
    predicate = compile_predicate(where if where is not None else selection.where, DOCUMENTS_FILE, corpus.project)
    for name in selection.order_by:
        if name not in FindingMeta.model_fields:
            raise fail(f"order_by: unknown field {name!r}; use fields of a finding's front matter",
                       "selection", spec_location(corpus, target, "findings", "order_by"))
    chosen = select_findings(corpus.findings.values(), predicate, selection.order_by)
    if target.audience is not None:
        audience = compile_predicate(target.audience.select, PROJECT_FILE, corpus.project)
        chosen = [f for f in chosen if audience(f.meta)]
    if not (include_drafts or selection.include_drafts):
        chosen = [f for f in chosen if f.meta.status != "draft"]
    return chosen


def assemble(corpus: Corpus, target: Target, findings: list[Finding], problems: Problems,
             parses: ParseCache | None = None) -> t.Document:
    """Return the target's tree with includes resolved and conditional blocks applied.

    The document is marked draft when a finding in it is not yet approved; the build adds the mark
    for uncommitted changes, and the provenance line, which only it knows. `parses` keeps the trees of
    the texts parsed (a build's, in its cache); without one every text is parsed."""
    parses = parses or ParseCache(Cache(None))
    env = make_environment(corpus.fs)
    context = _template_context(corpus, target, findings)
    template = target.spec.template
    text = render_template(env, corpus.fs, template, context, spec_location(corpus, target, "template"))
    template_path = f"templates/{template}"
    blocks = parses.blocks(text, template_path, 1, problems, rendered=True)
    sources: dict[str, str] = env.loader.loaded  # type: ignore[union-attr]
    relocate(blocks, template_path, template_lines(text, sources))
    relocate_fields(blocks, findings, sources)
    includer = Includer(corpus, problems, parses)
    blocks = apply_conditions(includer.resolve(blocks, depth=0), target)
    spec = target.spec
    meta = t.Meta(
        title=spec.title,
        subtitle=spec.subtitle or "",
        kind=spec.kind,
        language=corpus.project.language,
        authors=[] if spec.anonymise else [a.name for a in corpus.project.authors],
        organisation="" if spec.anonymise else corpus.project.centre.name,
        date=spec.date,
        audience=target.audience.name if target.audience else "",
        notice=corpus.project.notice or "",
        keywords=list(spec.keywords),
        numbered=spec.numbered,
        anonymised=spec.anonymise,
        draft=any(f.meta.status != "approved" for f in findings),
    )
    if spec.abstract:
        marker = t.Include(f"section:{spec.abstract}", 2, {}, loc=Location(DOCUMENTS_FILE))
        meta.abstract = apply_conditions(includer.resolve([marker], depth=0), target)
    meta.layout["reference_docx"] = spec.reference_docx
    if spec.journal:
        meta.layout.update(line_spacing=spec.journal.line_spacing, line_numbers=spec.journal.line_numbers,
                           font_size=spec.journal.font_size)
    return t.Document(meta, blocks, includer.sources)


def template_lines(output: str, sources: dict[str, str]) -> dict[int, tuple[str, int]]:
    """Map lines of a template's output back to the template file and line that produced them.

    Jinja keeps no such map, so lines are matched by their text across every
    template the render used (a child, its base, imported macros): a line
    written out literally maps to itself, and a generated line inherits the
    place of the nearest literal line above it.
    """
    where: dict[str, list[tuple[str, int]]] = {}
    for path, source in sources.items():
        for number, line in enumerate(source.split("\n"), 1):
            if line.strip():
                where.setdefault(line.strip(), []).append((path, number))
    mapping: dict[int, tuple[str, int]] = {}
    last = next(iter(sources), ""), 1
    for number, line in enumerate(output.split("\n"), 1):
        candidates = where.get(line.strip(), [])
        later = [c for c in candidates if c[0] == last[0] and c[1] >= last[1]]
        if later or candidates:
            last = (later or candidates)[0]
        mapping[number] = last
    return mapping


def relocate(blocks: list[t.Block], path: str, mapping: dict[int, tuple[str, int]]) -> None:
    """Point nodes that came from a template's output at the template files and lines behind them."""
    def fix(node: t.Node) -> None:
        loc = node.loc
        if loc is not None and loc.path == path and loc.line is not None and loc.line in mapping:
            node.loc = Location(*mapping[loc.line])

    for block in t.walk(blocks):
        fix(block)
    for inlines in t.inline_lists(blocks):
        for node in inlines:
            fix(node)


_FIELDS = ("key_message", "title")  # the front matter templates write as text, {{ f.key_message }}
_MIN_MATCH = 12  # characters: a shorter piece of text (a full stop, "and") may be anyone's


def relocate_fields(blocks: list[t.Block], findings: list[Finding], sources: dict[str, str]) -> None:
    """Point text a template printed from a finding's front matter at the finding's line for that field,
    so a warning about a key message's words names the finding, not the template that printed it.

    Text counts as printed from a field when its words are among the field's and nowhere in the templates;
    words are compared without punctuation, as the typographer has curled the quotes and dashes.
    """
    templates = _words(" ".join(sources.values()))
    fields = [(_words(str(getattr(f.meta, name))), Location(f.source.path, f.line_of(name)))
              for f in findings for name in _FIELDS]
    for inlines in t.inline_lists(blocks):
        for node in inlines:
            if not isinstance(node, t.Text) or node.loc is None or not node.loc.path.startswith("templates/"):
                continue
            words = _words(node.text)
            if len(words) < _MIN_MATCH or words in templates:
                continue
            node.loc = next((where for text, where in fields if words in text), node.loc)


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[^\W_]+", text.casefold())) + " "


def _template_context(corpus: Corpus, target: Target, findings: list[Finding]) -> dict[str, Any]:
    project = corpus.project
    return {
        "project": project,
        "document": target.spec,
        "target": target.name,
        "audience": target.audience,
        "audience_id": target.audience_id or "",
        "findings": findings,
        "sections": corpus.sections,
        "questions": project.research_questions,
        "sectors": project.sectors,
        "evidence": project.evidence,
        "include": _include_marker,
        "contents": lambda title="", depth=2: f'{{{{< contents title="{title}" depth={int(depth)} >}}}}',
        "list_of_tables": lambda title="": f'{{{{< list-of-tables title="{title}" >}}}}',
        "list_of_figures": lambda title="": f'{{{{< list-of-figures title="{title}" >}}}}',
        "bibliography": lambda title="": f'{{{{< bibliography title="{title}" >}}}}',
        "pagebreak": lambda: "{{< pagebreak >}}",
        "figures_appendix": lambda: "\n{{< figures-appendix >}}\n",
        "value": _value_marker,
        "meta": lambda name: f"{{{{< meta {name} >}}}}",
        "evidence_matrix": _evidence_matrix_marker,
    }


def _value_marker(name: str, scope: str = "", base: bool = False) -> str:
    """Return the shortcode for a figure: `value("agree_reach", scope="all", base=True)` in a template."""
    options = (f" scope={scope}" if scope else "") + (" base=true" if base else "")
    return f"{{{{< value {name}{options} >}}}}"


def _evidence_matrix_marker(caption: str = "", label: str = "tbl:evidence-matrix") -> str:
    lines = ["", "```{evidence-matrix}", f"label: {label}"]
    if caption:
        lines.append(f"caption: {json.dumps(caption)}")
    return "\n".join([*lines, "```", ""])


def _include_marker(item: Finding | Section | str, level: int = 1, field: str = "body") -> str:
    """Return the marker a template writes to place a finding or section (or one front-matter field)."""
    if isinstance(item, Finding):
        target = f"finding:{item.meta.id}"
    elif isinstance(item, Section):
        target = f"section:{item.id}"
    else:
        target = str(item)
    return f"\n{{{{< include {target} level={int(level)} field={field} >}}}}\n"


class Includer:
    """Replace Include markers by the parsed trees of the files they name."""

    def __init__(self, corpus: Corpus, problems: Problems, parses: ParseCache) -> None:
        self.corpus = corpus
        self.problems = problems
        self.parses = parses
        self._parsed: set[tuple[str, str]] = set()
        self.sources: set[str] = set()

    def resolve(self, blocks: list[t.Block], depth: int) -> list[t.Block]:
        out: list[t.Block] = []
        for block in blocks:
            if isinstance(block, t.Include):
                out.extend(self._expand(block, depth))
                continue
            for children in t.child_blocks(block):
                children[:] = self.resolve(children, depth)
            out.append(block)
        return out

    def _expand(self, include: t.Include, depth: int) -> list[t.Block]:
        if depth >= MAX_INCLUDE_DEPTH:
            self.problems.error(f"includes nest deeper than {MAX_INCLUDE_DEPTH}; is a section including itself?",
                                "include", include.loc)
            return []
        field = include.attrs.get("field", "body")
        blocks = self._parse(include, field)
        if blocks is None:
            return []
        shift_headings(blocks, include.level)
        kind, _, name = include.target.partition(":")
        if kind == "finding" and field == "body" and self.corpus.findings[name].meta.status == "draft":
            blocks.insert(0, _draft_mark(include.loc))
        return self.resolve(blocks, depth + 1)

    def _parse(self, include: t.Include, field: str) -> list[t.Block] | None:
        """Return a new tree of the text an include names, which the caller may change as it likes.

        Text included a second time is parsed again (rather than the first tree copied, which would cost
        every include a copy) and its problems, already reported, are not reported twice.
        """
        key = (include.target, field)
        kind, _, name = include.target.partition(":")
        source = None
        if kind == "finding" and name in self.corpus.findings:
            finding = self.corpus.findings[name]
            source = finding.source
            if field != "body":
                value = _front_matter_text(finding, field)
                if value is None:
                    self.problems.error(f"finding {name} has no field {field!r} to include", "include", include.loc)
                    return None
                source = type(source)(source.path, value, finding.line_of(field.split(".")[0]))
        elif kind == "section" and name in self.corpus.sections:
            source = self.corpus.sections[name].source
        if source is None:
            known = "findings" if kind == "finding" else "sections"
            self.problems.error(f"cannot include {include.target!r}: no such {kind or 'file'} in content/{known}/",
                                "include", include.loc)
            return None
        blocks = self.parses.blocks(source.text, source.path, source.first_line,
                                    Problems() if key in self._parsed else self.problems)
        self._parsed.add(key)
        self.sources.add(source.path)
        return blocks


def _draft_mark(loc: Location | None) -> t.Div:
    """Return the box that opens a draft finding's text, in every format: a draft gets into a document only
    when asked for (`--include-drafts`, as an author previewing it does), and must not pass for approved."""
    note = t.Para([t.Text(label("draft-finding-note"))], loc=loc)
    return t.Div([note], t.Attr(classes=["callout-draft"], values={"title": label("draft-finding")}), loc=loc)


def _front_matter_text(finding: Finding, field: str) -> str | None:
    name, _, key = field.partition(".")
    value = getattr(finding.meta, name, None)
    if isinstance(value, dict):
        value = value.get(key)
    return value if isinstance(value, str) else None


def shift_headings(blocks: list[t.Block], level: int) -> None:
    """Shift headings so the highest in `blocks` sits at `level` (Pandoc's --shift-heading-level-by)."""
    headings = [b for b in t.walk(blocks) if isinstance(b, t.Heading)]
    if not headings:
        return
    shift = level - min(h.level for h in headings)
    for heading in headings:
        heading.level = max(1, min(6, heading.level + shift))


def apply_conditions(blocks: list[t.Block], target: Target) -> list[t.Block]:
    """Keep `::: {audience="dh dcsf"}` and `::: {document="final"}` blocks, and `[...]{audience=...}`
    spans, only in the documents they apply to."""
    for inlines in t.inline_lists(blocks):
        inlines[:] = _inline_conditions(inlines, target)
    return _block_conditions(blocks, target)


def _block_conditions(blocks: list[t.Block], target: Target) -> list[t.Block]:
    out: list[t.Block] = []
    for block in blocks:
        if isinstance(block, t.Div) and "identifying" in block.attr.classes and target.spec.anonymise:
            continue
        if isinstance(block, t.Div) and ({"audience", "document"} & block.attr.values.keys()):
            if not _applies(block.attr.values, target):
                continue
            block.blocks = _block_conditions(block.blocks, target)
            if not block.attr.classes and not block.attr.id:
                out.extend(block.blocks)
                continue
            out.append(block)
            continue
        for children in t.child_blocks(block):
            children[:] = _block_conditions(children, target)
        out.append(block)
    return out


def _inline_conditions(inlines: list[t.Inline], target: Target) -> list[t.Inline]:
    out: list[t.Inline] = []
    for node in inlines:
        if isinstance(node, t.Span) and "identifying" in node.attr.classes and target.spec.anonymise:
            # Double-blind review: say what kind of thing it was, not whose.
            out.append(t.Text(node.attr.values.get("anonymised", "[removed for anonymous review]"), loc=node.loc))
            continue
        if isinstance(node, t.Span) and ({"audience", "document"} & node.attr.values.keys()):
            if _applies(node.attr.values, target):
                out.extend(node.children)
            continue
        out.append(node)
    return out


def _applies(values: dict[str, str], target: Target) -> bool:
    audiences = values.get("audience")
    if audiences is not None and (target.audience_id or "") not in audiences.split():
        return False
    documents = values.get("document")
    return documents is None or target.document in documents.split() or target.name in documents.split()
