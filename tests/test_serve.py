"""Live preview: headless Chromium sees an edit appear without anyone reloading the page."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import Mini

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
            assert ("Words still being written." in preview.page().decode()) is drafts
        finally:
            preview.close()
