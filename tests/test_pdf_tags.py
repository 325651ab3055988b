"""The PDF's tags, read with pikepdf, and its pages, read with pdftotext, match what the HTML says is there.

The shipped build is the oracle's input: every <table> of the HTML page is one /Table, every footnote of
the HTML page one /Note. A small document rendered straight through WeasyPrint pins the table joining.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from helpers import pdf_pages
from lxml import html

from tspdocs.writers.pdf_tags import mend_tags, table_fragments

DOCUMENTS = ("final/final", "interim/interim", "academic/academic")


def elements(pdf: pikepdf.Pdf) -> Iterator[tuple[Any, list[Any]]]:
    """Yield every structure element with its ancestors, in reading order."""
    stack: list[tuple[Any, list[Any]]] = [(pdf.Root.StructTreeRoot.K[0], [])]
    while stack:
        element, ancestors = stack.pop()
        yield element, ancestors
        k = element.get("/K")
        kids = list(k) if isinstance(k, pikepdf.Array) else [k] if k is not None else []
        stack.extend((kid, [*ancestors, element]) for kid in reversed(kids)
                     if isinstance(kid, pikepdf.Dictionary) and "/S" in kid)


def unowned_content(pdf: pikepdf.Pdf) -> list[str]:
    """Return the parent tree's entries (marked content and annotations) whose owner is not in the tree."""
    reachable = {element.objgen for element, _ancestors in elements(pdf)}
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    lost = []
    for key, owners in zip(nums[::2], nums[1::2], strict=True):
        for mcid, owner in enumerate(owners if isinstance(owners, pikepdf.Array) else [owners]):
            if isinstance(owner, pikepdf.Dictionary) and owner.objgen not in reachable:
                lost.append(f"{key}/{mcid}")
    return lost


def tags(path: Path) -> list[tuple[str, list[str], Any]]:
    with pikepdf.open(path) as pdf:
        assert not unowned_content(pdf), unowned_content(pdf)[:10]
        return [(str(e.S), [str(a.S) for a in ancestors], e.get("/A", {}).get("/Scope"))
                for e, ancestors in elements(pdf)]


@pytest.mark.slow
@pytest.mark.xdist_group("built")
@pytest.mark.parametrize("name", DOCUMENTS)
def test_tags_match_the_html(built: Path, name: str) -> None:
    page = html.fromstring((built / f"build/{name}.html").read_bytes())
    found = tags(built / f"build/{name}.pdf")
    kinds = [kind for kind, _ancestors, _scope in found]
    assert kinds.count("/Table") == len(page.xpath("//table"))  # a table split over pages is still one
    assert kinds.count("/THead") == len(page.xpath("//thead"))  # the header repeated on each page is an artifact
    assert kinds.count("/Note") == len(page.xpath("//li[starts-with(@id, 'fn')]"))
    headers = [(ancestors[-2], str(scope)) for kind, ancestors, scope in found if kind == "/TH"]
    assert len(headers) == len(page.xpath("//th"))
    assert all(scope == ("/Column" if row_group == "/THead" else "/Row") for row_group, scope in headers), headers
    assert not [a for kind, a, _scope in found if kind == "/Link" and "/Link" in a]  # no link inside a link


@pytest.mark.slow
@pytest.mark.xdist_group("built")
@pytest.mark.parametrize("name", ("final/final", "interim/interim"))
def test_no_page_holds_only_the_running_header_and_footer(built: Path, name: str) -> None:
    pages = pdf_pages(built / f"build/{name}.pdf")
    for number, text in enumerate(pages[1:], 2):  # the cover has no running header
        lines = [line for line in text.splitlines() if line.strip()]
        assert len(lines) > 2, f"page {number} of {name}.pdf is blank but for its header and footer"


def long_table_pdf(rows: int) -> tuple[bytes, list[int]]:
    """Render a table long enough to cross two pages, with a totals row, through the house print rules."""
    import weasyprint

    body = "".join(f"<tr><th scope='row'>Row {i}</th><td>{i}</td></tr>" for i in range(rows))
    css = (Path(__file__).parents[1] / "assets/styles/print.css").read_text(encoding="utf-8")
    css = css[css.index("table {"):css.index("figure img")]  # the table rules only
    document = weasyprint.HTML(string=f"""<html lang="en"><head><title>t</title><style>{css}
        @page {{ size: A6; margin: 10mm }}</style></head><body><table><caption>Rows</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Value</th></tr></thead><tbody>{body}</tbody>
        <tfoot><tr><th scope="row">Total</th><td>{rows}</td></tr></tfoot></table></body></html>""").render(
        pdf_variant="pdf/ua-1")
    return document.write_pdf(pdf_variant="pdf/ua-1"), table_fragments(document)


def test_a_table_over_three_pages_is_one_table_whose_cells_name_real_headers(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    path.write_bytes(mend_tags(*long_table_pdf(60)))
    pages = pdf_pages(path)
    assert len(pages) >= 3 and all("Name" in page for page in pages)  # the header is printed on every page
    assert sum("Total" in page for page in pages) == 1  # the totals close the table once
    with pikepdf.open(path) as pdf:
        found = list(elements(pdf))
        assert [str(e.S) for e, _a in found].count("/Table") == 1
        assert not unowned_content(pdf)
        ids = {str(e.ID) for e, _a in found if "/ID" in e}
        cells = [e for e, _a in found if str(e.S) == "/TD"]
        assert len(cells) == 61
        assert all(str(h) in ids for cell in cells for h in cell.A.Headers)
        artifacts = sum(1 for page in pdf.pages for instruction in pikepdf.parse_content_stream(page)
                        if instruction.operands and instruction.operands[0] == pikepdf.Name.Artifact)
        assert artifacts >= 2 * (len(pages) - 1)  # both repeated header cells on each later page


def test_tables_whose_fragments_do_not_match_the_layout_are_left_as_weasyprint_tagged_them() -> None:
    data, fragments = long_table_pdf(60)
    assert len(fragments) >= 3 and set(fragments) == {0}  # one table over several pages
    with pikepdf.open(BytesIO(mend_tags(data, fragments[:-1]))) as pdf:
        found = [str(e.S) for e, _a in elements(pdf)]
        assert found.count("/Table") == found.count("/THead") == len(fragments)  # not joined on a guess
        assert not unowned_content(pdf)  # the other mending still happened
        assert all(str(e.A.Scope) for e, _a in elements(pdf) if str(e.S) == "/TH")
