"""What authors bring from Pandoc, Quarto and real projects comes out as written, or stops at its line.

Markdown constructs have golden cases in tests/fixtures/golden/pandoc-*.md; these tests need a project.
"""

from __future__ import annotations

from html.parser import HTMLParser

from conftest import Mini

FINDING = "content/findings/f01.md"


def body_line(n: int) -> int:
    """Return the file line of body line `n` of a finding written by `mini.finding` without `extra`."""
    return 11 + n  # nine front-matter lines between two `---`, then a blank line


class Links(HTMLParser):
    """Collect each link's href and each image's src, as a browser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.hrefs.append(str(values["href"]))
        if tag == "img" and values.get("src"):
            self.srcs.append(str(values["src"]))


def test_shortcode_as_link_target(mini: Mini) -> None:
    mini.finding("F01", "Health partnerships help",
                 body='See [the centre]({{< meta centre.web >}} "Our site") or '
                      "[write](mailto:{{< meta contact.email >}}).\n")
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 0, run.output
    links = Links()
    links.feed((mini.root / "build/report/report.html").read_text(encoding="utf-8"))
    assert "https://example.org" in links.hrefs and "mailto:ada@example.org" in links.hrefs, links.hrefs
    check = mini.run("check")
    assert check.code == 0 and "{{<" not in check.output, check.output


def test_unknown_shortcode_in_link_target_or_image_source_is_an_error_at_its_line(mini: Mini) -> None:
    mini.finding("F01", "Health partnerships help",
                 body="Text.\n\nSee [the centre]({{< meta centre.nowhere >}}).\n\n![A logo]({{< meta logo >}})\n")
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 1, run.output
    for line in (body_line(3), body_line(5)):
        assert f"{FINDING}:{line}: " in run.output, run.output
    assert run.output.count("[shortcode]") == 2, run.output
