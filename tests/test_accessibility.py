"""Every shipped HTML page passes axe-core (WCAG 2.2 A and AA) in Chromium, on a desktop and on a phone."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("built")]

AXE = Path(__file__).parent / "js/node_modules/axe-core/axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's, never a downloaded one) for the whole module."""
    from playwright.sync_api import sync_playwright

    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make install-test` (it runs scripts/install-npm-packages)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield chromium
        chromium.close()


def axe_violations(browser: Any, page_file: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Open a page, inject axe-core, and yield its WCAG violations at each width in WIDTHS (one load: the
    viewport is resized, so media queries and reflow apply as on a device of that width)."""
    page = browser.new_page(viewport={"width": WIDTHS[0], "height": 900})
    try:
        page.goto(page_file.as_uri())
        page.add_script_tag(path=str(AXE))
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                                   " resultTypes: ['violations']})", WCAG_TAGS)
            yield from ((width, violation) for violation in result["violations"])
    finally:
        page.close()


def shipped_pages(built: Path) -> list[Path]:
    pages = sorted((built / "build").rglob("*.html"))
    assert len(pages) >= 7, pages  # every document of the shipped project, briefings included
    return pages


def test_every_html_output_has_no_serious_or_critical_violation(built: Path, browser: Any) -> None:
    found = []
    for page_file in shipped_pages(built):
        for width, violation in axe_violations(browser, page_file):
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"][:3]]
                found.append(f"{page_file.name} at {width}px: {violation['id']} on "
                             f"{len(violation['nodes'])} elements, e.g. {targets}")
    assert not found, "\n".join(found)


def test_a_wide_table_scrolls_in_a_named_region_a_keyboard_can_reach_on_a_phone(built: Path, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 900})
    try:
        page.goto((built / "build/final/final.html").as_uri())
        regions = page.eval_on_selector_all(
            "[role=region]:has(> table)",
            "els => els.map(e => ({name: e.getAttribute('aria-label'), tab: e.tabIndex, id: e.firstElementChild.id,"
            " scrolls: e.scrollWidth > e.clientWidth, caption: e.querySelector('caption')?.textContent ?? ''}))")
        loose = page.eval_on_selector_all("table", "els => els.filter(e => !e.closest('[role=region]')).length")
        wide = next(region for region in regions if region["scrolls"])
        page.focus(f"[id='{wide['id']}']>> xpath=..")
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        scrolled = page.eval_on_selector(f"[id='{wide['id']}']", "e => e.parentElement.scrollLeft")
    finally:
        page.close()
    assert loose == 0
    for region in regions:
        assert region["tab"] == 0
        assert region["name"] == " ".join(region["caption"].split()), region
    assert scrolled > 0  # the keyboard alone reaches the columns a phone cannot show at once
