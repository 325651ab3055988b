"""Live preview: headless Chromium sees an edit appear without anyone reloading the page."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO, Mini

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                "--disable-background-networking", "--disable-component-update"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


@pytest.mark.slow
def test_an_edit_appears_in_the_open_page(mini: Mini) -> None:
    from playwright.sync_api import expect, sync_playwright

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "tspdocs", "serve", "report", "--port", str(port)],
                              cwd=mini.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            expect(page.locator("main")).to_contain_text("Partnership helped patients.")
            mini.finding("F01", "Health partnerships help", body="Partnership helped patients and carers alike.")
            expect(page.locator("main")).to_contain_text("patients and carers alike", timeout=30_000)
            mini.finding("F01", "Health partnerships help", body="See @tbl:missing now.")
            expect(page.get_by_role("alert")).to_contain_text("[unknown-label]", timeout=30_000)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert (mini.root / "build/report/report.html").is_file()


def test_the_preview_shows_drafts_when_asked(mini: Mini) -> None:
    from tspdocs.commands.serve import Preview
    from tspdocs.commands.session import BuildOptions
    from tspdocs.console import Console

    mini.finding("F02", "A draft on health", body="Words still being written.", status="draft")
    for drafts in (False, True):
        preview = Preview(mini.root, "report", None, Console(quiet=True), BuildOptions(include_drafts=drafts))
        try:
            preview.rebuild()
            page = preview.page().decode()
            assert ("Words still being written." in page) is drafts
            assert ('<div class="callout callout-draft" role="note">\n<p class="callout-title">Draft finding</p>'
                     in page) is drafts, "a draft is marked as one"
        finally:
            preview.close()


def test_a_bad_save_shows_in_the_page_and_the_next_good_one_recovers(mini: Mini) -> None:
    from tspdocs.commands.serve import Preview
    from tspdocs.console import Console

    preview = Preview(mini.root, "report", None, Console(quiet=True))
    try:
        preview.rebuild()
        assert "Partnership helped patients." in preview.page().decode()
        good = (mini.root / "content/findings/f01.md").read_text(encoding="utf-8")
        mini.write("content/findings/f01.md", good.replace("status: approved", "status: [approved"))
        preview.rebuild()
        page = preview.page().decode()
        assert 'role="alert"' in page and "content/findings/f01.md:" in page, "the problem, at its file and line"
        assert "Partnership helped patients." in page, "the last good build stays readable beneath it"
        mini.write("content/findings/f01.md", good.replace("Partnership helped patients.", "Mended."))
        preview.rebuild()
        page = preview.page().decode()
        assert 'role="alert"' not in page and "Mended." in page
    finally:
        preview.close()


def _descendants(pid: int) -> set[int]:
    """Return every live process below `pid`, read from /proc."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found.update(children)
        todo.extend(children)
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_cleanly_with_its_background_build(mini: Mini, stop: signal.Signals) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    server = subprocess.Popen([sys.executable, "-m", "tspdocs", "serve", "report", "--port", str(port)],
                              cwd=mini.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        children = _descendants(server.pid)
        assert children, "the PDF and DOCX are being built in the background"
        server.send_signal(stop)
        _out, err = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0 and "Traceback" not in err, err
    assert not [pid for pid in children if _alive(pid)], "no process is left behind"
