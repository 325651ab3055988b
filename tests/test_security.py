"""Security: a build reads only inside the project, never touches the network and writes only under build/.

Content, templates, stylesheets and partners' Office files come from many
hands, so each test here plays a hostile or careless contributor and checks
that tspdocs stops with `file:line: error [code] message`, exit status 1 and
nothing written; or, where the input is allowed (a link to a web page,
literal braces in prose), that it passes through as inert text.

Paths outside the project are /etc/hostname (which exists on every Linux
host) and files the tests make beside the project in tmp_path; network
access is watched by a loopback HTTP server that counts connections.
"""

from __future__ import annotations

import html
import http.server
import io
import os
import re
import shutil
import struct
import subprocess
import threading
import traceback
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import html5lib
import pikepdf
import pypdf
import pytest
from conftest import MINI_DOCUMENTS, MINI_PROJECT, MINI_TEMPLATE, Mini, Run

from tspdocs.errors import BuildError
from tspdocs.project import safezip
from tspdocs.store.cache import Cache
from tspdocs.store.output import output_path

HOSTNAME = Path("/etc/hostname")
FINDING = "content/findings/f01.md"
TEMPLATE = "templates/reports/small.md.j2"
ALL_FORMATS = "pdf,html,docx"


# Helpers ---------------------------------------------------------------------------------------------------


def body_line(n: int) -> int:
    """Return the file line of body line `n` of a finding written by `mini.finding` without `extra`."""
    return 11 + n  # nine front-matter lines between two `---`, then a blank line


def crash_report(run: Run) -> str:
    """Return the run's output, with the traceback when tspdocs crashed rather than reporting a problem."""
    info = run.result.exc_info
    if run.result.exception is None or isinstance(run.result.exception, SystemExit) or info is None:
        return run.output
    return run.output + "tspdocs crashed:\n" + "".join(traceback.format_exception(*info))


def assert_refused(run: Run, mini: Mini, code: str, *names: str) -> None:
    """The build stopped as a user's mistake (no traceback), with status 1, `[code]` and every name shown,
    and left build/ empty."""
    assert run.code == 1, f"expected exit status 1, got {run.code}:\n{crash_report(run)}"
    assert isinstance(run.result.exception, SystemExit), \
        f"tspdocs crashed instead of reporting:\n{crash_report(run)}"
    assert f"[{code}]" in run.output, run.output
    for name in names:
        assert name in run.output, f"{name!r} not named in:\n{run.output}"
    assert "nothing was written" in run.output, run.output
    assert mini.outputs() == [], f"a failed build wrote {mini.outputs()}"


def assert_built(run: Run) -> None:
    assert run.code == 0, crash_report(run)


def tiny_png() -> bytes:
    """Return a valid 1x1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


def hostname_text() -> str:
    if not HOSTNAME.is_file():
        pytest.skip("this host has no /etc/hostname")
    return HOSTNAME.read_text(encoding="utf-8").strip()


def contains_word(text: str, word: str) -> bool:
    """True when `word` occurs in `text` not as part of a longer word (a host name like `vm` is short)."""
    return bool(word) and re.search(rf"(?<![\w.-]){re.escape(word)}(?![\w-])", text) is not None


def pdf_text(path: Path) -> str:
    text = "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(path).pages)
    if shutil.which("pdftotext"):
        text += "\n" + subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                                      text=True, check=True, timeout=60).stdout
    return text


def pdf_images(path: Path) -> list[str]:
    """Return a description of every image XObject in the PDF, on pages or anywhere else in the file."""
    found = []
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            found.extend(f"page {number}: {name}" for name in page.get_images())
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == pikepdf.Name.Image:
                found.append(f"object {obj.objgen}")
    return found


def pdf_uris(path: Path) -> list[str]:
    uris = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                action = annot.get("/A")
                if action is not None and "/URI" in action:
                    uris.append(str(action.URI))
    return uris


def docx_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def docx_text(path: Path) -> str:
    xml = docx_parts(path)["word/document.xml"].decode("utf-8")
    return html.unescape("".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", xml)))


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def rewrite_zip(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """Return the ZIP `data` with member `name` replaced by `change(old bytes)`."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = {info.filename: source.read(info.filename) for info in source.infolist()}
    members[name] = change(members[name])
    return zip_bytes(members)


def make_xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    for row in (["name", "count"], ["alice", 1], ["bob", 2]):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
XLSX = "content/data/people.xlsx"
TABLES_YAML = """\
tables:
  people:
    file: people.xlsx
    columns:
      name: text
      count: integer
"""
TABLE_BODY = """\
The people below.

```{table} people
label: tbl:people
caption: People in the study
```
"""


def with_people_table(mini: Mini, xlsx: bytes) -> None:
    mini.write("content/data/tables.yaml", TABLES_YAML)
    (mini.root / XLSX).write_bytes(xlsx)
    mini.finding("F01", "Health partnerships help", body=TABLE_BODY)


def doctype(xml: bytes, *, padding: int = 0, entity: bytes = b'"INJECTED"') -> bytes:
    """Put a DOCTYPE declaring entity `e` before the root element of `xml` (after an optional comment
    of `padding` bytes: legal XML, since comments may precede the DOCTYPE) and use `&e;` in it."""
    body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
    body = body.replace(b"<t>alice</t>", b"<t>&e;</t>")
    comment = b"<!--" + b"x" * padding + b"-->" if padding else b""
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + comment
            + b"<!DOCTYPE root [<!ENTITY e " + entity + b">]>" + body)


def bomb_member(size: int = 3_000_000) -> bytes:
    """Zeros: deflate shrinks them about 1000:1, far past safezip.MAX_RATIO."""
    return b"\0" * size


# A loopback server that counts every connection -------------------------------------------------------------


@dataclass
class Loopback:
    port: int
    connections: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def hits(self) -> int:
        return len(self.connections) + len(self.requests)


@pytest.fixture
def server() -> Iterator[Loopback]:
    state = Loopback(0)

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            state.requests.append(f"{self.command} {self.path}")
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(b"body { color: red; }")

        do_GET = do_HEAD = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def process_request(self, request: object, client_address: object) -> None:
            state.connections.append(str(client_address))
            super().process_request(request, client_address)  # type: ignore[arg-type]

    httpd = Server(("127.0.0.1", 0), Handler)
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the project (the project is tmp_path/mini), holding things no build may read."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "picture.png").write_bytes(tiny_png())
    return folder


# 1-3. Images: absolute paths, `..` escapes and symlinks out of the project ----------------------------------


def test_absolute_image_path_is_refused(mini: Mini) -> None:
    mini.finding("F01", "Health partnerships help",
                 body="Partnership helped.\n\n![The host](/etc/hostname)\n")
    run = mini.run("build", "report", "--format", ALL_FORMATS)
    assert_refused(run, mini, "outside-project", f"{FINDING}:{body_line(3)}", "/etc/hostname")


@pytest.mark.parametrize("src", [
    "../../../../etc/hostname",
    "../" * 40 + "etc/hostname",
    "../../content/../../../etc/hostname",
    "./../../../outside/picture.png",  # an existing, valid PNG just beside the project
])
def test_dotdot_image_path_out_of_the_project_is_refused(mini: Mini, outside: Path, src: str) -> None:
    mini.finding("F01", "Health partnerships help", body=f"![A picture]({src})\n")
    run = mini.run("build", "report", "--format", ALL_FORMATS)
    assert_refused(run, mini, "outside-project", f"{FINDING}:{body_line(1)}", src)


def test_image_outside_the_project_is_refused_in_a_section_and_a_template(mini: Mini) -> None:
    mini.write("content/sections/summary.md", "Summary text.\n\n![The host](/etc/hostname)\n")
    mini.write("content/documents.yaml",
               MINI_DOCUMENTS.replace("    date: 2010-06-30", "    date: 2010-06-30\n    abstract: summary"))
    mini.write(TEMPLATE, "Intro.\n\n![Up](../../../../../../../../../etc/hostname)\n\n" + MINI_TEMPLATE)
    run = mini.run("build", "report", "--format", ALL_FORMATS)
    assert_refused(run, mini, "outside-project", "content/sections/summary.md:3", f"{TEMPLATE}:3")


@pytest.mark.parametrize("link", ["host", "png", "folder", "chain"])
def test_symlink_out_of_the_project_is_refused(mini: Mini, outside: Path, link: str) -> None:
    findings = mini.root / "content/findings"
    src = "pic.png"
    if link == "host":
        os.symlink(HOSTNAME, findings / "pic.png")
    elif link == "png":
        os.symlink(outside / "picture.png", findings / "pic.png")
    elif link == "folder":
        os.symlink(outside, findings / "pictures")
        src = "pictures/picture.png"
    else:  # a link inside the project to a link that leaves it
        os.symlink(outside / "picture.png", mini.root / "assets/escape.png")
        os.symlink("../../assets/escape.png", findings / "pic.png")
    mini.finding("F01", "Health partnerships help", body=f"Partnership helped.\n\n![A picture]({src})\n")
    run = mini.run("build", "report", "--format", ALL_FORMATS)
    assert_refused(run, mini, "outside-project", f"{FINDING}:{body_line(3)}", src)


def test_symlink_inside_the_project_is_allowed(mini: Mini) -> None:
    """The control for the refusals above: a link that stays inside the project is followed."""
    (mini.root / "assets/picture.png").write_bytes(tiny_png())
    os.symlink("../../assets/picture.png", mini.root / "content/findings/pic.png")
    mini.finding("F01", "Health partnerships help", body="Partnership helped.\n\n![A picture](pic.png)\n")
    run = mini.run("build", "report", "--format", "html")
    assert_built(run)
    assert "data:image/png;base64," in (mini.root / "build/report/report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("relative", "what"), [
    ("content/findings/f02.md", "finding"),
    (TEMPLATE, "template"),
    ("assets/styles/print.css", "stylesheet"),
    ("assets/reference.docx", "reference.docx"),
])
def test_symlinked_input_file_out_of_the_project_is_refused(mini: Mini, outside: Path, relative: str,
                                                            what: str) -> None:
    marker = f"SECRET-{uuid.uuid4().hex}"
    target = mini.root / relative
    stolen = outside / f"stolen{target.suffix}"
    if what == "finding":
        stolen.write_text("---\nid: F02\ntitle: Stolen\nquestions: [RQ1]\nsectors: [health]\n"
                          "evidence: [survey]\nstatus: approved\nphase: interim\nkey_message: K.\n---\n\n"
                          f"{marker}\n", encoding="utf-8")
    elif what == "template":
        stolen.write_text(f"{marker}\n\n" + MINI_TEMPLATE, encoding="utf-8")
    elif what == "stylesheet":
        stolen.write_text(target.read_text(encoding="utf-8") + f"\n/* {marker} */\n", encoding="utf-8")
    else:
        stolen.write_bytes(target.read_bytes())
    target.unlink(missing_ok=True)
    os.symlink(stolen, target)
    formats = {"stylesheet": "pdf", "reference.docx": "docx"}.get(what, "html")
    run = mini.run("build", "report", "--format", formats)
    assert_refused(run, mini, "outside-project", PurePosixPath(relative).name)
    assert marker not in run.output


@pytest.mark.parametrize("spec", ["/etc/hostname", "../../../../../../../../../../etc/hostname", "link.csv"])
def test_data_file_out_of_the_project_is_refused(mini: Mini, outside: Path, spec: str) -> None:
    (outside / "people.csv").write_text("name,count\nSECRET,1\n", encoding="utf-8")
    (mini.root / "content/data").mkdir(parents=True)
    if spec == "link.csv":
        os.symlink(outside / "people.csv", mini.root / "content/data/link.csv")
    mini.write("content/data/tables.yaml", TABLES_YAML.replace("people.xlsx", spec))
    mini.finding("F01", "Health partnerships help", body=TABLE_BODY)
    run = mini.run("build", "report", "--format", "html")
    assert_refused(run, mini, "outside-project", "content/data/tables.yaml:2", spec)


# 4. file: URLs and raw HTML are inert text ------------------------------------------------------------------


def test_file_urls_and_raw_html_stay_inert_text(mini: Mini, outside: Path) -> None:
    """With raw HTML off and file: URLs refused by the Markdown parser, none of this becomes markup: the
    HTML shows it escaped, the PDF holds no picture and neither the PDF nor the DOCX has the file's text."""
    host = hostname_text()
    (mini.root / "assets/logos/logo.png").unlink()  # the cover logo is the only picture a PDF may otherwise hold
    marker = f"SECRET-{uuid.uuid4().hex}"
    secret = outside / "secret.txt"
    secret.write_text(marker + "\n", encoding="utf-8")
    body = f"""\
    A link [to the host](file:///etc/hostname) and [to a secret](file://{secret}) and <file:///etc/hostname>.

    ![The host](file:///etc/hostname) ![The secret](file://{secret})

    <img src="file:///etc/hostname" alt="raw">

    <script>alert(1)</script>

    Inline <script>alert(2)</script> and <img src="file://{secret}">
    and <iframe src="file:///etc/hostname"></iframe>.

    <link rel="stylesheet" href="file:///etc/hostname">
    <style>body {{ background: url(file://{secret}); }}</style>
    <object data="file:///etc/hostname"></object>
    """
    mini.finding("F01", "Health partnerships help", body=body)
    run = mini.run("build", "report", "--format", ALL_FORMATS)
    assert_built(run)
    build = mini.root / "build/report"

    page = (build / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert '<img src="file:' not in page and "<iframe" not in page and "<object" not in page
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    assert tree.findall(".//script") == []
    assert [e.tag for e in tree.iter() if e.tag in ("iframe", "object", "embed", "link")] == []
    assert len(tree.findall(".//style")) == 1  # the layout's own, in <head>
    for element in tree.iter():
        for name in ("src", "href", "data"):
            value = (element.get(name) or "").strip().lower()
            assert not value.startswith(("file:", "javascript:")), f"<{element.tag} {name}={value!r}>"
    main = "".join(tree.find(".//main").itertext())
    assert marker not in page and not contains_word(main, host)

    pdf = build / "report.pdf"
    text = pdf_text(pdf)
    assert "alert(1)" in text  # the raw HTML was typeset as text
    assert marker not in text and marker.encode() not in pdf.read_bytes()
    assert not contains_word(text, host), f"/etc/hostname's content {host!r} is in the PDF"
    assert pdf_images(pdf) == []
    assert not [u for u in pdf_uris(pdf) if u.lower().startswith("file:")]

    docx = build / "report.docx"
    parts = docx_parts(docx)
    assert not [name for name in parts if name.startswith("word/media/")]
    assert not any(b"file:" in data for name, data in parts.items() if name.endswith(".rels"))
    words = docx_text(docx)
    assert "<script>alert(1)</script>" in words
    assert marker not in words and not contains_word(words, host)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "&#106;avascript:alert(1)",
                                 "vbscript:msgbox(1)", "data:text/html;base64,PHNjcmlwdD4="])
def test_script_urls_never_become_links(mini: Mini, url: str) -> None:
    mini.finding("F01", "Health partnerships help", body=f"Click [here]({url}) or <{url}>.\n")
    run = mini.run("build", "report", "--format", "html,docx")
    assert_built(run)
    tree = html5lib.parse((mini.root / "build/report/report.html").read_text(encoding="utf-8"),
                          namespaceHTMLElements=False)
    hrefs = [a.get("href", "") for a in tree.iter("a")]
    assert not [h for h in hrefs if not h.startswith(("#", "http"))], hrefs
    parts = docx_parts(mini.root / "build/report/report.docx")
    rels = b"".join(data for name, data in parts.items() if name.endswith(".rels"))
    assert b"script:" not in rels.lower() and b"data:text" not in rels


def test_markup_in_titles_and_attributes_is_escaped(mini: Mini) -> None:
    body = """\
    [span]{title="x\\" onmouseover=\\"alert(1)"}

    [a link](https://example.org "t\\" onmouseover=\\"alert(2)")

    ::: {.callout-note title="<script>alert(3)</script>\\" onclick=\\"x"}
    Inside.
    :::

    ```js" onclick="alert(4)
    code
    ```
    """
    mini.finding("F01", "Title <script>alert(5)</script>", body=body)
    title = 'title: "Small <script>alert(6)</script> report"'
    mini.write("content/documents.yaml", MINI_DOCUMENTS.replace("title: Small report", title))
    run = mini.run("build", "report", "--format", "html")
    assert_built(run)
    page = (mini.root / "build/report/report.html").read_text(encoding="utf-8")
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    assert tree.findall(".//script") == []
    handlers = [(e.tag, k) for e in tree.iter() for k in e.attrib if k.lower().startswith("on")]
    assert handlers == []
    assert "&lt;script&gt;alert(5)&lt;/script&gt;" in page and "&lt;script&gt;alert(6)&lt;/script&gt;" in page


# 5. The network: images are never fetched, links are only links, stylesheets cannot fetch -------------------


@pytest.mark.parametrize("markdown", [
    "![x]({base}/a.png)",
    "![x](//127.0.0.1:{port}/a.png)",
    "![x](HTTP://127.0.0.1:{port}/a.png)",
    "![A figure]({base}/figure.png){{#fig:one}}",
    "[![x]({base}/inside-a-link.png)](https://example.org)",
], ids=["http", "protocol-relative", "upper-case-scheme", "figure", "inside-a-link"])
def test_remote_image_is_refused_without_a_fetch(mini: Mini, server: Loopback, markdown: str) -> None:
    image = markdown.format(base=server.base, port=server.port)
    mini.finding("F01", "Health partnerships help", body=f"Partnership helped.\n\n{image}\n")
    run = mini.run("build", "report", "--format", ALL_FORMATS)
    assert_refused(run, mini, "remote-image", f"{FINDING}:{body_line(3)}", f"127.0.0.1:{server.port}")
    assert server.hits == 0, server.requests


def test_remote_image_by_reference_in_a_footnote_and_a_table_is_refused(mini: Mini, server: Loopback) -> None:
    body = f"""\
    See ![ref][r] and a note.[^1]

    | Picture |
    |---------|
    | ![cell]({server.base}/cell.png) |

    [^1]: Note ![note]({server.base}/note.png)

    [r]: {server.base}/ref.png
    """
    mini.finding("F01", "Health partnerships help", body=body)
    run = mini.run("build", "report", "--format", ALL_FORMATS)
    assert_refused(run, mini, "remote-image", f"{FINDING}:{body_line(1)}", f"{FINDING}:{body_line(5)}",
                   f"{FINDING}:{body_line(7)}", "/ref.png", "/cell.png", "/note.png")
    assert server.hits == 0, server.requests


def test_a_link_is_not_a_fetch(mini: Mini, server: Loopback) -> None:
    url = f"{server.base}/page"
    mini.finding("F01", "Health partnerships help", body=f"Partnership helped; see [the site]({url}).\n")
    run = mini.run("build", "report", "--format", ALL_FORMATS)
    assert_built(run)
    build = mini.root / "build/report"
    assert (build / "report.pdf").is_file()
    assert url in pdf_uris(build / "report.pdf")
    assert f'<a href="{url}">the site</a>' in (build / "report.html").read_text(encoding="utf-8")
    assert url.encode() in docx_parts(build / "report.docx")["word/_rels/document.xml.rels"]
    assert server.hits == 0, server.requests


@pytest.mark.parametrize(("sheet", "where", "rule", "refused"), [
    ("print.css", "end", "body {{ background: url({base}/bg.png); }}", "{base}/bg.png"),
    ("print.css", "end", ("@font-face {{ font-family: Remote; src: url({base}/font.ttf); }} "
                          "body {{ font-family: Remote; }}"), "{base}/font.ttf"),
    ("print.css", "end", ".cover {{ background-image: url(file:///etc/hostname); }}", "file:///etc/hostname"),
    ("print.css", "end", ".cover {{ background-image: url(../../../../../../../../etc/hostname); }}",
     "../../../../../../../../etc/hostname"),
    ("base.css", "start", "@import url({base}/import.css);", "{base}/import.css"),
    ("print.css", "start", "@import url({base}/import.css);", "{base}/import.css"),
], ids=["background", "font", "file-url", "dotdot", "import-base", "import-print"])
def test_stylesheet_cannot_fetch(mini: Mini, server: Loopback, sheet: str, where: str, rule: str,
                                 refused: str) -> None:
    path = mini.root / "assets/styles" / sheet
    css = rule.format(base=server.base)
    text = path.read_text(encoding="utf-8")
    path.write_text(css + "\n" + text if where == "start" else text + "\n" + css + "\n", encoding="utf-8")
    run = mini.run("build", "report", "--format", "pdf")
    assert server.hits == 0, f"the PDF build contacted the network: {server.requests or server.connections}"
    assert_refused(run, mini, "outside-project", refused.format(base=server.base))


# 6. Template injection: content is never Jinja; templates run in a sandbox ----------------------------------


def test_jinja_in_content_stays_literal(mini: Mini) -> None:
    body = """\
    Literal `{{ ''.__class__.__mro__ }}` and `{{ cycler.__init__.__globals__ }}`.

    Sum {{ 1200+3456 }} and {% raw %}{{ 2200+3456 }}{% endraw %} and {% for x in range(3) %}loop{% endfor %}.

    Also `{% endraw %}{{ 3200+3456 }}{% raw %}`.
    """
    mini.finding("F01", "Heading {{ 4200+3456 }}", body=body)
    run = mini.run("build", "report", "--format", "html,docx")
    assert_built(run)
    page = html.unescape((mini.root / "build/report/report.html").read_text(encoding="utf-8"))
    words = docx_text(mini.root / "build/report/report.docx")
    for text in (page, words):
        assert "{{ ''.__class__.__mro__ }}" in text
        assert "{{ cycler.__init__.__globals__ }}" in text
        assert "{{ 1200+3456 }}" in text and "{% raw %}{{ 2200+3456 }}{% endraw %}" in text
        assert "{% for x in range(3) %}loop{% endfor %}" in text
        assert "{% endraw %}{{ 3200+3456 }}{% raw %}" in text
        assert "{{ 4200+3456 }}" in text
        for evaluated in ("4656", "5656", "6656", "7656", "looploop", "<class 'object'>", "__builtins__"):
            assert evaluated not in text


def test_shortcode_cannot_reach_python_attributes(mini: Mini) -> None:
    mini.finding("F01", "Health partnerships help",
                 body="Partnership helped.\n\nA {{< meta __class__.__mro__ >}}.\n")
    run = mini.run("build", "report", "--format", "html")
    assert_refused(run, mini, "shortcode", f"{FINDING}:{body_line(3)}")


@pytest.mark.parametrize("expression", [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ include.__globals__ }}",
    "{{ findings[0].__dict__ }}",
    "{{ findings[0].meta.__class__ }}",
    "{{ \"{0.__class__}\".format(findings) }}",
    "{{ findings.append(1) }}",
    "{{ sections.clear() }}",
    "{{ range(10**7) | list | length }}",
])
def test_template_sandbox_stops_unsafe_expressions(mini: Mini, expression: str) -> None:
    mini.write(TEMPLATE, f"Intro.\n\n{expression}\n\n" + MINI_TEMPLATE)
    run = mini.run("build", "report", "--format", "html")
    assert_refused(run, mini, "template-unsafe", f"{TEMPLATE}:3")


def test_raw_block_in_a_template_is_output_once_and_never_evaluated(mini: Mini) -> None:
    """`{% raw %}` makes Jinja print braces; nothing renders its output a second time."""
    raw = "Intro `{% raw %}{{ ''.__class__.__mro__ }} {{ 1200+3456 }}{% endraw %}`.\n\n"
    mini.write(TEMPLATE, raw + MINI_TEMPLATE)
    run = mini.run("build", "report", "--format", "html")
    assert_built(run)
    page = html.unescape((mini.root / "build/report/report.html").read_text(encoding="utf-8"))
    assert "{{ ''.__class__.__mro__ }} {{ 1200+3456 }}" in page
    assert "4656" not in page and "<class" not in page


@pytest.mark.parametrize(("file", "text", "named"), [
    (TEMPLATE, "{% include '/etc/hostname' %}\n\n" + MINI_TEMPLATE, TEMPLATE),
    (TEMPLATE, "{% include '" + "../" * 40 + "etc/hostname' %}\n\n" + MINI_TEMPLATE, TEMPLATE),
    ("content/documents.yaml", MINI_DOCUMENTS.replace("reports/small.md.j2", "/etc/hostname"),
     "content/documents.yaml"),
], ids=["include-absolute", "include-dotdot", "documents-template"])
def test_template_outside_the_project_is_refused_naming_who_asked(mini: Mini, file: str, text: str,
                                                                   named: str) -> None:
    host = hostname_text()
    mini.write(file, text)
    run = mini.run("build", "report", "--format", "html")
    assert not contains_word(run.output.replace("/etc/hostname", ""), host)
    assert_refused(run, mini, "outside-project", "/etc/hostname", named)


# 7. Outputs land under build/ only --------------------------------------------------------------------------


@pytest.mark.parametrize(("folder", "filename"), [
    ("../../x", "a.pdf"),
    ("x", "../a.pdf"),
    ("/etc", "a.pdf"),
    ("..", "a.pdf"),
    ("x", "a/b.pdf"),
    ("x", "a\\b.pdf"),
    ("x", ".."),
    ("x", "."),
    ("x", ""),
])
def test_output_path_refuses_names_outside_build(tmp_path: Path, folder: str, filename: str) -> None:
    with pytest.raises(BuildError) as caught:
        output_path(tmp_path, PurePosixPath(folder), filename)
    assert [p.code for p in caught.value.problems] == ["output-name"]


def test_output_path_accepts_plain_names(tmp_path: Path) -> None:
    assert output_path(tmp_path, PurePosixPath("briefings/dh"), "briefing-dh.pdf") == \
        (tmp_path / "build/briefings/dh/briefing-dh.pdf").resolve()


@pytest.mark.parametrize(("file", "old", "new", "line"), [
    ("content/documents.yaml", "  report:", '  "reports/evil":', 2),
    ("content/documents.yaml", "  report:", '  "../evil":', 2),
    ("content/documents.yaml", "    date: 2010-06-30",
     '    date: 2010-06-30\n    variants:\n      "../x": {}', 7),
    ("content/project.yaml", "  moj:", '  "../../x":', 23),
], ids=["document-slash", "document-dotdot", "variant-dotdot", "audience-dotdot"])
def test_output_names_with_paths_are_refused_by_the_schema(mini: Mini, file: str, old: str, new: str,
                                                           line: int) -> None:
    source = MINI_DOCUMENTS if file.endswith("documents.yaml") else MINI_PROJECT
    assert old in source
    mini.write(file, source.replace(old, new))
    run = mini.run("build", "all", "--format", "html")
    assert_refused(run, mini, "schema", f"{file}:{line}", new.split('"')[1])


def test_symlinked_output_folder_or_file_is_refused(mini: Mini, outside: Path) -> None:
    victim = outside / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    (mini.root / "build/report").mkdir(parents=True)
    os.symlink(victim, mini.root / "build/report/report.html")
    run = mini.run("build", "report", "--format", "html")
    assert run.code == 1 and "[output-name]" in run.output and "report/report.html" in run.output, run.output
    assert victim.read_text(encoding="utf-8") == "keep me\n"

    (mini.root / "build/report/report.html").unlink()
    (mini.root / "build/report").rmdir()
    os.symlink(outside, mini.root / "build/report")
    run = mini.run("build", "report", "--format", "html")
    assert_refused(run, mini, "output-name", "report/report.html")
    assert sorted(p.name for p in outside.iterdir()) == ["picture.png", "victim.txt"]


def test_refused_output_name_leaves_nothing_written(mini: Mini, outside: Path) -> None:
    """The message says "nothing was written": that must hold when the second of two documents is refused."""
    mini.write("content/documents.yaml", MINI_DOCUMENTS.replace(
        "briefing:", "  zother:\n    title: Other report\n    template: reports/small.md.j2\nbriefing:"))
    (mini.root / "build").mkdir()
    os.symlink(outside, mini.root / "build/zother")
    run = mini.run("build", "report", "zother", "--format", "html")
    assert_refused(run, mini, "output-name", "zother/zother.html")
    assert not (outside / "zother.html").exists()


def cache_with(root: Path, entries: dict[str, str | Path]) -> Cache:
    """A cache under `root` holding chart entries: a name maps to its text, or to the path it links to."""
    folder = root / "build/.tspdocs/cache/charts"
    folder.mkdir(parents=True, exist_ok=True)
    for name, value in entries.items():
        if isinstance(value, Path):
            os.symlink(value, folder / name)
        else:
            (folder / name).write_text(value, encoding="utf-8")
    return Cache(root)


@pytest.mark.parametrize("first", ["plain", "link"])
def test_cache_entry_linked_out_of_build_is_never_read(tmp_path: Path, outside: Path, first: str) -> None:
    """Checked whether it is the first entry of its kind looked up or a later one (the kind's folder is
    resolved once per cache), and in both orders: a link out is refused by its name, a link inside followed."""
    (tmp_path / "build").mkdir()
    (tmp_path / "build/inside.png").write_text("inside", encoding="utf-8")
    cache = cache_with(tmp_path, {"plain.png": "plain", "link.png": outside / "picture.png",
                                  "within.png": tmp_path / "build/inside.png"})
    order = ["plain", "link"] if first == "plain" else ["link", "plain"]
    for name in order:
        if name == "plain":
            assert cache.get_bytes("charts", "plain", ".png") == b"plain"
            continue
        with pytest.raises(BuildError) as caught:
            cache.get_bytes("charts", "link", ".png")
        assert [str(p) for p in caught.value.problems] == \
            ["error [output-name] output .tspdocs/cache/charts/link.png would be written outside build/"]
        with pytest.raises(BuildError):
            cache.put_bytes("charts", "link", ".png", b"stolen")
    assert cache.get_bytes("charts", "within", ".png") == b"inside"
    assert cache.get_bytes("charts", "missing", ".png") is None


def test_cache_folder_linked_out_of_build_is_never_read(tmp_path: Path, outside: Path) -> None:
    (tmp_path / "build/.tspdocs/cache").mkdir(parents=True)
    os.symlink(outside, tmp_path / "build/.tspdocs/cache/charts")
    cache = Cache(tmp_path)
    for _ in range(2):  # a refused folder is not remembered as real
        with pytest.raises(BuildError) as caught:
            cache.get_bytes("charts", "picture", ".png")
        assert [str(p) for p in caught.value.problems] == \
            ["error [output-name] output .tspdocs/cache/charts/picture.png would be written outside build/"]


# 8. Foreign Office files ------------------------------------------------------------------------------------


def test_clean_office_files_pass_the_check() -> None:
    safezip.check_office_zip(make_xlsx(), XLSX)
    safezip.check_office_zip((Path(__file__).resolve().parents[1] / "assets/reference.docx").read_bytes(),
                             "assets/reference.docx")


def check_fails(data: bytes, code: str) -> None:
    with pytest.raises(BuildError) as caught:
        safezip.check_office_zip(data, XLSX)
    problems = caught.value.problems
    assert [p.code for p in problems] == [code], [str(p) for p in problems]
    assert problems[0].location is not None and problems[0].location.path == XLSX


@pytest.mark.parametrize("data", [b"", b"name,count\nalice,1\n", b"PK\x03\x04 truncated", b"%PDF-1.7\n"],
                         ids=["empty", "csv", "truncated-zip", "pdf"])
def test_non_zip_office_file_is_bad(data: bytes) -> None:
    check_fails(data, "bad-office-file")


def test_zip_bomb_by_ratio() -> None:
    check_fails(rewrite_zip(make_xlsx(), SHEET, lambda old: bomb_member()), "zip-bomb")


def test_zip_bomb_by_total_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safezip, "MAX_TOTAL", 10_000)
    check_fails(rewrite_zip(make_xlsx(), SHEET, lambda old: old + b" " * 20_000), "zip-bomb")


def test_zip_bomb_by_member_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safezip, "MAX_MEMBERS", 20)
    members = {f"xl/media/part{i}.bin": b"x" for i in range(30)}
    check_fails(zip_bytes({"[Content_Types].xml": b"<Types/>", **members}), "zip-bomb")


@pytest.mark.parametrize(("part", "change"), [
    ("[Content_Types].xml", lambda old: doctype(old)),
    (SHEET, lambda old: doctype(old)),
    (SHEET, lambda old: doctype(old).replace(b"<!DOCTYPE", b"<!doctype")),
    (SHEET, lambda old: doctype(old, entity=b'SYSTEM "file:///etc/hostname"')),
    ("xl/_rels/workbook.xml.rels", lambda old: doctype(old)),
    (SHEET, lambda old: doctype(old, padding=5000)),
    (SHEET, lambda old: doctype(old).decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
        .encode("utf-16")),
], ids=["content-types", "sheet", "lower-case", "external-entity", "rels", "after-a-4kb-comment", "utf-16"])
def test_xml_doctype_is_refused(part: str, change: Callable[[bytes], bytes], request: pytest.FixtureRequest) -> None:
    # XML names are case-sensitive: a lower-case <!doctype is not a DOCTYPE but a syntax error, refused too.
    expected = "bad-office-file" if request.node.callspec.id == "lower-case" else "xml-doctype"
    check_fails(rewrite_zip(make_xlsx(), part, change), expected)


@pytest.mark.parametrize(("case", "code"), [
    ("bomb", "zip-bomb"),
    ("doctype", "xml-doctype"),
    ("doctype-content-types", "xml-doctype"),
    ("doctype-after-comment", "xml-doctype"),
    ("not-zip", "bad-office-file"),
    ("zip-not-office", "bad-office-file"),
    ("corrupt-member", "bad-office-file"),
])
def test_hostile_xlsx_data_file_end_to_end(mini: Mini, case: str, code: str) -> None:
    clean = make_xlsx()
    data = {
        "bomb": lambda: rewrite_zip(clean, SHEET, lambda old: bomb_member()),
        "doctype": lambda: rewrite_zip(clean, SHEET, doctype),
        "doctype-content-types": lambda: rewrite_zip(clean, "[Content_Types].xml", doctype),
        "doctype-after-comment": lambda: rewrite_zip(clean, SHEET, lambda old: doctype(old, padding=5000)),
        "not-zip": lambda: b"name,count\nalice,1\n",
        "zip-not-office": lambda: zip_bytes({"notes.txt": b"hello"}),
        "corrupt-member": lambda: corrupt_member(clean, SHEET),
    }[case]()
    with_people_table(mini, data)
    run = mini.run("build", "report", "--format", "html")
    assert_refused(run, mini, code, XLSX)
    assert "INJECTED" not in run.output


def corrupt_member(data: bytes, name: str) -> bytes:
    """Flip bytes inside one member's compressed data, leaving the ZIP directory intact."""
    raw = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    name_length, extra_length = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + name_length + extra_length
    for offset in range(start + 8, start + min(info.compress_size, 40)):
        raw[offset] ^= 0xFF
    return bytes(raw)


@pytest.mark.parametrize(("case", "code"), [
    ("bomb", "zip-bomb"),
    ("total", "zip-bomb"),
    ("doctype", "xml-doctype"),
    ("not-zip", "bad-office-file"),
    ("zip-not-office", "bad-office-file"),
])
def test_hostile_reference_docx_end_to_end(mini: Mini, monkeypatch: pytest.MonkeyPatch, case: str,
                                           code: str) -> None:
    reference = mini.root / "assets/reference.docx"
    clean = reference.read_bytes()
    if case == "total":
        monkeypatch.setattr(safezip, "MAX_TOTAL", 1000)
    data = {
        "bomb": lambda: rewrite_zip(clean, "word/styles.xml", lambda old: bomb_member()),
        "total": lambda: clean,
        "doctype": lambda: rewrite_zip(clean, "word/styles.xml", doctype),
        "not-zip": lambda: b"This is not a Word file.\n",
        "zip-not-office": lambda: zip_bytes({"notes.txt": b"hello"}),
    }[case]()
    reference.write_bytes(data)
    run = mini.run("build", "report", "--format", "docx")
    assert_refused(run, mini, code, "assets/reference.docx")


# 9. YAML cannot run code ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("file", "tag"), [
    ("content/project.yaml", "!!python/object/apply:os.system"),
    ("content/project.yaml", "!!python/object/new:os.system"),
    ("content/project.yaml", "!!python/name:os.system"),
    ("content/documents.yaml", "!!python/object/apply:os.system"),
    (FINDING, "!!python/object/apply:os.system"),
    ("content/data/tables.yaml", "!!python/object/apply:os.system"),
    ("directive", "!!python/object/apply:os.system"),
])
def test_yaml_python_tags_do_not_run(mini: Mini, file: str, tag: str) -> None:
    pwned = Path(f"/tmp/pwned-{uuid.uuid4().hex}")
    payload = f'{tag} ["touch {pwned}"]'
    try:
        if file == "content/project.yaml":
            mini.write(file, MINI_PROJECT + f"notice: {payload}\n")
            where = f"{file}:{MINI_PROJECT.count(chr(10)) + 1}"
        elif file == "content/documents.yaml":
            mini.write(file, MINI_DOCUMENTS.replace("    date: 2010-06-30", f"    date: {payload}"))
            where = f"{file}:5"
        elif file == FINDING:
            mini.finding("F01", "Health partnerships help", extra=f"notes: {payload}\n")
            where = f"{file}:10"
        elif file == "content/data/tables.yaml":
            with_people_table(mini, make_xlsx())
            mini.write(file, TABLES_YAML.replace("file: people.xlsx", f"file: {payload}"))
            where = f"{file}:3"
        else:
            with_people_table(mini, make_xlsx())
            mini.finding("F01", "Health partnerships help",
                         body=TABLE_BODY.replace("caption: People in the study", f"caption: {payload}"))
            where = FINDING
        run = mini.run("build", "report", "--format", "html")
        assert_refused(run, mini, "yaml", where, "not allowed")
        assert not pwned.exists(), "YAML ran a shell command"
    finally:
        pwned.unlink(missing_ok=True)


def test_yaml_aliases_cannot_expand(mini: Mini) -> None:
    laughs = ("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
              "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n")
    mini.write("content/project.yaml", MINI_PROJECT + laughs)
    run = mini.run("build", "report", "--format", "html")
    assert_refused(run, mini, "yaml", f"content/project.yaml:{MINI_PROJECT.count(chr(10)) + 1}")


# Citation styles: the CSL file is read by Pandoc, so it must be checked like every other input --------------


@pytest.mark.parametrize("how", ["dotdot", "symlink"])
def test_citation_style_outside_the_project_is_refused(mini: Mini, outside: Path, how: str) -> None:
    marker = f"SECRET-{uuid.uuid4().hex}"
    (outside / "style.csl").write_text(f"not a style {marker}\n", encoding="utf-8")
    if how == "dotdot":
        name = "../" * 40 + str(outside / "style").lstrip("/")
    else:
        (mini.root / "assets/csl").mkdir()
        os.symlink(outside / "style.csl", mini.root / "assets/csl/house.csl")
        name = "house"
    mini.write("content/references.json",
               '[{"id": "smith2001", "type": "book", "title": "A Book", '
               '"author": [{"family": "Smith", "given": "J"}], "issued": {"date-parts": [[2001]]}}]\n')
    mini.finding("F01", "Health partnerships help", body="Partnership helped [@smith2001].\n")
    mini.write("content/documents.yaml",
               MINI_DOCUMENTS.replace("    date: 2010-06-30", f"    date: 2010-06-30\n    csl: {name}"))
    run = mini.run("build", "report", "--format", "html")
    assert marker not in run.output, "the build read a file outside the project and printed its content"
    # A path is not a style name, so the schema refuses it; a symlinked style file is refused when read.
    assert_refused(run, mini, "schema" if how == "dotdot" else "outside-project", "content/documents.yaml")
