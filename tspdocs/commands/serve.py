"""`tspdocs serve`: preview a document's HTML on localhost, rebuilt and reloaded on every save.

watchfiles reports each save; the HTML is rebuilt at once (only what
changed) and every open page reloads through server-sent events. The PDF
and DOCX follow in a background process, restarted if another save comes.
A mistake shows as a banner on the page instead of stopping the server.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ..console import Console
from ..errors import BuildError, fail
from ..project.readers import read_corpus
from ..project.targets import briefing_target, document_targets
from .build import build
from .session import BuildOptions

WATCHED = ("content", "templates", "assets")
LIVE_RELOAD = """<script>
(function () {
  var events = new EventSource("/__events");
  events.addEventListener("reload", function () { location.reload(); });
})();
</script>"""


class Preview:
    """The state a preview shares between the watcher and the web server."""

    def __init__(self, root: Path, document: str, audience: str | None, console: Console,
                 options: BuildOptions | None = None) -> None:
        self.root = root
        self.document = document
        self.audience = audience
        self.options = options or BuildOptions()  # --include-drafts: an author previews the draft being written
        self.console = console
        self.version = 0
        self.problems: list[str] = []
        self.changed = threading.Condition()
        self._background: subprocess.Popen[bytes] | None = None
        corpus = read_corpus(root)
        target = briefing_target(corpus, audience) if audience else document_targets(corpus, document)[0]
        self.html = root / "build" / target.folder / f"{target.stem}.html"

    def targets(self, corpus: Any) -> list[Any]:
        if self.audience:
            return [briefing_target(corpus, self.audience)]
        return document_targets(corpus, self.document)[:1]

    def rebuild(self) -> None:
        """Rebuild the HTML now, tell every open page, then rebuild the PDF and DOCX in the background."""
        try:
            report = build(self.root, self.targets, ["html"], self.options, jobs=0)
            self.problems = []
            self.console.say(f"rebuilt {self.html.relative_to(self.root)} in {report.seconds:.2f} s")
        except BuildError as exc:
            self.problems = [str(p) for p in exc.problems]
            for problem in exc.problems:
                self.console.problem(problem)
        except Exception as exc:  # noqa: BLE001 - a bug in tspdocs: shown in full, and the next save may build
            self.problems = [f"tspdocs failed ({type(exc).__name__}: {exc}); please report it with the traceback "
                             "printed where tspdocs serve runs"]
            traceback.print_exc()
        with self.changed:
            self.version += 1
            self.changed.notify_all()
        self._rebuild_others()

    def _rebuild_others(self) -> None:
        self._stop_background()
        if self.problems:
            return
        command = [sys.executable, "-m", "tspdocs", "-q"]
        command += ["brief", "--audience", self.audience] if self.audience else ["build", self.document]
        drafts = ["--include-drafts"] if self.options.include_drafts else []
        self._background = subprocess.Popen([*command, "--project", str(self.root), "--format", "pdf,docx", *drafts],
                                            stdout=subprocess.DEVNULL)

    def page(self) -> bytes:
        text = self.html.read_text(encoding="utf-8") if self.html.is_file() else \
            "<!DOCTYPE html><html lang='en'><head><title>Preview</title></head><body></body></html>"
        if self.problems:
            items = "".join(f"<li>{escape(p)}</li>" for p in self.problems)
            banner = (f'<div role="alert" style="position:sticky;top:0;background:#801650;color:#fff;'
                      f'padding:0.8em 1.2em;z-index:10"><strong>The last save did not build:</strong>'
                      f"<ul>{items}</ul></div>")
            opened = text.find(">", text.find("<body")) + 1
            text = text[:opened] + banner + text[opened:]
        return text.replace("</body>", LIVE_RELOAD + "</body>").encode("utf-8")

    def close(self) -> None:
        self._stop_background()

    def _stop_background(self) -> None:
        """Interrupt the background build (SIGINT, so it removes its temporary files) and wait for it."""
        if self._background is not None and self._background.poll() is None:
            self._background.send_signal(signal.SIGINT)
            try:
                self._background.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._background.kill()


def _handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
            if host not in ("127.0.0.1", "localhost"):  # another site's page reaching us by DNS rebinding
                self.send_error(HTTPStatus.FORBIDDEN)
                return
            if self.path in ("/", "/index.html"):
                body = preview.page()
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)
            elif self.path == "/__events":
                self._events()
            else:
                self.send_error(HTTPStatus.NOT_FOUND)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = preview.version
            try:
                while True:
                    with preview.changed:
                        preview.changed.wait_for(_moved_on(preview, seen), timeout=15)
                    if preview.version != seen:
                        seen = preview.version
                        self.wfile.write(f"event: reload\ndata: {seen}\n\n".encode())
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def serve(root: Path, document: str, audience: str | None, port: int, console: Console,
          options: BuildOptions | None = None) -> None:
    """Serve until interrupted (Ctrl+C, or SIGTERM from a service manager or an editor), then stop the
    server and the background build; only on 127.0.0.1, since drafts are not for the network."""
    from watchfiles import watch

    preview = Preview(root, document, audience, console, options)
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), _handler(preview))
    except OSError as exc:
        raise fail(f"cannot serve on port {port}: {exc.strerror}; choose another with --port", "serve") from None
    server.daemon_threads = True
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM stops as Ctrl+C does
    try:
        preview.rebuild()
        serving.start()
        console.say(f"previewing {preview.html.relative_to(root)} at http://127.0.0.1:{server.server_address[1]}/ "
                    "(Ctrl+C to stop)", always=True)
        for _changes in watch(*(root / name for name in WATCHED if (root / name).is_dir()), debounce=200):
            preview.rebuild()
    except KeyboardInterrupt:
        console.say("stopped", always=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if serving.is_alive():  # shutdown() would wait for ever on a server that never started
            server.shutdown()
        server.server_close()
        preview.close()


def _moved_on(preview: Any, seen: int) -> Callable[[], bool]:
    """Return a test for whether the preview has been rebuilt since version `seen`."""
    return lambda: bool(preview.version != seen)
